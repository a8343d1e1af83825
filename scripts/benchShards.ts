/**
 * `npm run bench:shards -- --shards 2,4,8`: many writers, one set of tables. Seeds a small mirror,
 * then for 1 process and for each N plans the window as N shards (plan-backfill) and runs the N
 * shard processes at once against the local lakehouse; reports wall time, total CPU, commits,
 * commit retries (conflicts) and every other retry, and checks that each run's tables equal the
 * single run's (content digests) and that `locations` is exact. Figures are as measured on this
 * machine, under whatever else it runs.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import yargs from 'yargs';
import { resolveBackfillConfig } from '../job/config.ts';
import { resolveLocalLakehouse } from '../job/localLakehouse.ts';
import { totalRetries } from '../job/model/retryCounts.ts';
import type { RunSummary } from '../job/runSummary.ts';
import { parseManifest } from '../job/shards/manifestText.ts';
import type { ArchiveDay } from '../job/model/archiveDay.ts';
import { lakeContentDigests } from '../test/helpers/lakeContentDigests.ts';
import { locationsMismatches } from '../test/helpers/locationsMismatches.ts';
import { dropBenchNamespace } from './bench/dropBenchNamespace.ts';
import { runChild } from './bench/runChild.ts';
import { ensureArchiveBucket, localS3Client, putObject } from './lakehouse/s3Admin.ts';
import { generateArchive } from './mirror/generateArchive.ts';

const root = resolve(import.meta.dirname, '..');
const args = await yargs(process.argv.slice(2))
  .scriptName('npm run bench:shards --')
  .strict()
  .option('shards', { type: 'string', default: '2,4,8', describe: 'Writer counts to measure' })
  .option('stations', { type: 'number', default: 16, describe: 'Stations of the mirror' })
  .option('from', { type: 'string', default: '2024-01-01', describe: 'First day' })
  .option('to', { type: 'string', default: '2024-01-14', describe: 'Last day' })
  .option('commit-files', {
    type: 'number',
    default: 20,
    describe: 'Files per commit of each shard (small: many commits, many chances to conflict)',
  })
  .option('seed', { type: 'number', default: 7, describe: 'Generator seed' })
  .option('out', { type: 'string', default: 'bench-results', describe: 'Where results go' })
  .parseAsync();

const writers = args.shards.split(',').map(Number);
if (writers.some((n) => !Number.isInteger(n) || n < 2 || n > 64)) {
  throw new Error(
    `bench: Expected \`--shards\` to be integers from 2 to 64, got \`${args.shards}\``,
  );
}
const lake = resolveLocalLakehouse(process.env);
const window = { from: args.from as ArchiveDay, to: args.to as ArchiveDay };
const bucket = `bench-shards-${args.seed}-${args.stations}-${window.from}-${window.to}`;
const files = [...generateArchive({ ...window, stations: args.stations, seed: args.seed })];
const s3 = localS3Client(lake);
await ensureArchiveBucket(s3, bucket);
// In batches: hundreds of PUTs at once make MinIO answer SlowDownWrite.
for (let i = 0; i < files.length; i += 16) {
  await Promise.all(files.slice(i, i + 16).map((f) => putObject(s3, bucket, f.key, f.body)));
}
s3.destroy();
const work = await mkdtemp(join(tmpdir(), 'bench-shards-'));
const node = join(root, 'node_modules', '.bin', 'node');
const cli = join(root, 'bin', 'openaq-lakehouse.js');
const common = ['--source-bucket', bucket, '--concurrency', '8', '--json', '--log-level', 'warn'];

interface Point {
  writers: number;
  wallSeconds: number;
  cpuSeconds: number;
  commits: number;
  commitRetries: number;
  allRetries: number;
  failed: number;
  equalToSingle: boolean;
  locationsExact: boolean;
}

async function runWriters(n: number, namespace: string): Promise<Omit<Point, 'equalToSingle'>> {
  let commands: string[][];
  if (n === 1) {
    commands = [['backfill', '--from', window.from, '--to', window.to]];
  } else {
    const manifest = join(work, `plan-${n}.jsonl`);
    const plan = await runChild(
      node,
      [
        cli,
        'plan-backfill',
        ...['--from', window.from, '--to', window.to],
        '--source-bucket',
        bucket,
        '--max-files-per-shard',
        // A little above files/n: the planner balances to files/k for the fewest k shards that fit.
        String(Math.max(31, Math.ceil((files.length / n) * 1.1))),
        '--out',
        manifest,
      ],
      { cwd: root, timeoutMs: 600_000 },
    );
    if (plan.exitCode !== 0) throw new Error(`bench: plan-backfill failed: ${plan.stderrTail}`);
    commands = parseManifest(await readFile(manifest, 'utf8'), manifest).map((s) => [...s.command]);
  }
  const started = performance.now();
  const runs = await Promise.all(
    commands.map((command) =>
      runChild(
        node,
        [
          cli,
          ...command,
          ...common,
          '--namespace',
          namespace,
          '--commit-files',
          String(args.commitFiles),
        ],
        { cwd: root, timeoutMs: 1_800_000 },
      ),
    ),
  );
  const wallSeconds = (performance.now() - started) / 1000;
  for (const r of runs.filter((run) => run.exitCode !== 0)) {
    console.error(`bench: a writer exited ${r.exitCode}: ${r.stderrTail.slice(-1500)}`);
  }
  const summaries = runs.flatMap((r) => {
    try {
      return [JSON.parse(r.stdout) as RunSummary];
    } catch {
      return [];
    }
  });
  const allRetries = summaries.reduce((sum, s) => sum + totalRetries(s.retries), 0);
  return {
    writers: commands.length,
    wallSeconds,
    cpuSeconds: runs.reduce((sum, r) => sum + r.cpuSeconds, 0),
    commits: summaries.reduce((sum, s) => sum + s.commits, 0),
    commitRetries: summaries.reduce((sum, s) => sum + s.commitRetries, 0),
    allRetries,
    failed: runs.filter((r) => r.exitCode !== 0).length,
    locationsExact: (await locationsMismatches(namespace)).length === 0,
  };
}

const config = resolveBackfillConfig({ ...window }, process.env, root);
const points: Point[] = [];
let single: unknown;
for (const n of [1, ...writers]) {
  const namespace = `bench_shards_${n}_${Date.now().toString(36)}`;
  try {
    const point = await runWriters(n, namespace);
    const digests = await lakeContentDigests(namespace);
    if (n === 1) single = digests;
    points.push({ ...point, equalToSingle: JSON.stringify(digests) === JSON.stringify(single) });
    console.error(`bench: ${JSON.stringify(points.at(-1))}`);
  } finally {
    await dropBenchNamespace(config, lake, namespace);
  }
}

const header =
  '| writers | wall s | CPU s (all) | commits | commit retries | all retries (by kind, summed) | failed | equal to 1 | locations exact |';
const rows = points.map(
  (p) =>
    `| ${p.writers} | ${p.wallSeconds.toFixed(1)} | ${p.cpuSeconds.toFixed(1)} | ${p.commits} | ${p.commitRetries} | ${p.allRetries} | ${p.failed} | ${p.equalToSingle ? 'yes' : 'NO'} | ${p.locationsExact ? 'yes' : 'NO'} |`,
);
const table = [
  `${files.length} files (${args.stations} stations × ${window.from}..${window.to}), --commit-files ${args.commitFiles}`,
  '',
  header,
  `|${'---|'.repeat(9)}`,
  ...rows,
].join('\n');
console.log(table);
await mkdir(args.out, { recursive: true });
await writeFile(
  join(args.out, `shards-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
  JSON.stringify({ files: files.length, window, stations: args.stations, points }, null, 2),
);
