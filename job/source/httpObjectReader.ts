import type { Pool } from 'undici';
import type { FetchedObject, ObjectReader } from './objectReader.ts';

export interface HttpObjectReaderOptions {
  readonly bucket: string;
  readonly region: string;
  /** An S3-compatible endpoint, addressed path-style. Default: AWS S3, virtual-hosted style. */
  readonly endpoint?: string;
  /** Keep-alive connections. */
  readonly connections: number;
  readonly connectionTimeoutMs: number;
  /** From sending the request to the response headers. */
  readonly requestTimeoutMs: number;
  /** Idle time allowed between two parts of a body. */
  readonly socketTimeoutMs: number;
}

/**
 * Unsigned GETs on undici's connection pool: the public archive needs no signature, and a raw
 * HTTP client spends a fraction of the AWS SDK's CPU per request (~0.15 ms against ~0.6 ms), which
 * at a few KB per file is most of the cost of fetching it. An error answer is thrown as an
 * S3ResponseError carrying the status and S3's error code.
 */
export function createHttpObjectReader(options: HttpObjectReaderOptions): ObjectReader {
  const { origin, pathPrefix } = objectUrlParts(options);
  // Loaded on the first GET: importing undici compiles its HTTP parser (~0.13 s of CPU), which
  // commands that never fetch (status, --help, a re-run with nothing new) should not pay.
  let pool: Promise<Pool> | undefined;
  const connect = (): Promise<Pool> =>
    (pool ??= import('undici').then(
      ({ Pool }) =>
        new Pool(origin, {
          connections: options.connections,
          connectTimeout: options.connectionTimeoutMs,
          headersTimeout: options.requestTimeoutMs,
          bodyTimeout: options.socketTimeoutMs,
        }),
    ));
  return {
    async read(key: string): Promise<FetchedObject> {
      const path = pathPrefix + encodeKey(key);
      const response = await (await connect()).request({ method: 'GET', path });
      const { statusCode, headers, body } = response;
      if (statusCode !== 200) {
        const text = await body.text().catch(() => '');
        throw new S3ResponseError(statusCode, /<Code>([^<]+)<\/Code>/.exec(text)?.[1], key);
      }
      const bytes = await body.bytes();
      const length = header(headers['content-length']);
      const modified = header(headers['last-modified']);
      return {
        body: bytes,
        etag: header(headers.etag),
        contentLength: length === undefined ? undefined : Number(length),
        lastModified: modified === undefined ? undefined : new Date(modified),
      };
    },
    close(): void {
      void pool?.then((opened) => opened.destroy()).catch(() => undefined);
    },
  };
}

/** S3's answer to a GET that was not 200, in the AWS SDK's error shape. */
export class S3ResponseError extends Error {
  readonly $metadata: { readonly httpStatusCode: number };
  /** S3's error code from the XML body (`NoSuchKey`, `SlowDown`, …), when it sent one. */
  readonly Code: string | undefined;
  constructor(status: number, code: string | undefined, key: string) {
    super(`GET ${key} answered HTTP ${status}${code ? ` ${code}` : ''}`);
    this.name = code ?? `Http${status}`;
    this.$metadata = { httpStatusCode: status };
    this.Code = code;
  }
}

function objectUrlParts(options: HttpObjectReaderOptions): { origin: string; pathPrefix: string } {
  const bucket = encodeURIComponent(options.bucket);
  if (options.endpoint === undefined) {
    return { origin: `https://${bucket}.s3.${options.region}.amazonaws.com`, pathPrefix: '/' };
  }
  const endpoint = new URL(options.endpoint);
  const base = endpoint.pathname.replace(/\/+$/, '');
  return { origin: endpoint.origin, pathPrefix: `${base}/${bucket}/` };
}

/** A key as a URL path: each segment percent-encoded, the slashes kept. */
const encodeKey = (key: string): string => key.split('/').map(encodeURIComponent).join('/');

const header = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;
