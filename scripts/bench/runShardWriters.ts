import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { nonZeroRetries, totalRetries, RETRY_KINDS } from '../../job/model/retryCounts.ts';
import type { RunSummary } from '../../job/model/runSummary.ts';
import { parseManifest } from '../../job/shards/manifestText.ts';
import { readProcessUsage } from './processUsage.ts';
import { runChild } from './runChild.ts';
import type { ShardsMirror } from './shardsMirror.ts';
import type { ShardsPoint, ShardsProcess } from './shardsResult.ts';
import { cliArgv } from '../../job/model/nodeFlags.ts';

export interface WritersContext {
  readonly root: string;
  readonly mirror: ShardsMirror;
  /** Where plans are written. */
  readonly work: string;
  /** Job flags every writer gets (namespace aside): commit size, concurrency, log level. */
  readonly jobFlags: readonly string[];
  /** Pids of the lakehouse's MinIO and catalog, whose CPU is counted meanwhile. */
  readonly serverPids: readonly number[];
  /** A writer still running after this is killed. */
  readonly timeoutMs: number;
}

export type WritersPoint = Omit<
  ShardsPoint,
  'digests' | 'equalToSingle' | 'locationsExact' | 'loadBefore' | 'loadAfter'
> & { readonly loadBefore: number[]; readonly loadAfter: number[] };

/**
 * Loads the mirror's window into `namespace`: with one process when n is 1, else plans it as n
 * shards (plan-backfill) and runs the shard processes all at once. Returns what they measured.
 */
export async function runShardWriters(
  n: number,
  namespace: string,
  ctx: WritersContext,
): Promise<WritersPoint> {
  const { mirror } = ctx;
  const node = join(ctx.root, 'node_modules', '.bin', 'node');
  const cli = cliArgv(ctx.root);
  const commands = await writerCommands(n, ctx, node, cli);
  const serverBefore = await serverCpu(ctx.serverPids);
  const loadBefore = loadavg();
  const started = performance.now();
  const runs = await Promise.all(
    commands.map(({ args }) =>
      runChild(
        node,
        [
          ...cli,
          ...args,
          '--source-bucket',
          mirror.bucket,
          '--namespace',
          namespace,
          ...ctx.jobFlags,
        ],
        { cwd: ctx.root, timeoutMs: ctx.timeoutMs },
      ),
    ),
  );
  const wallSeconds = (performance.now() - started) / 1000;
  const loadAfter = loadavg();
  const serverCpuSeconds = (await serverCpu(ctx.serverPids)) - serverBefore;
  const { processes, summaries } = writerResults(runs, commands);
  const retries = Object.fromEntries(
    RETRY_KINDS.map((kind) => [kind, summaries.reduce((sum, s) => sum + s.retries[kind], 0)]),
  ) as Record<(typeof RETRY_KINDS)[number], number>;
  const commitRetries = summaries.reduce((sum, s) => sum + s.commitRetries, 0);
  return {
    writers: commands.length,
    wallSeconds,
    cpuSeconds: runs.reduce((sum, r) => sum + r.cpuSeconds, 0),
    serverCpuSeconds,
    files: processes.reduce((sum, p) => sum + p.files, 0),
    commits: summaries.reduce((sum, s) => sum + s.commits, 0),
    commitRetries,
    commitConflicts: retries.commitConflict,
    otherRetries: totalRetries(retries) - commitRetries,
    retries: nonZeroRetries(retries),
    failed: runs.filter((r) => r.exitCode !== 0).length,
    processes,
    loadBefore,
    loadAfter,
  };
}

interface WriterCommand {
  readonly stations: string;
  readonly args: string[];
}

/** One backfill of the whole window when n is 1, else the shards plan-backfill plans. */
async function writerCommands(
  n: number,
  ctx: WritersContext,
  node: string,
  cli: readonly string[],
): Promise<WriterCommand[]> {
  const { mirror } = ctx;
  const window = ['--from', mirror.window.from, '--to', mirror.window.to];
  if (n === 1) return [{ stations: 'all', args: ['backfill', ...window] }];
  const manifest = join(ctx.work, `plan-${n}.jsonl`);
  // A little above files/n: the planner balances to files/k for the fewest k shards that fit.
  const maxFiles = Math.max(31, Math.ceil((mirror.files / n) * 1.1));
  const plan = await runChild(
    node,
    [
      ...cli,
      'plan-backfill',
      ...window,
      ...['--source-bucket', mirror.bucket, '--max-files-per-shard', String(maxFiles)],
      ...['--out', manifest],
    ],
    { cwd: ctx.root, timeoutMs: 600_000 },
  );
  if (plan.exitCode !== 0) throw new Error(`bench: plan-backfill failed: ${plan.stderrTail}`);
  return parseManifest(await readFile(manifest, 'utf8'), manifest).map((s) => ({
    stations: s.stations,
    args: [...s.command],
  }));
}

/** Each writer's figures, and the summaries of those that printed one. */
function writerResults(
  runs: readonly Awaited<ReturnType<typeof runChild>>[],
  commands: readonly WriterCommand[],
): { processes: ShardsProcess[]; summaries: RunSummary[] } {
  const processes: ShardsProcess[] = [];
  const summaries: RunSummary[] = [];
  for (const [i, run] of runs.entries()) {
    let summary: RunSummary | undefined;
    try {
      summary = JSON.parse(run.stdout) as RunSummary;
      summaries.push(summary);
    } catch {
      summary = undefined;
    }
    if (run.exitCode !== 0) {
      console.error(`bench: a writer exited ${run.exitCode}: ${run.stderrTail.slice(-1500)}`);
    }
    processes.push({
      stations: commands[i]!.stations,
      exitCode: run.exitCode,
      timedOut: run.timedOut,
      files: summary === undefined ? 0 : summary.filesNew + summary.filesChanged,
      wallSeconds: run.wallSeconds,
      cpuSeconds: run.cpuSeconds,
      peakRssBytes: run.peakRssBytes,
      commits: summary?.commits ?? 0,
      commitRetries: summary?.commitRetries ?? 0,
      commitSeconds: summary?.seconds.commit ?? 0,
    });
  }
  return { processes, summaries };
}

async function serverCpu(pids: readonly number[]): Promise<number> {
  let total = 0;
  for (const pid of pids) total += (await readProcessUsage(pid))?.cpuSeconds ?? 0;
  return total;
}
