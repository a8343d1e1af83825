import { LakehouseError } from '../lakehouseError.ts';
import type { RetryKind } from '../model/retryCounts.ts';

/** A catalog answered 200 to a commit but the table does not hold its rows: re-planned and retried. */
export class DroppedCommitError extends LakehouseError {
  constructor(message: string) {
    super('commit-conflict', message);
    this.name = 'DroppedCommitError';
  }
}

/** The retry kind of a failed commit, from the error's class. */
export function commitRetryKind(error: LakehouseError): RetryKind {
  if (error instanceof DroppedCommitError) return 'commitDropped';
  if (error.isConflict) return 'commitConflict';
  if (error.isCommitStateUnknown) return 'commitUnknownOutcome';
  return 'lakeTransient';
}
