import type { ProcessMeasure } from './benchResult.ts';
import { readProcessUsage } from './processUsage.ts';
import { runChild, type ChildRun } from './runChild.ts';

/** Where and until when a bench runs its measured processes. */
export interface MeasureContext {
  readonly root: string;
  /** performance.now() after which children are killed. */
  readonly deadline: number;
  /** Pids of the local MinIO and REST catalog, whose CPU is counted per phase. */
  readonly serverPids: readonly number[];
  readonly log: (line: string) => void;
}

export class BenchTimeoutError extends Error {
  constructor(what: string) {
    super(`bench: ${what} was still running at the deadline; raise --timeout-minutes`);
    this.name = 'BenchTimeoutError';
  }
}

/**
 * Runs `node args…` from the repository root as its own process, to the bench's deadline: its wall
 * time, CPU and peak RSS, and the servers' CPU meanwhile. A non-zero exit or the deadline throws,
 * naming `what`.
 */
export async function measuredChild(
  ctx: MeasureContext,
  what: string,
  args: readonly string[],
  onStderrLine?: (line: string) => void,
): Promise<ProcessMeasure & { child: ChildRun }> {
  const before = await serverCpu(ctx.serverPids);
  const child = await runChild(process.execPath, args, {
    cwd: ctx.root,
    timeoutMs: Math.max(1_000, ctx.deadline - performance.now()),
    ...(onStderrLine ? { onStderrLine } : {}),
  });
  const serverCpuSeconds = (await serverCpu(ctx.serverPids)) - before;
  if (child.timedOut) throw new BenchTimeoutError(what);
  if (child.exitCode !== 0) {
    throw new Error(
      `bench: ${what} exited with ${child.exitCode}:\n${child.stderrTail.slice(-4000)}`,
    );
  }
  ctx.log(`bench: ${what} ${child.wallSeconds.toFixed(1)} s`);
  const { wallSeconds, cpuSeconds, peakRssBytes } = child;
  return { wallSeconds, cpuSeconds, peakRssBytes, serverCpuSeconds, child };
}

async function serverCpu(pids: readonly number[]): Promise<number> {
  let total = 0;
  for (const pid of pids) total += (await readProcessUsage(pid))?.cpuSeconds ?? 0;
  return total;
}
