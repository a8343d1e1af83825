import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArchiveDay } from '../../job/model/archiveDay.ts';
import { formatArchiveKey, monthPrefix } from '../../job/source/archiveKey.ts';
import { listWindow } from '../../job/source/listWindow.ts';
import { fileStationCache } from '../../job/source/stationCache.ts';
import type { StationCache } from '../../job/source/stationCache.ts';
import { CountingStore } from '../helpers/countingStore.ts';
import { MemoryArchiveStore, md5Hex } from '../helpers/memoryArchiveStore.ts';

const day = (s: string): ArchiveDay => s as ArchiveDay;

/** A store holding one small file per (location, day). */
function storeWith(files: [number, string][], options = {}): MemoryArchiveStore {
  return new MemoryArchiveStore(
    files.map(([id, d]) => [formatArchiveKey(id, day(d)), `file ${id} ${d}`] as const),
    options,
  );
}

const filesOf = (listing: { files: { locationId: number; day: string }[] }): string[] =>
  listing.files.map((f) => `${f.locationId}@${f.day}`);

describe('listWindow', () => {
  it('keeps both window edges and drops the days just outside', async () => {
    const store = storeWith([
      [7, '2024-03-09'],
      [7, '2024-03-10'],
      [7, '2024-03-12'],
      [7, '2024-03-13'],
    ]);
    const listing = await listWindow(store, {
      stations: [7],
      from: day('2024-03-10'),
      to: day('2024-03-12'),
      concurrency: 2,
    });
    expect(filesOf(listing)).toEqual(['7@2024-03-10', '7@2024-03-12']);
    expect(listing.listRequests).toBe(1);
    expect(listing.stationsListed).toBe(1);
  });

  it('lists every month the window touches, across a year boundary, and only those', async () => {
    const store = new CountingStore(
      storeWith([
        [3, '2023-11-30'],
        [3, '2023-12-31'],
        [3, '2024-01-01'],
        [3, '2024-01-02'],
        [3, '2024-02-01'],
      ]),
    );
    const listing = await listWindow(store, {
      stations: [3],
      from: day('2023-12-31'),
      to: day('2024-01-01'),
      concurrency: 4,
    });
    expect(filesOf(listing)).toEqual(['3@2023-12-31', '3@2024-01-01']);
    expect(store.counts.listObjects).toBe(2);
    expect(listing.listRequests).toBe(2);
  });

  it('returns what S3 listed: key, etag, size, with the location and day', async () => {
    const store = storeWith([[42, '2024-02-29']]);
    const key = formatArchiveKey(42, day('2024-02-29'));
    const body = new TextEncoder().encode('file 42 2024-02-29');
    const listing = await listWindow(store, {
      stations: [42],
      from: day('2024-02-01'),
      to: day('2024-02-29'),
      concurrency: 1,
    });
    expect(listing.files).toEqual([
      { key, etag: md5Hex(body), size: body.byteLength, locationId: 42, day: '2024-02-29' },
    ]);
  });

  it('sorts by day, then location id (numerically), whatever the listing order', async () => {
    const store = storeWith([
      [10, '2024-05-02'],
      [2, '2024-05-02'],
      [10, '2024-05-01'],
      [2, '2024-05-01'],
      [1, '2024-05-03'],
    ]);
    const listing = await listWindow(store, {
      stations: [10, 2, 1, 2],
      from: day('2024-05-01'),
      to: day('2024-05-31'),
      concurrency: 3,
    });
    expect(filesOf(listing)).toEqual([
      '2@2024-05-01',
      '10@2024-05-01',
      '2@2024-05-02',
      '10@2024-05-02',
      '1@2024-05-03',
    ]);
    expect(listing.stationsListed).toBe(3);
  });

  it('reports keys that do not match the layout, and keeps going', async () => {
    const store = storeWith([[5, '2024-06-01']]);
    const prefix = monthPrefix(5, 2024, 6);
    const strays = [
      `${prefix}loc-5-20240602.csv.gz`, // the name the docs mention
      `${prefix}location-5-20240702.csv.gz`, // a July file in the June folder
      `${prefix}location-6-20240603.csv.gz`, // another location's file
      `${prefix}notes.txt`,
    ];
    for (const key of strays) store.put(key, 'x');
    const listing = await listWindow(store, {
      stations: [5],
      from: day('2024-06-01'),
      to: day('2024-06-30'),
      concurrency: 1,
    });
    expect(filesOf(listing)).toEqual(['5@2024-06-01']);
    expect(listing.unmatchedKeys).toEqual([...strays].sort());
  });

  it('never has more listings in flight than `concurrency`', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => i + 1);
    const store = new CountingStore(
      storeWith(
        ids.map((id) => [id, '2024-01-15']),
        { latency: () => sleep(2) },
      ),
    );
    const listing = await listWindow(store, {
      stations: ids,
      from: day('2024-01-01'),
      to: day('2024-02-10'),
      concurrency: 5,
    });
    expect(listing.files).toHaveLength(40);
    expect(store.counts.listObjects).toBe(80);
    expect(store.counts.maxListsInFlight).toBe(5);
  });

  it('stops at the first failed listing and rethrows it', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => i + 1);
    const inner = storeWith(
      ids.map((id) => [id, '2024-01-15']),
      { latency: () => sleep(1) },
    );
    inner.fail(monthPrefix(3, 2024, 1), 'access-denied');
    const store = new CountingStore(inner);
    const error = await listWindow(store, {
      stations: ids,
      from: day('2024-01-01'),
      to: day('2024-01-31'),
      concurrency: 2,
    }).catch((err: unknown) => err);
    expect((error as Error).message).toContain('access denied');
    expect((error as Error).message).toContain('locationid=3/');
    expect(store.counts.listObjects).toBeLessThan(10);
  });

  it('refuses a window that ends before it starts, and a bad concurrency', async () => {
    const store = storeWith([]);
    await expect(
      listWindow(store, {
        stations: [1],
        from: day('2024-01-02'),
        to: day('2024-01-01'),
        concurrency: 1,
      }),
    ).rejects.toThrow(
      'source: Expected `from` to be on or before `to`, got 2024-01-02 > 2024-01-01',
    );
    await expect(
      listWindow(store, {
        stations: [1],
        from: day('2024-01-01'),
        to: day('2024-01-01'),
        concurrency: 0,
      }),
    ).rejects.toThrow('Expected `concurrency` to be an integer >= 1, got `0`');
    await expect(
      listWindow(store, {
        stations: [0],
        from: day('2024-01-01'),
        to: day('2024-01-01'),
        concurrency: 1,
      }),
    ).rejects.toThrow('Expected station ids to be integers >= 1, got `0`');
  });
});

