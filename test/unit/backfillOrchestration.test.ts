import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { runBackfill } from '../../job/backfill.ts';
import { resolveBackfillConfig, type BackfillOptions } from '../../job/config.ts';
import { generateArchive } from '../../scripts/mirror/generateArchive.ts';
import { FakeLake, type FakeLakeScript } from '../helpers/fakeLake.ts';
import { MemoryArchiveStore } from '../helpers/memoryArchiveStore.ts';

/**
 * The backfill's orchestration (pieces, chunks, the commit pipeline, retries) against a fake lake
 * and an in-memory archive: what the integration tests show with DuckDB and a catalog, in
 * milliseconds and with failures that are hard to provoke there.
 */
const WINDOW = { from: '2024-01-20', to: '2024-03-05' } as const;
const FILES = [...generateArchive({ ...WINDOW, stations: 3, seed: 12 })];
const ROOT = resolve(import.meta.dirname, '..', '..');

async function run(lake: FakeLake, options: Partial<BackfillOptions> = {}) {
  const config = resolveBackfillConfig(
    {
      ...WINDOW,
      namespace: 'fake',
      workDir: await mkdtemp(join(tmpdir(), 'orchestration-')),
      filesInMemory: 62, // pieces of 31 station-days: several pieces, two held at once
      commitFiles: 20,
      ...options,
    },
    {},
    ROOT,
  );
  const store = new MemoryArchiveStore(FILES.map((f) => [f.key, f.body] as const));
  return runBackfill(config, {
    store,
    logger: pino({ level: 'silent' }),
    openLake: (fn) => fn(lake),
  });
}

const fakeRun = (script?: FakeLakeScript) => {
  const lake = new FakeLake(script);
  return { lake, summary: run(lake) };
};

describe('the backfill against a fake lake', () => {
  it('commits every file once, one commit at a time, holding at most two pieces', async () => {
    const { lake, summary: running } = fakeRun();
    const summary = await running;
    expect(summary.exitCode).toBe(0);
    expect(summary.pieces).toBeGreaterThan(3);
    const committed = lake.commits.flat();
    expect(committed.length).toBe(FILES.length);
    expect(new Set(committed).size).toBe(FILES.length);
    expect(lake.maxInFlight).toBe(1);
    expect(summary.commits).toBe(lake.commits.length);
    expect(summary.filesHeldMax).toBeLessThanOrEqual(62);
    expect(lake.runs.map((r) => r.error)).toEqual([undefined]);

    const again = await run(lake);
    expect(again.filesSkipped).toBe(FILES.length);
    expect(again.filesFetched).toBe(0);
  });

  it('drops the files another run loaded meanwhile and commits the rest of the chunk', async () => {
    const meanwhile = [FILES[0]!.key, FILES[1]!.key];
    const { lake, summary: running } = fakeRun({ loadedMeanwhile: meanwhile });
    const summary = await running;
    expect(summary.exitCode).toBe(0);
    expect(summary.retries.commitAlreadyLoaded).toBe(1);
    const committed = lake.commits.flat();
    expect(committed).not.toContain(meanwhile[0]);
    expect(committed.length).toBe(FILES.length - 2);
    expect(lake.ledger.size).toBe(FILES.length);
  });

  it('retries a conflicting commit and counts it; past --commit-retries the run fails, recorded', async () => {
    const retried = fakeRun({ conflicts: 2 });
    const summary = await retried.summary;
    expect(summary.exitCode).toBe(0);
    expect(summary.retries.commitConflict).toBe(2);
    expect(retried.lake.commits.flat().length).toBe(FILES.length);

    const lake = new FakeLake({ conflicts: 100 });
    await expect(run(lake, { commitRetries: 1 })).rejects.toThrow('another writer committed first');
    expect(lake.commits).toEqual([]);
    expect(lake.runs).toHaveLength(1);
    expect(lake.runs[0]!.error).toContain('another writer committed first');
  });
});
