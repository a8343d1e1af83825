import { createHash } from 'node:crypto';
import { CorruptBodyError } from './sourceRetries.ts';

/** What the archive says an object should be: from its listing, or nothing for a bare key. */
export interface ExpectedObject {
  readonly etag: string;
  readonly size: number;
}

/** An ETag that is the MD5 of the bytes: a single-part upload (a multipart ETag ends in `-N`). */
export const isMd5Etag = (etag: string): boolean => /^[0-9a-f]{32}$/i.test(etag);

export const md5Hex = (body: Uint8Array): string => createHash('md5').update(body).digest('hex');

/**
 * Checks a body against what the response and the listing promise. A proxy or a broken
 * connection can cut a body short under a matching Content-Length, or flip a byte, and S3 sends no
 * checksum for objects uploaded without one: the size as listed and the MD5 in a single-part ETag
 * are what is left to tell. Returns the MD5 when it was checked; throws CorruptBodyError otherwise.
 */
export function verifyBody(
  url: string,
  body: Uint8Array,
  response: { readonly etag: string; readonly contentLength?: number },
  expected: ExpectedObject | undefined,
  checkMd5: boolean,
): string | undefined {
  if (response.contentLength !== undefined && body.byteLength !== response.contentLength) {
    throw new CorruptBodyError(
      `source: ${url} sent ${body.byteLength} bytes under a Content-Length of ${response.contentLength}`,
    );
  }
  if (expected && expected.etag === response.etag && body.byteLength !== expected.size) {
    throw new CorruptBodyError(
      `source: ${url} sent ${body.byteLength} bytes of ETag ${response.etag}, listed with ${expected.size}`,
    );
  }
  if (!checkMd5 || !isMd5Etag(response.etag)) return undefined;
  const md5 = md5Hex(body);
  if (md5 !== response.etag.toLowerCase()) {
    throw new CorruptBodyError(
      `source: the bytes of ${url} have MD5 ${md5}, not its ETag ${response.etag}`,
      md5,
    );
  }
  return md5;
}
