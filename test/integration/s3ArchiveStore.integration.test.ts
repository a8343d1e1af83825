import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createHash, randomInt } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3EndpointUrl } from '../../job/localLakehouse.ts';
import { LakehouseError } from '../../job/lakehouseError.ts';
import type { ArchiveDay } from '../../job/model/archiveDay.ts';
import { formatArchiveKey, monthPrefix } from '../../job/source/archiveKey.ts';
import type { ArchiveObject, ArchiveStore } from '../../job/source/archiveStore.ts';
import { SourceRequestCounter } from '../../job/model/sourceRequests.ts';
import { listWindow } from '../../job/source/listWindow.ts';
import { createS3ArchiveStore } from '../../job/source/s3ArchiveStore.ts';
import type { S3ArchiveStoreOptions } from '../../job/source/s3ArchiveStore.ts';
import {
  deletePrefix,
  ensureBucket,
  localS3Client,
  putObject,
} from '../../scripts/lakehouse/s3Admin.ts';
import { CountingStore } from '../helpers/countingStore.ts';
import { localLake } from '../helpers/localLake.ts';

// A private bucket (the mirror is public, like the archive): unsigned reads must be refused here.
const bucket = 'openaq-store-test-private';
const admin = localS3Client(localLake);
const endpoint = s3EndpointUrl(localLake);
const signed = { accessKeyId: localLake.accessKeyId, secretAccessKey: localLake.secretAccessKey };

// Station ids of their own, far above the real ones, so that runs never see each other's files.
const station = 900_000_000 + randomInt(90_000_000);
const day = (s: string): ArchiveDay => s as ArchiveDay;
const files = [
  { id: station, day: day('2024-01-31') },
  { id: station, day: day('2024-02-01') },
  { id: station + 1, day: day('2024-02-01') },
  { id: station + 1, day: day('2024-02-03') },
].map((f) => ({
  ...f,
  key: formatArchiveKey(f.id, f.day),
  body: new TextEncoder().encode(`location_id,day\n${f.id},${f.day}\n`.repeat(1 + (f.id % 7))),
}));

const stores: ArchiveStore[] = [];
function store(options: Partial<S3ArchiveStoreOptions> = {}): ArchiveStore {
  const created = createS3ArchiveStore({
    bucket,
    endpoint,
    credentials: signed,
    maxSockets: 4,
    ...options,
  });
  stores.push(created);
  return created;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

const md5 = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex');

beforeAll(async () => {
  await ensureBucket(admin, bucket);
  for (const f of files) await putObject(admin, bucket, f.key, f.body);
});

afterAll(async () => {
  for (const s of stores) s.close();
  for (const id of [station, station + 1]) {
    await deletePrefix(admin, bucket, `records/csv.gz/locationid=${id}/`);
  }
  admin.destroy();
});

describe('s3ArchiveStore against MinIO', () => {
  it('lists objects with the ETag and size S3 reports, quotes stripped', async () => {
    const prefix = monthPrefix(station + 1, 2024, 2);
    const listed = await collect(store().listObjects(prefix));
    const raw = await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    const expected: ArchiveObject[] = (raw.Contents ?? []).map((o) => ({
      key: o.Key ?? '',
      etag: (o.ETag ?? '').replaceAll('"', ''),
      size: o.Size ?? -1,
    }));
    expect(listed).toEqual(expected);
    const mine = files.filter((f) => f.id === station + 1);
    expect(listed).toEqual(
      mine.map((f) => ({ key: f.key, etag: md5(f.body), size: f.body.byteLength })),
    );
  });

  it('lists the locationid= prefixes', async () => {
    const prefixes = await collect(store().listPrefixes('records/csv.gz/'));
    expect(prefixes).toContain(`records/csv.gz/locationid=${station}/`);
    expect(prefixes).toContain(`records/csv.gz/locationid=${station + 1}/`);
  });

  it('gets the bytes back identical, with the listed ETag', async () => {
    const s = store();
    for (const f of files) {
      const result = await s.get(f.key);
      if (result.kind !== 'found') throw new Error(`expected ${f.key} to be found`);
      const { lastModified, ...rest } = result;
      expect(rest).toEqual({ kind: 'found', body: f.body, etag: md5(f.body), verified: true });
      expect(lastModified).toBeInstanceOf(Date);
    }
  });

  it('answers missing for a key that does not exist', async () => {
    const key = formatArchiveKey(station, day('2024-02-02'));
    expect(await store().get(key)).toEqual({ kind: 'missing' });
  });

  it('feeds listWindow: the window across a month boundary, one listing per station-month', async () => {
    const sent = new SourceRequestCounter();
    const counting = new CountingStore(store({ onRequest: sent.onRequest }));
    const listing = await listWindow(counting, {
      stations: [station + 1, station],
      from: day('2024-01-31'),
      to: day('2024-02-01'),
      concurrency: 4,
    });
    expect(listing.files.map((f) => f.key)).toEqual([files[0]?.key, files[1]?.key, files[2]?.key]);
    expect(counting.counts.listObjects).toBe(4);
    expect(counting.counts.get).toBe(0);
    // One page per station-month: the store counts the LIST requests it sent.
    expect(sent.counts).toEqual({ list: 4, get: 0 });
  });

  it('names the key and says "credentials" when the secret is wrong', async () => {
    const key = files[0]?.key ?? '';
    const error = await store({ credentials: { ...signed, secretAccessKey: 'not-the-password' } })
      .get(key)
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(LakehouseError);
    expect((error as LakehouseError).kind).toBe('credentials');
    expect((error as Error).message).toContain(`s3://${bucket}/${key}`);
  });
});

/** A local HTTP server that records each request's headers; `respond` gets the request number. */
async function localServer(
  respond: (n: number, req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; requests: IncomingHttpHeaders[]; close: () => Promise<void> }> {
  const requests: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    requests.push(req.headers);
    respond(requests.length, req, res);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((closed) => server.close(closed));
    },
  };
}

