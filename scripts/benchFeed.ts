#!/usr/bin/env node
/**
 * `npm run bench:feed`: on a bench mirror (default the 100k one, `bench-100k`) loaded once into a
 * fresh namespace (the history), 1% of the files (1,000 at 100k, spread over the window's days)
 * rewritten, then measured side by side, each as its own process: the feed-driven run
 * (`nightly --source notifications`, their notifications in a queue of the bench's own), a
 * listing-driven nightly (the 7 days ending at the window's last day) and a reconciliation's
 * listing of the whole window. Before each run the same files are rewritten again, so each starts
 * from the same state. Reports wall time, CPU, S3 LIST and GET requests (the job's own counts),
 * files loaded, rows replaced and whether it caught every change. Writes
 * bench-results/feed-<time>.{json,md}. The mirror is left with its original files; the namespace
 * and the queues are dropped. Not part of `npm test`.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import yargs from 'yargs';
import { resolveBackfillConfig } from '../job/config.ts';
import { resolveLocalLakehouse } from '../job/localLakehouse.ts';
import { addDays } from '../job/model/archiveDay.ts';
import type { RunSummary } from '../job/model/runSummary.ts';
import { parseArchiveKey } from '../job/source/archiveKey.ts';
import { ensureBenchMirror, patchBenchMirror } from './bench/benchMirror.ts';
import { benchMachine } from './bench/benchMachine.ts';
import { parsePoints } from './bench/benchOptions.ts';
import { pointWindow } from './bench/benchWindow.ts';
import { dropBenchNamespace } from './bench/dropBenchNamespace.ts';
import type { FeedBenchResult, FeedBenchRun } from './bench/feedBenchResult.ts';
import { feedBenchTable } from './bench/feedBenchTable.ts';
import { jobArgs } from './bench/jobArgs.ts';
import { measuredChild } from './bench/measuredChild.ts';
import { lakehouseStatus } from './lakehouse/lakehouseControl.ts';
import { resolveLayout } from './lakehouse/layout.ts';
import { createQueue, deleteQueue, localSqsClient, queueDepth } from './lakehouse/sqsAdmin.ts';
import { cliArgv } from '../job/model/nodeFlags.ts';

const ROOT = resolve(import.meta.dirname, '..');
const LOOKBACK_DAYS = 7;

const args = await yargs(process.argv.slice(2))
  .scriptName('npm run bench:feed --')
  .strict()
  .usage('A feed-driven run against listing-driven ones on a bench mirror with 1% of it rewritten.')
  .option('files', {
    type: 'string',
    default: '100k',
    describe: 'The mirror (bench-<files>, as `npm run bench` seeds it; 1k = 1000)',
  })
  .option('changed', {
    type: 'number',
    describe: "Files rewritten, spread over the mirror's patched 1% [default: all of it]",
  })
  .option('seed', { type: 'number', default: 6, describe: 'Generator seed of the mirror' })
  .option('wait-seconds', {
    type: 'number',
    default: 20,
    describe: "The feed-driven run's long poll (its last, empty receive waits this long)",
  })
  .option('timeout-minutes', {
    type: 'number',
    default: 60,
    describe: 'The whole bench stops after this',
  })
  .option('keep', { type: 'boolean', default: false, describe: 'Keep the namespace' })
  .option('out', { type: 'string', default: 'bench-results', describe: 'Where results go' })
  .parseAsync();

const [point] = parsePoints(args.files);
if (point === undefined || args.files.includes(',')) {
  throw new Error(
    `bench: Expected \`--files\` to be one file count like 100k, got \`${args.files}\``,
  );
}
const log = (line: string): void => console.error(line);
const startedAt = new Date();
const runTag = startedAt.toISOString().replace(/[-:T]/g, '').slice(0, 14);
const deadline = performance.now() + args.timeoutMinutes * 60_000;
const lake = resolveLocalLakehouse(process.env);
const states = await lakehouseStatus(resolveLayout(process.env), lake);
if (states.some((s) => s.state !== 'running')) {
  throw new Error(
    `bench: Expected the local lakehouse to be running, got ${states.map((s) => `${s.name} ${s.state}`).join(', ')}; start it with \`npm run lakehouse -- up\``,
  );
}
const ctx = {
  root: ROOT,
  deadline,
  serverPids: states.flatMap((s) => (s.state === 'running' ? [s.pid] : [])),
  log,
};

const bucket = `bench-${point.label}`;
const window = pointWindow(point.files);
const spec = { targetFiles: point.files, seed: args.seed, ...window };
const namespace = `bench_feed_${point.label}_${runTag}`.toLowerCase();
const work = join(tmpdir(), `openaq-bench-feed-${runTag}`);
const mirror = await ensureBenchMirror(lake, bucket, spec, log);
const keys = spread(mirror.manifest.patchKeys, args.changed ?? mirror.manifest.patchKeys.length);
log(
  `bench: ${bucket}: ${mirror.manifest.files} files, ${keys.length} to rewrite over ${distinctDays(keys)} days`,
);

const sqs = localSqsClient(lake);
const queueUrl = await createQueue(sqs, `bench-feed-${runTag}`);
const deadLetterQueueUrl = await createQueue(sqs, `bench-feed-${runTag}-dlq`);
const base = { sourceBucket: bucket, namespace };
const config = resolveBackfillConfig({ ...base, ...window }, process.env, ROOT);
const cli = cliArgv(ROOT);
let runCount = 0;
/** A fresh work folder per run, as a Fargate task has. */
const workDir = () => join(work, `run-${++runCount}`);
const job = async (name: string, jobLine: string[]) => {
  const { child, ...measure } = await measuredChild(ctx, name, [...cli, ...jobLine]);
  return { ...measure, summary: JSON.parse(child.stdout) as RunSummary };
};
const listing = (from: string, to: string) =>
  jobArgs({ ...base, from, to, workDir: workDir() }, 'warn');

