import type { S3Client } from '@aws-sdk/client-s3';
import type { LakehouseError } from '../lakehouseError.ts';
import type { OnSourceRequest } from '../model/sourceRequests.ts';
import type { RetryPolicy } from './sourceRetries.ts';

/** What a store's listing and GETs share: the client, the bucket, the retry policy, the counting. */
export interface StoreRequests {
  readonly client: S3Client;
  readonly bucket: string;
  readonly policy: RetryPolicy;
  readonly onRequest: OnSourceRequest;
  /** A failed request as a LakehouseError naming `s3://bucket/target` and the next step. */
  readonly fail: (err: unknown, verb: 'read' | 'list', target: string) => LakehouseError;
}

/** S3 quotes ETags (`"9b2c…"`); the archive's identity of a file version is the bare value. */
export function stripQuotes(etag: string): string {
  return etag.length >= 2 && etag.startsWith('"') && etag.endsWith('"') ? etag.slice(1, -1) : etag;
}
