/**
 * `npm run bench:shards -- --shards 2,4,8 [--mirror 100k]`: many writers, one set of tables. On a
 * small mirror it seeds itself (commits of 20 files, to provoke conflicts), or with `--mirror` on
 * the main bench's mirror of that scale point (`bench-100k`, reused, never rewritten; the job's
 * default commit size). For 1 process and for each N it plans the window as N shards
 * (plan-backfill) and runs the N shard processes at once against the local lakehouse; reports wall
 * time, CPU of all writers, commits, conflicts and every other retry, peak RSS per process and the
 * load average around each configuration, and checks that each run's tables equal the single run's
 * (row counts and content sums) and that `locations` is exact. Figures are as measured on this
 * machine, under whatever else it runs. Results go to <out>/shards-<time>.{json,md}, rewritten
 * after each configuration.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import yargs from 'yargs';
import { resolveBackfillConfig } from '../job/config.ts';
import { resolveLocalLakehouse } from '../job/localLakehouse.ts';
import type { ArchiveDay } from '../job/model/archiveDay.ts';
import { lakeContentSums } from '../test/helpers/lakeContentDigests.ts';
import { locationsMismatches } from '../test/helpers/locationsMismatches.ts';
import { dropBenchNamespace } from './bench/dropBenchNamespace.ts';
import { runShardWriters } from './bench/runShardWriters.ts';
import { pointShardsMirror, smallShardsMirror, type ShardsMirror } from './bench/shardsMirror.ts';
import { shardsTable, type ShardsPoint, type ShardsResult } from './bench/shardsResult.ts';
import { lakehouseStatus } from './lakehouse/lakehouseControl.ts';
import { resolveLayout } from './lakehouse/layout.ts';

const SMALL = { stations: 16, from: '2024-01-01', to: '2024-01-14', seed: 7, commitFiles: 20 };
const SMALL_CONCURRENCY = 8;

const root = resolve(import.meta.dirname, '..');
const args = await yargs(process.argv.slice(2))
  .scriptName('npm run bench:shards --')
  .strict()
  .option('shards', { type: 'string', default: '2,4,8', describe: 'Writer counts to measure' })
  .option('mirror', {
    type: 'string',
    describe:
      "A scale point of the main bench (e.g. 100k): load its mirror bucket bench-<point> (seeded only when empty) with the job's default commit size and concurrency, instead of a small generated one",
  })
  .option('stations', {
    type: 'number',
    describe: `Stations of the small mirror; default ${SMALL.stations}`,
  })
  .option('from', {
    type: 'string',
    describe: `First day of the small mirror; default ${SMALL.from}`,
  })
  .option('to', { type: 'string', describe: `Last day of the small mirror; default ${SMALL.to}` })
  .option('seed', { type: 'number', describe: `Seed of the small mirror; default ${SMALL.seed}` })
  .option('commit-files', {
    type: 'number',
    describe: `Files per commit of every writer; default ${SMALL.commitFiles} on the small mirror (many commits, many chances to conflict), the job's own with --mirror`,
  })
  .option('concurrency', {
    type: 'number',
    describe: `Parallel GETs of every writer; default ${SMALL_CONCURRENCY} on the small mirror, the job's own with --mirror`,
  })
  .option('timeout-minutes', {
    type: 'number',
    // 8 writers of 100k files on a loaded 2-core machine needed more than 30.
    default: 60,
    describe: 'A configuration whose writers run longer is killed',
  })
  .option('single-from', {
    type: 'string',
    describe:
      'A results file (.json) of an earlier run on the same mirror and job flags: its single-process point is reused instead of measured again',
  })
  .option('out', { type: 'string', default: 'bench-results', describe: 'Where results go' })
  .parseAsync();

const writers = args.shards.split(',').map(Number);
if (writers.some((n) => !Number.isInteger(n) || n < 2 || n > 64)) {
  throw new Error(
    `bench: Expected \`--shards\` to be integers from 2 to 64, got \`${args.shards}\``,
  );
}
const smallFlags = (['stations', 'from', 'to', 'seed'] as const).filter(
  (k) => args[k] !== undefined,
);
if (args.mirror !== undefined && smallFlags.length > 0) {
  throw new Error(
    `bench: \`--${smallFlags[0]}\` shapes the small mirror; with \`--mirror ${args.mirror}\` the window is the point's own. Drop one of them`,
  );
}
if (!(args.timeoutMinutes > 0)) {
  throw new Error(
    `bench: Expected \`--timeout-minutes\` to be a number > 0, got \`${args.timeoutMinutes}\``,
  );
}
const log = (line: string): void => console.error(line);
const lake = resolveLocalLakehouse(process.env);
const serverPids = (await lakehouseStatus(resolveLayout(process.env), lake)).flatMap((s) =>
  s.state === 'running' && s.name !== 'elasticmq' ? [s.pid] : [],
);
const mirror: ShardsMirror =
  args.mirror !== undefined
    ? await pointShardsMirror(lake, args.mirror, log)
    : await smallShardsMirror(lake, {
        stations: args.stations ?? SMALL.stations,
        seed: args.seed ?? SMALL.seed,
        from: (args.from ?? SMALL.from) as ArchiveDay,
        to: (args.to ?? SMALL.to) as ArchiveDay,
      });
log(`bench: ${mirror.description}`);
const commitFiles = args.commitFiles ?? (args.mirror === undefined ? SMALL.commitFiles : undefined);
const concurrency = args.concurrency ?? (args.mirror === undefined ? SMALL_CONCURRENCY : undefined);
const jobFlags = [
  '--json',
  ...['--log-level', 'warn'],
  ...(commitFiles !== undefined ? ['--commit-files', String(commitFiles)] : []),
  ...(concurrency !== undefined ? ['--concurrency', String(concurrency)] : []),
];

const startedAt = new Date();
const base = join(
  args.out,
  `shards-${startedAt.toISOString().replace(/[:.]/g, '-')}${args.mirror === undefined ? '' : `-${args.mirror}`}`,
);
await mkdir(args.out, { recursive: true });
const work = await mkdtemp(join(tmpdir(), 'bench-shards-'));
const config = resolveBackfillConfig({ ...mirror.window }, process.env, root);
const points: ShardsPoint[] =
  args.singleFrom === undefined ? [] : [await earlierSingle(args.singleFrom)];
let stopped: string | undefined;
const result = (): ShardsResult => ({
  startedAt: startedAt.toISOString(),
  mirror: mirror.description,
  bucket: mirror.bucket,
  files: mirror.files,
  commitFiles,
  concurrency,
  points,
  ...(stopped !== undefined ? { stopped } : {}),
});
/** The single-process point of an earlier run, when it loaded the same mirror the same way. */
async function earlierSingle(path: string): Promise<ShardsPoint> {
  const earlier = JSON.parse(await readFile(path, 'utf8')) as ShardsResult;
  const single = earlier.points?.[0];
  if (
    single?.writers !== 1 ||
    single.failed !== 0 ||
    earlier.bucket !== mirror.bucket ||
    earlier.files !== mirror.files ||
    earlier.commitFiles !== commitFiles ||
    earlier.concurrency !== concurrency
  ) {
    throw new Error(
      `bench: \`--single-from ${path}\` holds no successful single run of this mirror (${mirror.description}) with these job flags; run without it`,
    );
  }
  return single;
}
const save = async (): Promise<void> => {
  await writeFile(`${base}.json`, JSON.stringify(result(), null, 2) + '\n');
  await writeFile(`${base}.md`, shardsTable(result()) + '\n');
};

