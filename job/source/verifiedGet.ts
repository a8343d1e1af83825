import { LakehouseError } from '../lakehouseError.ts';
import type { GetResult } from './archiveStore.ts';
import type { FetchedObject, ObjectReader } from './objectReader.ts';
import { CorruptBodyError, retrySourceRequest } from './sourceRetries.ts';
import { stripQuotes, type StoreRequests } from './storeRequests.ts';
import { verifyBody, type ExpectedObject } from './verifyBody.ts';

/**
 * GETs whose bodies are checked against their Content-Length, the listing and an MD5 ETag, each
 * retried on its own; a 404 is `missing`. One getter per store: it remembers how often a body's
 * MD5 differed from its ETag the same way twice.
 */
export function verifiedGetter(
  { bucket, policy, onRequest, fail }: StoreRequests,
  reader: ObjectReader,
): (key: string, expected?: ExpectedObject) => Promise<GetResult> {
  // Bodies whose MD5 differed from their ETag the same way twice: the ETag is not an MD5 here
  // (e.g. SSE-KMS), so after a few the check is dropped rather than fetching everything twice.
  let stableMd5Mismatches = 0;
  return async (key, expected) => {
    let previousMismatch: string | undefined;
    return retrySourceRequest(policy, `reading s3://${bucket}/${key}`, async () => {
      let response: FetchedObject;
      onRequest('get');
      try {
        response = await reader.read(key);
      } catch (err) {
        const error = fail(err, 'read', key);
        if (error.kind === 'not-found') return { kind: 'missing' } as const;
        throw error;
      }
      if (response.etag === undefined) {
        throw new LakehouseError(
          'transient',
          `source: s3://${bucket}/${key} came back without an ETag`,
        );
      }
      const body = response.body;
      const etag = stripQuotes(response.etag);
      const url = `s3://${bucket}/${key}`;
      const head = { etag, contentLength: response.contentLength };
      const modified = response.lastModified ? { lastModified: response.lastModified } : {};
      try {
        const md5 = verifyBody(url, body, head, expected, stableMd5Mismatches < 3);
        return { kind: 'found', body, etag, verified: md5 !== undefined, ...modified } as const;
      } catch (err) {
        const md5 = err instanceof CorruptBodyError ? err.md5 : undefined;
        if (md5 === undefined || md5 !== previousMismatch) {
          previousMismatch = md5;
          throw err;
        }
        stableMd5Mismatches += 1; // the same bytes twice: what is stored, not a transport fault
        return { kind: 'found', body, etag, verified: false, ...modified } as const;
      }
    });
  };
}