describe('anonymous requests', () => {
  // A proxy in front of MinIO that records what the client sends.
  const proxy = localServer((_n, req, res) => {
    const upstream = httpRequest(
      `${endpoint}${req.url ?? '/'}`,
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  afterAll(async () => (await proxy).close());

  it('carry no Authorization header, and a private bucket answers access denied naming the key', async () => {
    const { url, requests } = await proxy;
    const key = files[1]?.key ?? '';

    // Through the same proxy, a signed store reads the file: the proxy records the header.
    expect((await store({ endpoint: url }).get(key)).kind).toBe('found');
    expect(requests.at(-1)?.authorization).toMatch(/^AWS4-HMAC-SHA256 /);

    const before = requests.length;
    const error = await store({ endpoint: url, credentials: 'anonymous' })
      .get(key)
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(LakehouseError);
    expect((error as LakehouseError).kind).toBe('access-denied');
    expect((error as Error).message).toContain(`s3://${bucket}/${key}`);
    expect((error as Error).message).toContain('unsigned');
    const anonymous = requests.slice(before);
    expect(anonymous).toHaveLength(1); // access denied is not retried
    expect(anonymous[0]).not.toHaveProperty('authorization');
    expect(anonymous[0]).not.toHaveProperty('x-amz-date');
  });
});

describe('transient failures are retried', () => {
  const ok = (res: ServerResponse, body = 'hello archive'): void => {
    res.writeHead(200, { ETag: '"0123abcd"', 'Content-Length': String(body.length) });
    res.end(body);
  };
  const expectHello = (result: unknown): void => {
    expect(result).toEqual({
      kind: 'found',
      body: new TextEncoder().encode('hello archive'),
      etag: '0123abcd',
      verified: false, // not an MD5 ETag
    });
  };

  it('503 twice, then 200: the body arrives after 3 requests', async () => {
    const server = await localServer((n, _req, res) => {
      if (n <= 2) res.writeHead(503).end();
      else ok(res);
    });
    try {
      const sent = new SourceRequestCounter();
      expectHello(
        await store({
          endpoint: server.url,
          credentials: 'anonymous',
          onRequest: sent.onRequest,
        }).get('a/b'),
      );
      expect(server.requests).toHaveLength(3);
      // Each attempt is a request S3 bills: counted as sent.
      expect(sent.counts).toEqual({ list: 0, get: 3 });
    } finally {
      await server.close();
    }
  });

  it('503 every time: gives up after maxThrottledAttempts, naming the key and the attempts made', async () => {
    const server = await localServer((_n, _req, res) => res.writeHead(503).end());
    try {
      const error = await store({
        endpoint: server.url,
        credentials: 'anonymous',
        maxAttempts: 2,
        maxThrottledAttempts: 3,
        throttleBaseMs: 10,
      })
        .get('a/b')
        .catch((err: unknown) => err);
      expect((error as LakehouseError).kind).toBe('transient');
      expect((error as Error).message).toContain(`s3://${bucket}/a/b`);
      expect((error as Error).message).toContain('after 3 attempts');
      expect(server.requests).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('a connection reset before the response is retried', async () => {
    const server = await localServer((n, req, res) => {
      if (n === 1) req.socket.destroy();
      else ok(res);
    });
    try {
      expectHello(await store({ endpoint: server.url, credentials: 'anonymous' }).get('a/b'));
      expect(server.requests).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('a response that does not come within requestTimeoutMs is retried', async () => {
    const server = await localServer((n, _req, res) => {
      if (n > 1) ok(res); // the first request is left hanging until the server closes
    });
    try {
      const started = Date.now();
      const s = store({ endpoint: server.url, credentials: 'anonymous', requestTimeoutMs: 200 });
      expectHello(await s.get('a/b'));
      expect(server.requests).toHaveLength(2);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await server.close();
    }
  });

  it('a body cut off mid-read is retried', async () => {
    const server = await localServer((n, _req, res) => {
      if (n > 1) return ok(res);
      res.writeHead(200, { ETag: '"0123abcd"', 'Content-Length': '1000' });
      res.write('hello', () => res.destroy());
    });
    try {
      expectHello(await store({ endpoint: server.url, credentials: 'anonymous' }).get('a/b'));
      expect(server.requests).toHaveLength(2);
    } finally {
      await server.close();
    }
  });
});