describe("listWindow with stations: 'all'", () => {
  const files: [number, string][] = [
    [2, '2024-04-01'],
    [10, '2024-04-02'],
    [123, '2024-03-31'],
  ];

  function memoryCache(initial?: number[]): StationCache & { writes: number[][] } {
    let ids = initial;
    const writes: number[][] = [];
    return {
      writes,
      read: () => Promise.resolve(ids),
      write: (next) => {
        ids = next;
        writes.push(next);
        return Promise.resolve();
      },
    };
  }

  it('finds the locations from the locationid= prefixes and reports other prefixes', async () => {
    const inner = storeWith(files);
    inner.put(
      'records/csv.gz/country=us/locationid=9/year=2024/month=04/location-9-20240401.csv.gz',
      'x',
    );
    const store = new CountingStore(inner);
    const cache = memoryCache();
    const listing = await listWindow(store, {
      stations: 'all',
      from: day('2024-04-01'),
      to: day('2024-04-30'),
      concurrency: 2,
      stationCache: cache,
    });
    expect(filesOf(listing)).toEqual(['2@2024-04-01', '10@2024-04-02']);
    expect(listing.unmatchedKeys).toEqual(['records/csv.gz/country=us/']);
    expect(listing.stationsListed).toBe(3);
    expect(cache.writes).toEqual([[2, 10, 123]]);
    expect(store.counts.listPrefixes).toBe(1);
    expect(listing.listRequests).toBe(1 + 3);
  });

  it('lists the prefixes even with cached ids: a station new since the cache is listed', async () => {
    const store = new CountingStore(storeWith(files));
    const cache = memoryCache([2, 123]);
    const listing = await listWindow(store, {
      stations: 'all',
      from: day('2024-03-31'),
      to: day('2024-04-02'),
      concurrency: 2,
      stationCache: cache,
    });
    expect(store.counts.listPrefixes).toBe(1);
    expect(filesOf(listing)).toEqual(['123@2024-03-31', '2@2024-04-01', '10@2024-04-02']);
    expect(listing.stationsListed).toBe(3);
    expect(listing.listRequests).toBe(1 + 3 * 2);
    expect(cache.writes).toEqual([[2, 10, 123]]);
  });

  it('fails, writing no cache, when the prefix listing fails', async () => {
    const inner = storeWith(files);
    const cache = memoryCache([2]);
    const failing = {
      listObjects: (prefix: string) => inner.listObjects(prefix),
      listPrefixes: () => ({
        [Symbol.asyncIterator]: () => ({
          next: () => Promise.reject(new Error('AccessDenied')),
        }),
      }),
      get: (key: string) => inner.get(key),
      close: () => undefined,
    };
    await expect(
      listWindow(failing, {
        stations: 'all',
        from: day('2024-04-01'),
        to: day('2024-04-01'),
        concurrency: 1,
        stationCache: cache,
      }),
    ).rejects.toThrow('AccessDenied');
    expect(cache.writes).toEqual([]);
  });
});

