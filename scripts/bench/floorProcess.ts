/**
 * The floor of the benchmark, run as its own process like the job: list the window and GET every
 * listed object with the job's own store, HTTP settings and concurrency, discarding the bytes.
 * Nothing that loads these files can be faster. With `--list-only` it stops after the listing
 * (what a re-run of an unchanged window should cost).
 *
 *   node scripts/bench/floorProcess.ts '<BackfillOptions as JSON>' [--list-only]
 *
 * Prints one JSON object (FloorResult) on stdout.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import PQueue from 'p-queue';
import { resolveBackfillConfig, type BackfillOptions } from '../../job/config.ts';
import { createS3ArchiveStore } from '../../job/source/s3ArchiveStore.ts';
import { listWindow } from '../../job/source/listWindow.ts';
import { stationCacheOption } from '../../job/source/stationCache.ts';

export interface FloorResult {
  readonly filesListed: number;
  readonly filesFetched: number;
  readonly bytesFetched: number;
  readonly seconds: { readonly list: number; readonly fetch: number; readonly total: number };
}

const started = performance.now();
const [optionsJson, mode] = process.argv.slice(2);
if (optionsJson === undefined || (mode !== undefined && mode !== '--list-only')) {
  throw new Error(
    "bench: usage: floorProcess.ts '<BackfillOptions as JSON>' [--list-only], got " +
      JSON.stringify(process.argv.slice(2)),
  );
}
const options = JSON.parse(optionsJson) as BackfillOptions;
const config = resolveBackfillConfig(
  options,
  process.env,
  resolve(import.meta.dirname, '..', '..'),
);
await mkdir(config.workDir, { recursive: true });
const store = createS3ArchiveStore({ ...config.source, maxSockets: config.concurrency });
try {
  const listing = await listWindow(store, {
    stations: config.stations,
    from: config.window.from,
    to: config.window.to,
    concurrency: config.concurrency,
    ...stationCacheOption(config.stationCachePath),
  });
  const listSeconds = (performance.now() - started) / 1000;
  const fetchStart = performance.now();
  let filesFetched = 0;
  let bytesFetched = 0;
  if (mode !== '--list-only') {
    // The job's fetch loop, minus parsing and staging: same queue, same back-pressure.
    const queue = new PQueue({ concurrency: config.concurrency });
    let failure: Error | undefined;
    for (const file of listing.files) {
      if (failure !== undefined) break;
      if (queue.size > config.concurrency * 2) await queue.onSizeLessThan(config.concurrency);
      queue
        .add(async () => {
          const got = await store.get(file.key);
          if (got.kind === 'found') {
            filesFetched += 1;
            bytesFetched += got.body.byteLength;
          }
        })
        .catch((err: unknown) => {
          failure ??= err instanceof Error ? err : new Error(String(err));
          queue.clear();
        });
    }
    await queue.onIdle();
    if (failure !== undefined) throw failure;
  }
  const result: FloorResult = {
    filesListed: listing.files.length,
    filesFetched,
    bytesFetched,
    seconds: {
      list: listSeconds,
      fetch: (performance.now() - fetchStart) / 1000,
      total: (performance.now() - started) / 1000,
    },
  };
  console.log(JSON.stringify(result));
} finally {
  store.close();
}
