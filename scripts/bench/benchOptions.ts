import yargs from 'yargs';
import type { BackfillOptions } from '../../job/config.ts';
import type { ScalePoint } from './runScalePoint.ts';

export interface BenchOptions {
  readonly points: readonly ScalePoint[];
  readonly seed: number;
  /** The whole bench stops (the running child is killed) after this. */
  readonly timeoutMinutes: number;
  /** Run each point's first job under `--cpu-prof` and summarize the profile. */
  readonly profile: boolean;
  /** Measure a nightly into empty tables against the largest point's tables (its history). */
  readonly history: boolean;
  /** The naive statement runs at points of at most this many files. */
  readonly naiveMaxFiles: number;
  /** Keep each point's namespace and work folder instead of dropping them. */
  readonly keep: boolean;
  readonly outDir: string;
  /** Job options other than the defaults, passed to every job run (and the floor where they apply). */
  readonly jobOptions: Partial<BackfillOptions>;
}

export const DEFAULT_POINTS = '1k,10k,100k';
/** The generator seed of the bench mirrors (`bench-<label>` buckets). */
export const DEFAULT_BENCH_SEED = 6;
export const QUICK_POINTS = '1k,5k';

/** `npm run bench -- [options]`, validated before anything runs. */
export async function parseBenchOptions(argv: readonly string[]): Promise<BenchOptions> {
  const args = await benchArgs(argv);
  const timeoutMinutes = args.timeoutMinutes ?? (args.quick ? 10 : 60);
  if (!Number.isFinite(timeoutMinutes) || timeoutMinutes <= 0) {
    throw new Error(
      `bench: Expected \`--timeout-minutes\` to be a number > 0, got \`${timeoutMinutes}\``,
    );
  }
  if (!Number.isSafeInteger(args.seed)) {
    throw new Error(`bench: Expected \`--seed\` to be an integer, got \`${args.seed}\``);
  }
  const jobOptions: Partial<BackfillOptions> = {
    ...(args.concurrency !== undefined ? { concurrency: args.concurrency } : {}),
    ...(args.memoryLimit !== undefined ? { memoryLimit: args.memoryLimit } : {}),
    ...(args.threads !== undefined ? { threads: args.threads } : {}),
    ...(args.commitDays !== undefined ? { commitDays: args.commitDays } : {}),
    ...(args.commitFiles !== undefined ? { commitFiles: args.commitFiles } : {}),
  };
  return {
    points: parsePoints(args.points ?? (args.quick ? QUICK_POINTS : DEFAULT_POINTS)),
    seed: args.seed,
    timeoutMinutes,
    profile: args.profile,
    history: args.history,
    naiveMaxFiles: parsePoints(args.naiveMax, '--naive-max')[0]!.files,
    keep: args.keep,
    outDir: args.out,
    jobOptions,
  };
}

/** The bench's flags as yargs parses them (--help lists them). */
function benchArgs(argv: readonly string[]) {
  return yargs([...argv])
    .scriptName('npm run bench --')
    .strict()
    .usage('Measures the backfill job against the floor (list + GET) on the local lakehouse.')
    .option('points', {
      type: 'string',
      describe: `Scale points in files, comma-separated (1k = 1000); default ${DEFAULT_POINTS}, with --quick ${QUICK_POINTS}`,
    })
    .option('quick', {
      type: 'boolean',
      default: false,
      describe: 'Small points, a few minutes in total',
    })
    .option('seed', {
      type: 'number',
      default: DEFAULT_BENCH_SEED,
      describe: 'Generator seed of the mirrors',
    })
    .option('timeout-minutes', {
      type: 'number',
      describe: 'Stop the whole bench after this; default 60, with --quick 10',
    })
    .option('profile', {
      type: 'boolean',
      default: false,
      describe: 'Run each first job under --cpu-prof and report where its main thread spends time',
    })
    .option('history', {
      type: 'boolean',
      default: true,
      describe:
        "Also load a nightly-sized window (7 days × ~1,000 stations) into empty tables and into the largest point's tables, plain and with 1% patched",
    })
    .option('naive-max', {
      type: 'string',
      default: '100k',
      describe: 'Run the naive DuckDB statement at points of at most this many files',
    })
    .option('keep', { type: 'boolean', default: false, describe: 'Keep the bench namespaces' })
    .option('out', { type: 'string', default: 'bench-results', describe: 'Where results go' })
    .option('concurrency', { type: 'number', describe: "Job option (also the floor's)" })
    .option('memory-limit', { type: 'string', describe: 'Job option' })
    .option('threads', { type: 'number', describe: 'Job option' })
    .option('commit-days', { type: 'number', describe: 'Job option' })
    .option('commit-files', { type: 'number', describe: 'Job option' })
    .help()
    .parseAsync();
}

/** `1k,10000,2.5k` → points labelled 1k, 10k, 2500 (labels name the mirror buckets). */
export function parsePoints(value: string, flag = '--points'): ScalePoint[] {
  const points = value.split(',').map((part) => {
    const m = /^\s*(\d+(?:\.\d+)?)(k?)\s*$/i.exec(part);
    const files = m === null ? NaN : Number(m[1]) * (m[2] === '' ? 1 : 1000);
    if (!Number.isInteger(files) || files < 1 || files > 1_000_000) {
      throw new Error(
        `bench: Expected \`${flag}\` to be file counts from 1 to 1000k like 1k,10k,100k, got \`${value}\``,
      );
    }
    return { files, label: files % 1000 === 0 ? `${files / 1000}k` : String(files) };
  });
  return [...new Map(points.map((p) => [p.files, p])).values()].sort((a, b) => a.files - b.files);
}