describe('fileStationCache', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'station-cache-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads back what it wrote until it expires', async () => {
    let now = 1_000_000;
    const path = join(dir, 'nested', 'stations.json');
    const cache = fileStationCache(path, 60_000, () => now);
    expect(await cache.read()).toBeUndefined();
    await cache.write([1, 5, 9]);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      writtenAt: 1_000_000,
      ids: [1, 5, 9],
    });
    now += 60_000;
    expect(await cache.read()).toEqual([1, 5, 9]);
    now += 1;
    expect(await cache.read()).toBeUndefined();
  });

  it('treats a damaged or future-dated file as absent', async () => {
    const path = join(dir, 'stations.json');
    const cache = fileStationCache(path, 60_000, () => 5_000);
    await writeFile(path, '{"writtenAt": 5000, "ids": [1, ');
    expect(await cache.read()).toBeUndefined();
    await writeFile(path, JSON.stringify({ writtenAt: 5_000, ids: [1, -2] }));
    expect(await cache.read()).toBeUndefined();
    await writeFile(path, JSON.stringify({ writtenAt: 9_000, ids: [1] }));
    expect(await cache.read()).toBeUndefined();
    await writeFile(path, JSON.stringify({ writtenAt: 5_000, ids: [1] }));
    expect(await cache.read()).toEqual([1]);
  });

  it('drives listWindow: a station added after the cache was written is seen by the next run', async () => {
    const now = 0;
    const cache = fileStationCache(join(dir, 'stations.json'), 1_000, () => now);
    const inner = storeWith([[4, '2024-01-01']]);
    const store = new CountingStore(inner);
    const request = {
      stations: 'all',
      from: day('2024-01-01'),
      to: day('2024-01-01'),
      concurrency: 1,
      stationCache: cache,
    } as const;
    expect(filesOf(await listWindow(store, request))).toEqual(['4@2024-01-01']);
    inner.put(formatArchiveKey(40, day('2024-01-01')), 'x');
    expect(filesOf(await listWindow(store, request))).toEqual(['4@2024-01-01', '40@2024-01-01']);
    expect(store.counts.listPrefixes).toBe(2);
    expect(await cache.read()).toEqual([4, 40]);
  });
});
