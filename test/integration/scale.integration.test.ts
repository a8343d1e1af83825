import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../job/model/runSummary.ts';
import { withLake } from '../../job/lake/lakeSession.ts';
import { qualifiedName } from '../../job/lake/tableDdl.ts';
import { parseArchiveKey } from '../../job/source/archiveKey.ts';
import { MEASUREMENTS } from '../../job/tables.ts';
import { generateArchive, type GeneratedFile } from '../../scripts/mirror/generateArchive.ts';
import {
  backfillConfig,
  createMirrorBucket,
  expectedRowsDigest,
  putFiles,
  runLocalBackfill,
  tableRowsDigest,
} from '../helpers/backfillHarness.ts';
import { killCliAt } from '../helpers/killCliAt.ts';
import { duckdbSettings, localTarget } from '../helpers/localLake.ts';
import { testNamespaces } from '../helpers/testNamespaces.ts';
import { locationsMismatches } from '../helpers/locationsMismatches.ts';
import { runCli } from '../helpers/runCli.ts';

/** Three months (cut mid-month at both ends) of three stations. */
const WINDOW = { from: '2024-01-20', to: '2024-03-10' } as const;
/** The smallest bound: pieces of at most 31 station-days, two held at once. */
const TINY = 62;
let bucket: string;
let files: GeneratedFile[];
const namespaceFor = testNamespaces();

