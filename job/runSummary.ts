import type { ArchiveDay } from './model/archiveDay.ts';

/** What a run did, for the TTY table, `--json`, logs and metrics. */
export interface RunSummary {
  runId: string;
  window: { from: ArchiveDay; to: ArchiveDay };
  target: string;
  dryRun: boolean;
  filesListed: number;
  filesSkipped: number;
  filesNew: number;
  filesChanged: number;
  filesFetched: number;
  filesMissing: number;
  filesRejected: number;
  unmatchedKeys: number;
  rowsCommitted: number;
  rowsReplaced: number;
  rowsRejected: number;
  bytesFetched: number;
  bytesPlanned: number;
  commitsPlanned: number;
  commits: number;
  snapshotIds: string[];
  commitRetries: number;
  rejectRate: number;
  /** Wall-clock seconds per stage; fetch, parse and stage overlap, so parse and stage are busy time. */
  seconds: {
    list: number;
    plan: number;
    fetch: number;
    parse: number;
    stage: number;
    commit: number;
    total: number;
  };
  /** 0 ok, 3 reject rate above the threshold. */
  exitCode: number;
}

export function emptySummary(
  runId: string,
  window: { from: ArchiveDay; to: ArchiveDay },
  target: string,
  dryRun: boolean,
): RunSummary {
  return {
    runId,
    window,
    target,
    dryRun,
    filesListed: 0,
    filesSkipped: 0,
    filesNew: 0,
    filesChanged: 0,
    filesFetched: 0,
    filesMissing: 0,
    filesRejected: 0,
    unmatchedKeys: 0,
    rowsCommitted: 0,
    rowsReplaced: 0,
    rowsRejected: 0,
    bytesFetched: 0,
    bytesPlanned: 0,
    commitsPlanned: 0,
    commits: 0,
    snapshotIds: [],
    commitRetries: 0,
    rejectRate: 0,
    seconds: { list: 0, plan: 0, fetch: 0, parse: 0, stage: 0, commit: 0, total: 0 },
    exitCode: 0,
  };
}
