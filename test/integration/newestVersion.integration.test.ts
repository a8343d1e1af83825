import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackfillOptions } from '../../job/config.ts';
import type { ArchiveObject, ArchiveStore, GetResult } from '../../job/source/archiveStore.ts';
import {
  generateArchive,
  generateArchiveFile,
  generateStations,
} from '../../scripts/mirror/generateArchive.ts';
import { parseArchiveKey } from '../../job/source/archiveKey.ts';
import {
  backfillConfig,
  createMirrorBucket,
  putFiles,
  runLocalBackfill,
} from '../helpers/backfillHarness.ts';
import { killAfterCommitStep } from '../helpers/killAfterCommitStep.ts';
import { lakeContentDigests } from '../helpers/lakeContentDigests.ts';
import { dropNamespace, uniqueNamespace } from '../helpers/localLake.ts';
import { locationsMismatches } from '../helpers/locationsMismatches.ts';

// Two runs can hold two versions of one file: one fetched before OpenAQ rewrote it, one after.
// Whatever order they commit in, the newer version's rows (by the object's LastModified) stay.
const WINDOW = { from: '2024-10-01', to: '2024-10-01' } as const;
const SEED = 51;
let bucket: string;
const namespaces: string[] = [];
let oldVersion: { key: string; body: Uint8Array };

/**
 * The archive as a run saw it before the rewrite: the old version of one key, listed and served
 * with its own ETag and an earlier LastModified; every other key as it is now.
 */
function asBeforeTheRewrite(store: ArchiveStore): ArchiveStore {
  const etag = createHash('md5').update(oldVersion.body).digest('hex');
  return {
    async *listObjects(prefix: string): AsyncIterable<ArchiveObject> {
      for await (const object of store.listObjects(prefix)) {
        yield object.key === oldVersion.key
          ? { key: object.key, etag, size: oldVersion.body.byteLength }
          : object;
      }
    },
    listPrefixes: (prefix) => store.listPrefixes(prefix),
    async get(key, expected): Promise<GetResult> {
      if (key !== oldVersion.key) return store.get(key, expected);
      const now = await store.get(key);
      const rewrittenAt = now.kind === 'found' ? now.lastModified : undefined;
      return {
        kind: 'found',
        body: oldVersion.body,
        etag,
        verified: true,
        lastModified: new Date((rewrittenAt?.getTime() ?? Date.now()) - 3_600_000),
      };
    },
    close: () => store.close(),
  };
}

function options(namespace: string): BackfillOptions {
  return { ...WINDOW, namespace, sourceBucket: bucket };
}

describe('the newest version of a file wins, whatever the commit order', () => {
  beforeAll(async () => {
    bucket = await createMirrorBucket('it-newest');
    const files = [...generateArchive({ ...WINDOW, stations: 8, seed: SEED })];
    const { locationId } = parseArchiveKey(files[0]!.key)!;
    const station = generateStations({ count: 8, seed: SEED }).find(
      (s) => s.locationId === locationId,
    )!;
    const rewritten = generateArchiveFile(station, WINDOW.from, { seed: SEED + 1000 })!;
    oldVersion = files[0]!;
    await putFiles(bucket, [...files.slice(1), rewritten]);
  });

  afterAll(async () => {
    for (const namespace of namespaces) await dropNamespace(namespace);
  });

  async function newestOnly(): Promise<Awaited<ReturnType<typeof lakeContentDigests>>> {
    const namespace = uniqueNamespace('it_newest_ref');
    namespaces.push(namespace);
    await runLocalBackfill(await backfillConfig(options(namespace)));
    return lakeContentDigests(namespace);
  }

  it('an older version committed after the newer one leaves the newer rows', async () => {
    const expected = await newestOnly();
    const namespace = uniqueNamespace('it_newest_late');
    namespaces.push(namespace);
    await runLocalBackfill(await backfillConfig(options(namespace)));
    const late = await runLocalBackfill(
      await backfillConfig(options(namespace)),
      asBeforeTheRewrite,
    );
    expect(late.summary.exitCode).toBe(0);
    expect(late.summary.filesFetched).toBe(1); // it saw the old version as a change to load
    expect(late.summary.retries.commitAlreadyLoaded).toBeGreaterThan(0);
    expect(await lakeContentDigests(namespace)).toEqual(expected);
    expect(await locationsMismatches(namespace)).toEqual([]);
  });

  it('an older version committed while the newer one is between its table commits leaves the newer rows', async () => {
    const expected = await newestOnly();
    const namespace = uniqueNamespace('it_newest_mid');
    namespaces.push(namespace);
    // The newer version's run dies right after its measurements commit: no ledger row yet.
    const { signal } = await killAfterCommitStep(options(namespace), 'measurements', 1);
    expect(signal).toBe('SIGKILL');
    const late = await runLocalBackfill(
      await backfillConfig(options(namespace)),
      asBeforeTheRewrite,
    );
    expect(late.summary.exitCode).toBe(0);
    // The newer run, resumed, finishes its chunk.
    await runLocalBackfill(await backfillConfig(options(namespace)));
    expect(await lakeContentDigests(namespace)).toEqual(expected);
    expect(await locationsMismatches(namespace)).toEqual([]);
  });

  it('the newer version committed after the older one replaces it', async () => {
    const expected = await newestOnly();
    const namespace = uniqueNamespace('it_newest_first');
    namespaces.push(namespace);
    await runLocalBackfill(await backfillConfig(options(namespace)), asBeforeTheRewrite);
    await runLocalBackfill(await backfillConfig(options(namespace)));
    expect(await lakeContentDigests(namespace)).toEqual(expected);
  });
});
