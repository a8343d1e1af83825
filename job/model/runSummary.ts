import { noRetries, type RetryCounts } from './retryCounts.ts';
import { noSourceRequests, type SourceRequests } from './sourceRequests.ts';
import type { ArchiveDay } from './archiveDay.ts';

/** What a run did, for the TTY table, `--json`, logs and metrics. */
export interface RunSummary {
  runId: string;
  window: { from: ArchiveDay; to: ArchiveDay };
  target: string;
  dryRun: boolean;
  /** Pieces of the window loaded (a month of a slice of stations each). */
  pieces: number;
  /** The most listed files held in memory at once (bounded by --files-in-memory). */
  filesHeldMax: number;
  filesListed: number;
  filesSkipped: number;
  filesNew: number;
  filesChanged: number;
  filesFetched: number;
  filesMissing: number;
  filesRejected: number;
  unmatchedKeys: number;
  rowsCommitted: number;
  /** Rows of earlier versions of patched files, deleted. */
  rowsReplaced: number;
  /** Rows a crashed or failed run left of files it never finished, deleted and loaded again. */
  rowsLeftover: number;
  rowsRejected: number;
  /** Stations whose locations row was recomputed from measurements rather than maintained from the chunk. */
  stationsRecomputed: number;
  bytesFetched: number;
  bytesPlanned: number;
  commitsPlanned: number;
  commits: number;
  snapshotIds: string[];
  /** Retries of the data commit (conflicts, unknown outcomes, dropped commits, files loaded meanwhile). */
  commitRetries: number;
  /** Every retry of the run, source and lake side, by kind. */
  retries: RetryCounts;
  /** Requests sent to the archive bucket (LIST pages, GETs), retries included. */
  sourceRequests: SourceRequests;
  rejectRate: number;
  /**
   * Wall-clock seconds per stage. Fetch (with parse and stage inside it) overlaps the previous
   * chunk's commit; parse is the parser threads' busy time summed, stage the main thread's.
   */
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
  /** Runs that read the notification feed (`nightly --source notifications|reconcile`). */
  feed?: FeedSummary;
}

/** What a run did with OpenAQ's object-created notifications. */
export interface FeedSummary {
  /** Messages received (a message redelivered within the run counts again). */
  messages: number;
  /** S3 event records in them. */
  records: number;
  /** Distinct archive keys handed to the load (after collapsing repeats). */
  keys: number;
  /** Records naming a key already in the same batch: collapsed, loaded once. */
  repeats: number;
  /** Records whose key is outside the archive layout or bucket: reported, not loaded. */
  unmatched: number;
  /** Test events and records that are not ObjectCreated: deleted, nothing to load. */
  ignored: number;
  /** Notified keys no longer in the archive when listed. */
  gone: number;
  /** Messages that could not be read: moved to the dead-letter queue. */
  deadLettered: number;
  /** Messages deleted once their files' ledger rows had landed (or were unchanged or rejected). */
  deleted: number;
  /** Reconciliation: files the listing found new or changed, which the feed had not delivered. */
  notDelivered: number;
  /** Reconciliation: the window the listing covered, or null when the run read only the feed. */
  reconciled: { from: ArchiveDay; to: ArchiveDay } | null;
}

export function emptyFeedSummary(): FeedSummary {
  return {
    messages: 0,
    records: 0,
    keys: 0,
    repeats: 0,
    unmatched: 0,
    ignored: 0,
    gone: 0,
    deadLettered: 0,
    deleted: 0,
    notDelivered: 0,
    reconciled: null,
  };
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
    pieces: 0,
    filesHeldMax: 0,
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
    rowsLeftover: 0,
    rowsRejected: 0,
    stationsRecomputed: 0,
    bytesFetched: 0,
    bytesPlanned: 0,
    commitsPlanned: 0,
    commits: 0,
    snapshotIds: [],
    commitRetries: 0,
    retries: noRetries(),
    sourceRequests: noSourceRequests(),
    rejectRate: 0,
    seconds: { list: 0, plan: 0, fetch: 0, parse: 0, stage: 0, commit: 0, total: 0 },
    exitCode: 0,
  };
}