let history: FeedBenchResult['history'];
const runs: FeedBenchRun[] = [];
let stopped: string | undefined;
try {
  history = await job('history (the whole window)', listing(window.from, window.to));

  // Each run gets its own new version of the same files: version seeds seed+1, +2, +3.
  let version = args.seed;
  const rewrite = async (notify: boolean) =>
    patchBenchMirror(lake, bucket, mirror.manifest, ++version, {
      keys,
      ...(notify ? { notify: { sqs, queueUrl } } : {}),
    });
  const measure = async (
    name: string,
    jobLine: string[],
    runWindow: { from: string; to: string } | undefined,
    notify: boolean,
  ): Promise<FeedBenchRun> => {
    const rewritten = await rewrite(notify);
    const run = await job(name, jobLine);
    const reachable = runWindow
      ? keys.filter((key) => {
          const day = parseArchiveKey(key)?.day ?? '';
          return day >= runWindow.from && day <= runWindow.to;
        }).length
      : keys.length;
    return {
      name,
      args: jobLine,
      ...(runWindow ? { window: runWindow } : {}),
      rewritten: rewritten.files,
      reachable,
      caught: run.summary.filesChanged,
      ...(runWindow ? {} : { queueLeft: await queueDepth(sqs, queueUrl) }),
      ...run,
    };
  };

  runs.push(
    await measure(
      'feed-driven',
      [
        'nightly',
        ...['--json', '--log-level', 'warn', '--source', 'notifications'],
        ...['--queue-url', queueUrl, '--dead-letter-queue-url', deadLetterQueueUrl],
        ...['--wait-seconds', String(args.waitSeconds)],
        ...['--source-bucket', bucket, '--namespace', namespace, '--work-dir', workDir()],
      ],
      undefined,
      true,
    ),
  );
  const nightly = { from: addDays(window.to, -(LOOKBACK_DAYS - 1)), to: window.to };
  runs.push(
    await measure(
      `listing nightly (${LOOKBACK_DAYS} days)`,
      listing(nightly.from, nightly.to),
      nightly,
      false,
    ),
  );
  runs.push(
    await measure(
      'reconciliation listing (whole window)',
      listing(window.from, window.to),
      window,
      false,
    ),
  );
} catch (err) {
  stopped = err instanceof Error ? err.message : String(err);
  log(stopped);
} finally {
  await ensureBenchMirror(lake, bucket, spec, log); // puts the originals back
  await deleteQueue(sqs, queueUrl).catch((err: unknown) => log(`bench: ${String(err)}`));
  await deleteQueue(sqs, deadLetterQueueUrl).catch((err: unknown) => log(`bench: ${String(err)}`));
  sqs.destroy();
  if (!args.keep) {
    await dropBenchNamespace(config, lake, namespace).catch((err: unknown) =>
      log(`bench: could not drop ${namespace}: ${String(err)}`),
    );
  }
  await rm(work, { recursive: true, force: true });
}

const result: FeedBenchResult = {
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  machine: benchMachine(),
  settings: { bucket, seed: args.seed, window, waitSeconds: args.waitSeconds },
  mirror: {
    files: mirror.manifest.files,
    rows: mirror.manifest.rows,
    seededNow: mirror.seeded,
    seedSeconds: mirror.seconds,
  },
  ...(history ? { history } : {}),
  runs,
  ...(stopped !== undefined ? { stopped } : {}),
};
await mkdir(resolve(ROOT, args.out), { recursive: true });
const file = join(resolve(ROOT, args.out), `feed-${runTag}`);
const table = feedBenchTable(result);
await writeFile(`${file}.json`, `${JSON.stringify(result, null, 2)}\n`);
await writeFile(`${file}.md`, table);
console.log(table);
log(`bench: wrote ${file}.{json,md}`);
process.exitCode = stopped === undefined ? 0 : 1;

/** `count` of `keys`, evenly spaced (all of them when count is their number). */
function spread(all: readonly string[], count: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > all.length) {
    throw new Error(
      `bench: Expected \`--changed\` to be an integer from 1 to ${all.length} (the mirror's patched 1%), got \`${count}\``,
    );
  }
  return Array.from({ length: count }, (_, i) => all[Math.floor((i * all.length) / count)]!);
}

function distinctDays(files: readonly string[]): number {
  return new Set(files.map((key) => parseArchiveKey(key)?.day)).size;
}
