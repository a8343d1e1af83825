import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { setTimeout as sleep } from 'node:timers/promises';
import { LakehouseError, classify, errorSummary } from '../lakehouseError.ts';
import type { ErrorKind } from '../lakehouseError.ts';
import type { OnRetry } from '../model/retryCounts.ts';
import type { OnSourceRequest } from '../model/sourceRequests.ts';
import type { ArchiveObject, ArchiveStore, GetResult } from './archiveStore.ts';
import { createHttpObjectReader } from './httpObjectReader.ts';
import { createSdkObjectReader } from './sdkObjectReader.ts';
import { listPages } from './listPages.ts';
import { ThrottleGate, type RetryPolicy } from './sourceRetries.ts';
import { stripQuotes, type StoreRequests } from './storeRequests.ts';
import { verifiedGetter } from './verifiedGet.ts';
import type { ExpectedObject } from './verifyBody.ts';
import type { ArchiveSource } from '../model/archiveSource.ts';

/** The archive source plus what one store needs: its socket pool and where it counts. */
export interface S3ArchiveStoreOptions extends ArchiveSource {
  /** Keep-alive sockets per client: size it to the number of requests the caller keeps in flight. */
  readonly maxSockets: number;
  /** Told of every retry, by kind, for the run's counts. */
  readonly onRetry?: OnRetry;
  /** Told of every request sent (each attempt: S3 bills it), LIST or GET, for the run's counts. */
  readonly onRequest?: OnSourceRequest;
}

const DEFAULTS = {
  region: 'us-east-1',
  maxAttempts: 5,
  maxThrottledAttempts: 10,
  throttleBaseMs: 100,
  connectionTimeoutMs: 5_000,
  requestTimeoutMs: 15_000,
  socketTimeoutMs: 15_000,
} as const;

/**
 * The archive bucket: ListObjectsV2 through the AWS SDK v3 for listings; GETs through undici when
 * unsigned (the public archive), through the SDK when signed. Every
 * request is retried here, on its own (the SDK's own retries draw on one budget per client, which
 * a burst of throttling empties for every request): throttling after a pause shared by all
 * requests (ThrottleGate), 5xx, resets, timeouts and bodies that break or do not match their
 * listing with jittered backoff. A 404 on a key is asked once more, then `missing`; every other
 * failure is a LakehouseError naming the bucket and key.
 */
export function createS3ArchiveStore(options: S3ArchiveStoreOptions): ArchiveStore {
  const settings = resolveOptions(options);
  const { bucket } = settings;
  const client = new S3Client(clientConfig(settings));
  // Unsigned GETs need no SDK: a lean HTTP client costs a fraction of the CPU per file.
  const reader =
    settings.credentials === 'anonymous'
      ? createHttpObjectReader({ ...settings, connections: settings.maxSockets })
      : createSdkObjectReader(client, bucket);
  const policy: RetryPolicy = {
    maxAttempts: settings.maxAttempts,
    maxThrottledAttempts: settings.maxThrottledAttempts,
    gate: new ThrottleGate(settings.throttleBaseMs),
    onRetry: settings.onRetry,
  };
  const requests: StoreRequests = {
    client,
    bucket,
    policy,
    onRequest: settings.onRequest,
    fail: (err, verb, target) => sourceError(err, verb, `s3://${bucket}/${target}`),
  };
  const getVerified = verifiedGetter(requests, reader);

  return {
    async *listObjects(prefix: string): AsyncIterable<ArchiveObject> {
      for await (const page of listPages(requests, prefix)) {
        for (const object of page.Contents ?? []) {
          const { Key: key, ETag: etag, Size: size } = object;
          if (key === undefined || etag === undefined || size === undefined) {
            throw new LakehouseError(
              'unknown',
              `source: listing s3://${bucket}/${prefix} returned an object without a key, ETag or size: ${JSON.stringify(object)}`,
            );
          }
          yield { key, etag: stripQuotes(etag), size };
        }
      }
    },

    async *listPrefixes(prefix: string): AsyncIterable<string> {
      for await (const page of listPages(requests, prefix, '/')) {
        for (const common of page.CommonPrefixes ?? []) {
          if (common.Prefix !== undefined) yield common.Prefix;
        }
      }
    },

    async get(key: string, expected?: ExpectedObject): Promise<GetResult> {
      const first = await getVerified(key, expected);
      if (first.kind === 'found') return first;
      // A listed key that answers 404 is asked once more before it counts as missing.
      policy.onRetry('sourceNotFound');
      await sleep(200);
      return getVerified(key, expected);
    },

    close(): void {
      reader.close();
      client.destroy();
    },
  };
}

type ResolvedOptions = Required<Omit<S3ArchiveStoreOptions, 'endpoint' | 'sideCredentials'>> &
  Pick<S3ArchiveStoreOptions, 'endpoint' | 'sideCredentials'>;

