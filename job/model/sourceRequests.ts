/**
 * Requests sent to the archive bucket, by kind: every attempt, retries included, since S3 bills
 * each (ListObjectsV2 as a LIST request, GetObject as a GET). A run's summary and metrics carry
 * them, so a feed-driven run and a listing can be compared by what they ask of S3.
 */
export interface SourceRequests {
  /** ListObjectsV2 pages (listings of station-months, and of stations). */
  list: number;
  /** GetObject calls (file bodies). */
  get: number;
}

export type SourceRequestKind = keyof SourceRequests;
/** Called once per request sent, before it is sent. */
export type OnSourceRequest = (kind: SourceRequestKind) => void;

export const noSourceRequests = (): SourceRequests => ({ list: 0, get: 0 });

/** Counts requests as they are sent; made at the edge and handed to the store and the run alike. */
export class SourceRequestCounter {
  readonly counts: SourceRequests = noSourceRequests();
  readonly onRequest: OnSourceRequest = (kind) => {
    this.counts[kind] += 1;
  };
}
