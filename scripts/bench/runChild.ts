import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { readProcessUsage } from './processUsage.ts';

export interface ChildRun {
  /** Exit code, or null when a signal ended the process. */
  readonly exitCode: number | null;
  /** Whether the bench killed it for running past its deadline. */
  readonly timedOut: boolean;
  readonly stdout: string;
  /** The last STDERR_KEPT characters of stderr. */
  readonly stderrTail: string;
  readonly wallSeconds: number;
  /** Peak RSS (VmHWM) as last sampled before exit, in bytes. */
  readonly peakRssBytes: number;
  /** User + system CPU seconds as last sampled before exit. */
  readonly cpuSeconds: number;
  /** RSS samples: seconds since the start, bytes. */
  readonly rssSeries: readonly (readonly [number, number])[];
}

export interface ChildOptions {
  readonly cwd: string;
  /** Killed (SIGTERM, then SIGKILL 10 s later) when still running after this. */
  readonly timeoutMs: number;
  /** How often /proc is sampled for peak RSS and CPU. Default 100 ms. */
  readonly sampleMs?: number;
  /** Called with each complete line the child writes to stderr. */
  readonly onStderrLine?: (line: string) => void;
}

const STDERR_KEPT = 16_384;

/**
 * Runs a command to its end, sampling its peak RSS and CPU time from /proc while it runs (the
 * samples are monotonic, so the last one before exit is within `sampleMs` of the true total).
 */
export async function runChild(
  command: string,
  args: readonly string[],
  options: ChildOptions,
): Promise<ChildRun> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
  let partialLine = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEPT);
    if (options.onStderrLine === undefined) return;
    const lines = (partialLine + chunk).split('\n');
    partialLine = lines.pop() ?? '';
    for (const line of lines) options.onStderrLine(line);
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });

  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  }, options.timeoutMs);

  let peakRssBytes = 0;
  let cpuSeconds = 0;
  const rssSeries: [number, number][] = [];
  let done = false;
  const sampling = (async () => {
    const pid = child.pid;
    while (!done && pid !== undefined) {
      const usage = await readProcessUsage(pid);
      if (usage !== undefined) {
        peakRssBytes = Math.max(peakRssBytes, usage.peakRssBytes);
        cpuSeconds = Math.max(cpuSeconds, usage.cpuSeconds);
        rssSeries.push([(performance.now() - started) / 1000, usage.rssBytes]);
      }
      await sleep(options.sampleMs ?? 100);
    }
  })();

  try {
    const exitCode = await exited;
    return {
      exitCode,
      timedOut,
      stdout: stdout.join(''),
      stderrTail: stderr,
      wallSeconds: (performance.now() - started) / 1000,
      peakRssBytes,
      cpuSeconds,
      rssSeries,
    };
  } finally {
    done = true;
    clearTimeout(deadline);
    await sampling;
  }
}
