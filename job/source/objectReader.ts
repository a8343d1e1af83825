/** One object's bytes and what the response said of them, before any check. */
export interface FetchedObject {
  readonly body: Uint8Array;
  /** As sent, quotes included. */
  readonly etag: string | undefined;
  readonly contentLength: number | undefined;
  readonly lastModified: Date | undefined;
}

/**
 * One GET of an archive object, nothing more: no retry and no verification (the store does both).
 * Failures are thrown shaped like the AWS SDK's (`$metadata.httpStatusCode`, `Code`) or as the
 * network's own errors, so that `classify` reads them the same whichever client ran.
 */
export interface ObjectReader {
  read(key: string): Promise<FetchedObject>;
  close(): void;
}
