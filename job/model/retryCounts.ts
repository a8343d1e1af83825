/**
 * Every kind of retry the job makes, source side and lake side, so a run can say how hard it had
 * to work: a quiet run shows zeros, a throttled or contended one shows where the time went.
 */
export const RETRY_KINDS = [
  /** The archive answered 503 SlowDown / 429: retried after an adaptive pause. */
  'sourceThrottled',
  /** 5xx, resets, timeouts, a body that broke mid-read. */
  'sourceTransient',
  /** A body whose size or MD5 did not match what the archive lists for it. */
  'sourceCorruptBody',
  /** A listed key answered 404 once: asked again before it counts as missing. */
  'sourceNotFound',
  /** Another writer committed to the table first (409). */
  'commitConflict',
  /** A commit whose outcome the job did not learn (timeout, 5xx, lost answer). */
  'commitUnknownOutcome',
  /** A catalog answered 200 but the rows were not there (the dropped-commit guard). */
  'commitDropped',
  /** Files another run loaded meanwhile, dropped from the chunk before it is committed again. */
  'commitAlreadyLoaded',
  /** Other retryable lake errors (throttling, 5xx on reads, unknown errors). */
  'lakeTransient',
] as const;

export type RetryKind = (typeof RETRY_KINDS)[number];
export type RetryCounts = Record<RetryKind, number>;
/** Called once per retry, before it waits. */
export type OnRetry = (kind: RetryKind) => void;

export const noRetries = (): RetryCounts =>
  Object.fromEntries(RETRY_KINDS.map((kind) => [kind, 0])) as RetryCounts;

export const totalRetries = (counts: RetryCounts): number =>
  RETRY_KINDS.reduce((sum, kind) => sum + counts[kind], 0);

/** The kinds that retried at least once, for a log line: `{ sourceThrottled: 12 }`. */
export const nonZeroRetries = (counts: RetryCounts): Partial<RetryCounts> =>
  Object.fromEntries(RETRY_KINDS.filter((kind) => counts[kind] > 0).map((k) => [k, counts[k]]));

/** Counts retries as they happen; made at the edge and handed to the store and the run alike. */
export class RetryCounter {
  readonly counts: RetryCounts = noRetries();
  readonly onRetry: OnRetry = (kind) => {
    this.counts[kind] += 1;
  };
}
