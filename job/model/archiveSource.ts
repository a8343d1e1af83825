/** Where the archive bucket is and how it is read: config resolves it, the source side reads it. */

/** How requests are authenticated. */
export type ArchiveCredentials =
  /** Unsigned requests: the public archive allows them, and they cost less CPU than SigV4. */
  | 'anonymous'
  /** The AWS SDK's default chain (env, profile, ECS task role, …), SigV4-signed. */
  | 'default-chain'
  /** Fixed keys, SigV4-signed (the local MinIO). */
  | { readonly accessKeyId: string; readonly secretAccessKey: string };

export interface ArchiveSource {
  /** The bucket to read, e.g. `openaq-data-archive`. */
  readonly bucket: string;
  /** The bucket's region. Default `us-east-1`. */
  readonly region?: string;
  /** An S3-compatible endpoint such as the local MinIO, addressed path-style. Default: AWS S3. */
  readonly endpoint?: string;
  /** How requests are authenticated; see ArchiveCredentials. */
  readonly credentials: ArchiveCredentials;
  /**
   * Credentials for objects kept beside the archive, such as shard manifests, where the archive
   * itself is read unsigned: the local MinIO's job keys. Unset: the credential chain.
   */
  readonly sideCredentials?: Exclude<ArchiveCredentials, 'anonymous'>;
  /** Attempts per request for 5xx, resets, timeouts and bad bodies, first included. Default 5. */
  readonly maxAttempts?: number;
  /** Attempts per request while the source throttles (503 SlowDown, 429), first included. Default 10. */
  readonly maxThrottledAttempts?: number;
  /** First pause after throttling, doubling per throttled round up to 10 s. Default 100 ms. */
  readonly throttleBaseMs?: number;
  /** Time to open a TCP connection before the attempt fails and is retried. Default 5,000 ms. */
  readonly connectionTimeoutMs?: number;
  /**
   * Time from sending a request to its response headers (including any wait for a pooled socket)
   * before the attempt fails and is retried. Default 15,000 ms.
   */
  readonly requestTimeoutMs?: number;
  /** Time a socket may sit idle mid-response (a stalled body) before it fails. Default 15,000 ms. */
  readonly socketTimeoutMs?: number;
}
