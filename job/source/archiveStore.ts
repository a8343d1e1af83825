/** One object of the archive as listed: its key, ETag (quotes stripped) and size in bytes. */
export interface ArchiveObject {
  readonly key: string;
  readonly etag: string;
  readonly size: number;
}

export type GetResult =
  | {
      readonly kind: 'found';
      readonly body: Uint8Array;
      readonly etag: string;
      /** Whether the bytes were checked against an MD5 ETag (single-part uploads). */
      readonly verified: boolean;
    }
  /** The key was listed but is gone (404): counted, not fatal. */
  | { readonly kind: 'missing' };

/**
 * The archive bucket as the job sees it. The only implementation that talks to S3 is
 * s3ArchiveStore.ts; tests wrap it (for example to count requests).
 */
export interface ArchiveStore {
  /** Objects under `prefix`, in key order (ListObjectsV2, all pages). */
  listObjects(prefix: string): AsyncIterable<ArchiveObject>;
  /** Common prefixes one level below `prefix` (ListObjectsV2 with delimiter '/'). */
  listPrefixes(prefix: string): AsyncIterable<string>;
  /**
   * The object's bytes as stored (still gzipped). Transient failures are retried inside, and so is
   * a body that does not match `expected` (the listing's ETag and size) or its own MD5 ETag.
   */
  get(key: string, expected?: { readonly etag: string; readonly size: number }): Promise<GetResult>;
  /** Releases sockets. */
  close(): void;
}
