import { readFile } from 'node:fs/promises';

/** What the kernel reports for one process so far (Linux `/proc`). */
export interface ProcessUsage {
  /** User + system CPU seconds of all the process's threads (DuckDB's threads included). */
  readonly cpuSeconds: number;
  /** Peak resident set size so far (VmHWM), in bytes. */
  readonly peakRssBytes: number;
  /** Resident set size now (VmRSS), in bytes. */
  readonly rssBytes: number;
}

/** Linux reports CPU time in clock ticks; USER_HZ is 100 on every mainstream architecture. */
const TICKS_PER_SECOND = 100;

/** The process's CPU time and peak RSS, or undefined when it has exited (or this is not Linux). */
export async function readProcessUsage(pid: number): Promise<ProcessUsage | undefined> {
  try {
    const [stat, status] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/status`, 'utf8'),
    ]);
    // Fields after the command name (which may hold spaces) start at ") ": utime and stime are
    // fields 14 and 15 of the line, i.e. 11 and 12 after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const kB = (name: string): number =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return {
      cpuSeconds: ticks / TICKS_PER_SECOND,
      peakRssBytes: kB('VmHWM'),
      rssBytes: kB('VmRSS'),
    };
  } catch {
    return undefined;
  }
}
