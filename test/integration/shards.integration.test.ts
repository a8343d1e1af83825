import { beforeAll, describe, expect, it } from 'vitest';
import { withLake } from '../../job/lake/lakeSession.ts';
import { qualifiedName } from '../../job/lake/tableDdl.ts';
import { parseManifest } from '../../job/shards/manifestText.ts';
import type { Shard } from '../../job/shards/shard.ts';
import { FILES, MEASUREMENTS } from '../../job/tables.ts';
import { generateArchive, type GeneratedFile } from '../../scripts/mirror/generateArchive.ts';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  backfillConfig,
  createMirrorBucket,
  putFiles,
  runLocalBackfill,
} from '../helpers/backfillHarness.ts';
import { killCliAt } from '../helpers/killCliAt.ts';
import { lakeContentDigests, type LakeDigests } from '../helpers/lakeContentDigests.ts';
import { duckdbSettings, localTarget } from '../helpers/localLake.ts';
import { testNamespaces } from '../helpers/testNamespaces.ts';
import { locationsMismatches } from '../helpers/locationsMismatches.ts';
import { runCli } from '../helpers/runCli.ts';
import { duckdbTableDigest } from '../helpers/tableDigest.ts';

/** Six weeks of eight stations: a few hundred files. */
const WINDOW = { from: '2024-01-01', to: '2024-02-11' } as const;
let bucket: string;
let files: GeneratedFile[];
let shards: Shard[];
let single: LakeDigests;
let manifest: string;
const namespaceFor = testNamespaces();

const shardArgs = (shard: Shard, namespace: string): string[] => [
  ...shard.command,
  ...['--namespace', namespace, '--source-bucket', bucket, '--concurrency', '4'],
];

const verify = (namespace: string) =>
  runCli([
    'verify-backfill',
    ...['--manifest', manifest],
    ...['--namespace', namespace, '--source-bucket', bucket],
  ]);

/** Every column (run ids included) of the rows of the stations outside `shard`. */
async function rowsOutside(namespace: string, shard: Shard) {
  const [low, high] = shard.stations.split('-').map(Number) as [number, number];
  return withLake(duckdbSettings, localTarget(), async ({ connection, catalog }) => {
    const digests: Record<string, unknown> = {};
    for (const table of [MEASUREMENTS, FILES]) {
      digests[table.name] = await duckdbTableDigest(
        connection,
        `(SELECT * FROM ${qualifiedName(catalog, namespace, table.name)} WHERE location_id NOT BETWEEN ${low} AND ${high ?? low})`,
      );
    }
    return digests;
  });
}

/** Five processes of Node and DuckDB at once on a shared 2-core machine: generous, not timing. */
const SLOW = 600_000;

describe('a backfill planned as shards, run as concurrent processes', { timeout: SLOW }, () => {
  beforeAll(async () => {
    bucket = await createMirrorBucket('it-shards');
    manifest = join(await mkdtemp(join(tmpdir(), 'shards-test-')), 'manifest.jsonl');
    files = [...generateArchive({ ...WINDOW, stations: 8, seed: 33 })];
    await putFiles(bucket, files);

    const planned = await runCli([
      'plan-backfill',
      ...['--from', WINDOW.from, '--to', WINDOW.to, '--source-bucket', bucket],
      ...['--max-files-per-shard', String(Math.ceil(files.length / 3.5))],
      ...['--out', manifest],
    ]);
    expect(planned.code, planned.stderr).toBe(0);
    shards = parseManifest(await readFile(manifest, 'utf8'), manifest);

    const reference = namespaceFor('it_single');
    const { summary } = await runLocalBackfill(
      await backfillConfig({ ...WINDOW, namespace: reference, sourceBucket: bucket }),
    );
    expect(summary.exitCode).toBe(0);
    single = await lakeContentDigests(reference);
  });

  it('plans four shards of consecutive station ranges that hold every listed file', () => {
    expect(shards).toHaveLength(4);
    expect(shards.reduce((sum, s) => sum + s.files, 0)).toBe(files.length);
    expect(shards.every((s) => s.from === WINDOW.from && s.to === WINDOW.to)).toBe(true);
    expect(shards.every((s) => /^\d+-\d+$/.test(s.stations))).toBe(true);
  });

  it('four shard processes at once end with tables equal to one single run of the window', async () => {
    const namespace = namespaceFor('it_shards');
    const results = await Promise.all(shards.map((shard) => runCli(shardArgs(shard, namespace))));
    for (const result of results) expect(result.code, result.stderr.slice(-2000)).toBe(0);
    expect(await lakeContentDigests(namespace)).toEqual(single);
    expect(await locationsMismatches(namespace)).toEqual([]);
    const verified = await verify(namespace);
    expect(verified.code, verified.stderr).toBe(0);
  });

  it('a shard killed mid-way is named by verify-backfill; its re-run completes it and changes no other row', async () => {
    const namespace = namespaceFor('it_killed');
    const last = shards.at(-1)!;
    const [killed, ...others] = await Promise.all([
      // Small commits, so that the kill lands between two of them.
      killCliAt('committed', [...shardArgs(last, namespace), '--commit-files', '20']),
      ...shards.slice(0, -1).map((shard) => runCli(shardArgs(shard, namespace))),
    ]);
    expect(killed.killed, killed.log).toBe(true);
    for (const result of others) expect(result.code, result.stderr.slice(-2000)).toBe(0);

    const before = await verify(namespace);
    expect(before.code).toBe(1);
    expect(before.stderr).toContain(`1 of 4 shards`);
    expect(before.stderr).toContain(last.shard);
    const untouched = await rowsOutside(namespace, last);

    const rerun = await runCli(shardArgs(last, namespace));
    expect(rerun.code, rerun.stderr.slice(-2000)).toBe(0);
    expect((await verify(namespace)).code).toBe(0);
    expect(await rowsOutside(namespace, last)).toEqual(untouched);
    expect(await lakeContentDigests(namespace)).toEqual(single);
    expect(await locationsMismatches(namespace)).toEqual([]);
  });
});