try {
  for (const n of points.length === 0 ? [1, ...writers] : writers) {
    const namespace = `bench_shards_${n}_${Date.now().toString(36)}`;
    try {
      const point = await runShardWriters(n, namespace, {
        root,
        mirror,
        work,
        jobFlags,
        serverPids,
        timeoutMs: args.timeoutMinutes * 60_000,
      });
      const digests = await lakeContentSums(namespace);
      const single = points[0]?.digests ?? digests;
      points.push({
        ...point,
        digests,
        equalToSingle: JSON.stringify(digests) === JSON.stringify(single),
        locationsExact: (await locationsMismatches(namespace)).length === 0,
      });
      const last = points.at(-1)!;
      log(`bench: ${JSON.stringify({ ...last, processes: undefined, digests: undefined })}`);
      if (n === 1 && point.failed > 0) {
        stopped = 'the single run failed: there is nothing to compare the shards with';
        break;
      }
    } finally {
      await dropBenchNamespace(config, lake, namespace);
    }
    await save();
  }
} catch (err) {
  stopped = err instanceof Error ? err.message : String(err);
  log(stopped);
} finally {
  await rm(work, { recursive: true, force: true });
}
await save();
console.log(shardsTable(result()));
log(`bench: wrote ${base}.{json,md}`);
process.exitCode = stopped === undefined && points.every((p) => p.failed === 0) ? 0 : 1;