function resolveOptions(options: S3ArchiveStoreOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    ...options,
    region: options.region ?? DEFAULTS.region,
    maxAttempts: options.maxAttempts ?? DEFAULTS.maxAttempts,
    maxThrottledAttempts: options.maxThrottledAttempts ?? DEFAULTS.maxThrottledAttempts,
    onRetry: options.onRetry ?? (() => undefined),
    onRequest: options.onRequest ?? (() => undefined),
    throttleBaseMs: options.throttleBaseMs ?? DEFAULTS.throttleBaseMs,
    connectionTimeoutMs: options.connectionTimeoutMs ?? DEFAULTS.connectionTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    socketTimeoutMs: options.socketTimeoutMs ?? DEFAULTS.socketTimeoutMs,
  };
  if (resolved.bucket === '') {
    throw new LakehouseError('setup', 'source: Expected `bucket` to be a bucket name, got ``');
  }
  for (const name of ['maxSockets', 'maxAttempts', 'maxThrottledAttempts'] as const) {
    const value = resolved[name];
    if (!Number.isInteger(value) || value < 1) {
      throw new LakehouseError(
        'setup',
        `source: Expected \`${name}\` to be an integer >= 1, got \`${value}\``,
      );
    }
  }
  for (const name of ['connectionTimeoutMs', 'requestTimeoutMs', 'socketTimeoutMs'] as const) {
    const value = resolved[name];
    if (!Number.isInteger(value) || value < 1) {
      throw new LakehouseError(
        'setup',
        `source: Expected \`${name}\` to be a number of milliseconds >= 1, got \`${value}\``,
      );
    }
  }
  return resolved;
}

function clientConfig(settings: ResolvedOptions): S3ClientConfig {
  const agent = { keepAlive: true, maxSockets: settings.maxSockets };
  const config: S3ClientConfig = {
    region: settings.region,
    // One attempt per send: retries are ours, per request (see retrySourceRequest).
    maxAttempts: 1,
    // Options rather than a NodeHttpHandler instance: the SDK builds its handler from them.
    requestHandler: {
      httpAgent: agent,
      httpsAgent: agent,
      connectionTimeout: settings.connectionTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: settings.socketTimeoutMs,
    },
  };
  if (settings.endpoint !== undefined) {
    config.endpoint = settings.endpoint;
    config.forcePathStyle = true;
  }
  const { credentials } = settings;
  if (credentials === 'anonymous') Object.assign(config, ANONYMOUS);
  else if (credentials !== 'default-chain') {
    config.credentials = {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
    };
  }
  return config;
}

// Smithy's "no auth" scheme, the one the SDK itself uses for operations that take no credentials
// (e.g. SSO's GetRoleCredentials): no credentials are resolved and nothing is signed, so requests
// carry no Authorization header. A no-op `signer` alone would still resolve the credential chain.
const NO_AUTH = 'smithy.api#noAuth';
const ANONYMOUS: Pick<S3ClientConfig, 'httpAuthSchemes' | 'httpAuthSchemeProvider'> = {
  httpAuthSchemes: [
    {
      schemeId: NO_AUTH,
      identityProvider: () => () => Promise.resolve({}),
      signer: { sign: (request) => Promise.resolve(request) },
    },
  ],
  httpAuthSchemeProvider: () => [{ schemeId: NO_AUTH }],
};

type Verb = 'read' | 'list';

const WHAT: Partial<Record<ErrorKind, string>> = {
  'access-denied': 'access denied',
  credentials: 'credentials refused',
  transient: 'temporary failures',
  unreachable: 'no answer from the S3 endpoint',
  setup: 'bad setup',
};

function nextStep(kind: ErrorKind, verb: Verb): string {
  const action = verb === 'read' ? 's3:GetObject' : 's3:ListBucket';
  switch (kind) {
    case 'access-denied':
      return `the archive is public: check that requests are unsigned (credentials 'anonymous') or that your credentials and VPC endpoint policy allow ${action}`;
    case 'credentials':
      return `check the access key and secret (or the AWS credential chain); the public archive needs none: use credentials 'anonymous'`;
    case 'transient':
    case 'unknown':
      return 'run again to retry';
    case 'unreachable':
      return 'check the endpoint and the network (locally: `npm run lakehouse -- up`)';
    case 'setup':
      return 'check the bucket name, region and endpoint';
    default:
      return 'see the cause';
  }
}

/** A LakehouseError whose kind comes from `classify` and whose message names the object. */
function sourceError(err: unknown, verb: Verb, url: string): LakehouseError {
  if (err instanceof LakehouseError) return err;
  const { kind } = classify(err, `${verb} ${url}`);
  const what = WHAT[kind] ?? 'failed';
  const doing = verb === 'read' ? 'reading' : 'listing';
  return new LakehouseError(
    kind,
    `source: ${what} ${doing} ${url} (${errorSummary(err)}); ${nextStep(kind, verb)}`,
    { cause: err },
  );
}