describe('a long window streams in bounded pieces', () => {
  beforeAll(async () => {
    bucket = await createMirrorBucket('it-scale');
    files = [...generateArchive({ ...WINDOW, stations: 3, seed: 21 })];
    await putFiles(bucket, files);
  });

  it('fetches the next chunk while the last one commits, and still equals the window exactly once', async () => {
    const namespace = namespaceFor('it_overlap');
    // The order things happened in: each GET as it starts, each commit step as it lands.
    const events: string[] = [];
    const { summary } = await runLocalBackfill(
      await backfillConfig({ ...WINDOW, namespace, sourceBucket: bucket, commitDays: 10 }),
      (store) => ({
        listObjects: (prefix) => store.listObjects(prefix),
        listPrefixes: (prefix) => store.listPrefixes(prefix),
        close: () => store.close(),
        get: (key, expected) => {
          events.push(`get ${parseArchiveKey(key)?.day}`);
          return store.get(key, expected);
        },
      }),
      { onCommitStep: (step, chunk) => events.push(`commit ${chunk} ${step}`) },
    );
    expect(summary.exitCode).toBe(0);
    expect(summary.commits).toBeGreaterThan(2);
    // January's piece commits its first 10 days (20th–29th) as chunk 1, then the 30th and 31st:
    // their GETs began before chunk 1's last step (its files ledger) had landed.
    const chunkOneDone = events.indexOf('commit 1 files');
    expect(chunkOneDone).toBeGreaterThan(0);
    expect(events.slice(0, chunkOneDone)).toContain('get 2024-01-30');
    // Commits stay in order, one at a time: chunk 1's steps all land before chunk 2's first.
    const commitSteps = events.filter((e) => e.startsWith('commit'));
    const chunks = commitSteps.map((e) => Number(e.split(' ')[1]));
    expect(chunks).toEqual([...chunks].sort((a, b) => a - b));
    expect(await tableRowsDigest(namespace)).toEqual(expectedRowsDigest(files));
    expect(await locationsMismatches(namespace)).toEqual([]);
  });

  it('holds at most --files-in-memory listed files however long the window, and loads it exactly once', async () => {
    expect(files.length).toBeGreaterThan(2 * TINY); // the whole window would not fit
    const namespace = namespaceFor('it_pieces');
    const events: string[] = [];
    const { summary } = await runLocalBackfill(
      await backfillConfig({ ...WINDOW, namespace, sourceBucket: bucket, filesInMemory: TINY }),
      (store) => ({
        listObjects: (prefix) => store.listObjects(prefix),
        listPrefixes: (prefix) => store.listPrefixes(prefix),
        close: () => store.close(),
        get: (key, expected) => {
          const parsed = parseArchiveKey(key);
          events.push(`get ${parsed?.locationId} ${parsed?.day}`);
          return store.get(key, expected);
        },
      }),
      { onCommitStep: (step, chunk) => events.push(`commit ${chunk} ${step}`) },
    );
    expect(summary.exitCode).toBe(0);
    // A piece's commit runs while the next piece is fetched: the first piece (January, two
    // stations) was still committing when the second (January, the third station) was fetched.
    const firstPieceDone = events.indexOf('commit 1 files');
    const stations = [...new Set(files.map((f) => parseArchiveKey(f.key)!.locationId))].sort(
      (a, b) => a - b,
    );
    const third = `get ${stations[2]} 2024-01`;
    expect(firstPieceDone).toBeGreaterThan(0);
    expect(events.slice(0, firstPieceDone).some((e) => e.startsWith(third))).toBe(true);
    // 31 station-days a piece: January's 12 days in 2 pieces (2 + 1 stations), February's 29 in 3,
    // March's 10 in 1.
    expect(summary.pieces).toBe(6);
    expect(summary.filesListed).toBe(files.length);
    expect(summary.filesHeldMax).toBeGreaterThan(0);
    expect(summary.filesHeldMax).toBeLessThanOrEqual(TINY);
    expect(summary.filesFetched).toBe(files.length);
    expect(await tableRowsDigest(namespace)).toEqual(expectedRowsDigest(files));
    expect(await locationsMismatches(namespace)).toEqual([]);
  });

  it('a run killed mid-window resumes where the ledger says it stopped, and equals one clean run', async () => {
    const namespace = namespaceFor('it_resume');
    const args = [
      'backfill',
      ...['--from', WINDOW.from, '--to', WINDOW.to, '--namespace', namespace],
      ...['--source-bucket', bucket, '--files-in-memory', String(TINY), '--concurrency', '4'],
    ];
    // Killed once the first February piece is committed: January's pieces and that one are done.
    const crash = await killCliAt('piece done', args, '"from":"2024-02-01"');
    expect(crash.killed, crash.log).toBe(true);
    expect(crash.code).toBeNull();

    const { summary } = await runLocalBackfill(
      await backfillConfig({ ...WINDOW, namespace, sourceBucket: bucket, filesInMemory: TINY }),
    );
    expect(summary.exitCode).toBe(0);
    const done = files.filter(
      (f) => f.key.includes('/month=01/') || (f.key.includes('/month=02/') && isFirstStation(f)),
    );
    expect(summary.filesSkipped).toBeGreaterThanOrEqual(done.length);
    expect(summary.filesSkipped + summary.filesFetched).toBe(files.length);
    expect(await tableRowsDigest(namespace)).toEqual(expectedRowsDigest(files));
    expect(await locationsMismatches(namespace)).toEqual([]);
  });

  it('two backfills at once on one host, with the default work folder, both succeed and leave no files behind', async () => {
    const workDir = join(tmpdir(), 'openaq-lakehouse'); // the default --work-dir
    const runs = join(workDir, 'runs');
    // A killed run's leftovers (its process is gone), and the folder of a run still alive (this one).
    await mkdir(join(runs, 'dead-run', 'spill'), { recursive: true });
    await writeFile(
      join(runs, 'dead-run', 'owner.json'),
      JSON.stringify({ pid: 2 ** 22 + 1, startTicks: '1', host: hostname() }),
    );
    const live = `live-run-${process.pid}`;
    await mkdir(join(runs, live), { recursive: true });
    await writeFile(
      join(runs, live, 'owner.json'),
      JSON.stringify({ pid: process.pid, startTicks: null, host: hostname() }),
    );

    const run = (namespace: string) =>
      runCli([
        'backfill',
        '--json',
        ...['--from', WINDOW.from, '--to', WINDOW.to],
        ...['--namespace', namespace, '--source-bucket', bucket],
      ]);
    const [a, b] = await Promise.all([run(namespaceFor('it_twin')), run(namespaceFor('it_twin'))]);
    expect(a.code, a.stderr.slice(-2000)).toBe(0);
    expect(b.code, b.stderr.slice(-2000)).toBe(0);
    const summaries = [a, b].map((result) => JSON.parse(result.stdout) as RunSummary);
    for (const summary of summaries) expect(summary.filesFetched).toBe(files.length);
    const left = await readdir(runs);
    expect(left).toContain(live);
    expect(left).not.toContain('dead-run');
    // Other runs of this host may be alive; the two runs' own folders are gone.
    expect(left.filter((name) => summaries.some((summary) => summary.runId === name))).toEqual([]);
  });

  it('forgetCachedFiles empties the cache the last commit filled', async () => {
    const namespace = namespaceFor('it_file_cache');
    const { summary } = await runLocalBackfill(
      await backfillConfig({
        from: '2024-02-01',
        to: '2024-02-03',
        namespace,
        sourceBucket: bucket,
      }),
    );
    expect(summary.exitCode).toBe(0);
    await withLake(duckdbSettings, localTarget(), async (session) => {
      const cachedBytes = async () => {
        const reader = await session.connection.runAndReadAll(
          `SELECT coalesce(sum(memory_usage_bytes), 0)::BIGINT FROM duckdb_memory()
           WHERE tag = 'EXTERNAL_FILE_CACHE'`,
        );
        return Number(reader.getRows()[0]![0]);
      };
      // What a commit's lookups do: read the table's data files.
      await session.connection.run(
        `SELECT count(*), max(source_key) FROM ${qualifiedName(session.catalog, namespace, MEASUREMENTS.name)}`,
      );
      expect(await cachedBytes()).toBeGreaterThan(0);
      await session.forgetCachedFiles();
      expect(await cachedBytes()).toBe(0);
    });
  });
});

/** Whether a file is the first (lowest-id) station's: the first piece of each month. */
function isFirstStation(file: GeneratedFile): boolean {
  const ids = [...new Set(files.map((f) => Number(/locationid=(\d+)/.exec(f.key)![1])))].sort(
    (x, y) => x - y,
  );
  return file.key.includes(`locationid=${ids[0]}/`);
}
