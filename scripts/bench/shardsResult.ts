import type { RetryCounts } from '../../job/model/retryCounts.ts';
import type { LakeDigests } from '../../test/helpers/lakeContentDigests.ts';

/** One writer process of a configuration, as measured from outside and by its run summary. */
export interface ShardsProcess {
  /** `all` for the single run, else the shard's `--stations` range. */
  readonly stations: string;
  /** Exit code, or null when a signal ended it. */
  readonly exitCode: number | null;
  /** Killed by the bench at `--timeout-minutes`. */
  readonly timedOut: boolean;
  /** Files the run fetched (new and changed). */
  readonly files: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
  readonly commits: number;
  readonly commitRetries: number;
  /** The run's commit stage (every attempt, retries and their waits included), seconds. */
  readonly commitSeconds: number;
}

/** One configuration: 1 process, or N shard processes of one plan at once. */
export interface ShardsPoint {
  readonly writers: number;
  readonly wallSeconds: number;
  /** CPU seconds of all writer processes (their DuckDB threads included). */
  readonly cpuSeconds: number;
  /** CPU seconds of the lakehouse's MinIO and catalog meanwhile: anyone's use of them counts. */
  readonly serverCpuSeconds: number;
  readonly files: number;
  readonly commits: number;
  /** Retries of data commits (409 conflicts, unknown outcomes, dropped commits, files loaded meanwhile). */
  readonly commitRetries: number;
  /**
   * Of those, the ones classified as 409 conflicts. Most conflicts of concurrent writers are counted
   * as unknown outcomes instead: after the 409, DuckDB tries to delete the files it wrote, is
   * refused (the job's identity cannot delete) and reports that (docs/faults.md).
   */
  readonly commitConflicts: number;
  /** Every other retry (source throttling and transient errors, other lake errors). */
  readonly otherRetries: number;
  /** All retries by kind, summed over the writers (kinds with none left out). */
  readonly retries: Partial<RetryCounts>;
  readonly failed: number;
  readonly processes: readonly ShardsProcess[];
  readonly digests: LakeDigests;
  /** Row counts and content sums of every table equal to the single run's. */
  readonly equalToSingle: boolean;
  /** `locations` equal to an aggregate of `measurements`, station by station. */
  readonly locationsExact: boolean;
  /** os.loadavg() (1, 5, 15 minutes) just before the writers started and just after they ended. */
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
}

export interface ShardsResult {
  readonly startedAt: string;
  readonly mirror: string;
  readonly bucket: string;
  readonly files: number;
  /** `--commit-files` given to every writer, or undefined for the job's default. */
  readonly commitFiles: number | undefined;
  readonly concurrency: number | undefined;
  readonly points: readonly ShardsPoint[];
  /** Why the bench stopped early, when it did. */
  readonly stopped?: string;
}

/** Commit kinds as the job counts them; a 409 usually comes as an unknown outcome (docs/faults.md). */
const COMMIT_KINDS = [
  ['commitConflict', 'conflict'],
  ['commitUnknownOutcome', 'unknown outcome'],
  ['commitDropped', 'dropped'],
  ['commitAlreadyLoaded', 'already loaded'],
] as const;

const commitRetryCell = (p: ShardsPoint): string => {
  const kinds = COMMIT_KINDS.flatMap(([kind, name]) => {
    const n = p.retries[kind] ?? 0;
    return n > 0 ? [`${n} ${name}`] : [];
  });
  return kinds.length === 0 ? String(p.commitRetries) : `${p.commitRetries} (${kinds.join(', ')})`;
};

const failedCell = (p: ShardsPoint): string => {
  const timedOut = p.processes.filter((proc) => proc.timedOut).length;
  return timedOut === 0 ? String(p.failed) : `${p.failed} (${timedOut} timed out)`;
};

const mb = (bytes: number): string => (bytes / 1024 ** 2).toFixed(0);
const load = (l: readonly number[]): string => l.map((x) => x.toFixed(1)).join(' ');

/** The results as a Markdown table, one row a configuration, with what they were measured on. */
export function shardsTable(result: ShardsResult): string {
  const rows = result.points.map((p) => {
    const rss = p.processes.map((proc) => proc.peakRssBytes);
    const perProcess = p.processes.map((proc) => proc.files / proc.wallSeconds);
    return [
      p.writers,
      p.wallSeconds.toFixed(1),
      p.cpuSeconds.toFixed(1),
      ((p.cpuSeconds / Math.max(1, p.files)) * 1000).toFixed(2),
      (p.files / p.wallSeconds).toFixed(0),
      perProcess.length === 1
        ? perProcess[0]!.toFixed(0)
        : `${Math.min(...perProcess).toFixed(0)}–${Math.max(...perProcess).toFixed(0)}`,
      p.serverCpuSeconds.toFixed(1),
      p.commits,
      commitRetryCell(p),
      p.otherRetries,
      rss.length === 1 ? mb(rss[0]!) : `${mb(Math.min(...rss))}–${mb(Math.max(...rss))}`,
      failedCell(p),
      p.equalToSingle ? 'yes' : 'NO',
      p.locationsExact ? 'yes' : 'NO',
      `${load(p.loadBefore)} → ${load(p.loadAfter)}`,
    ].join(' | ');
  });
  return [
    `${result.mirror}; --commit-files ${result.commitFiles ?? "the job's default"}, --concurrency ${result.concurrency ?? "the job's default"}; started ${result.startedAt}`,
    '',
    '| writers | wall s | CPU s (all writers) | CPU ms/file | files/s (all) | files/s per process | server CPU s | commits | commit retries (by kind) | other retries | peak RSS MB per process | failed | equal to 1 process | locations exact | load avg before → after |',
    `|${'---|'.repeat(15)}`,
    ...rows.map((row) => `| ${row} |`),
    ...(result.stopped !== undefined ? ['', `Stopped early: ${result.stopped}`] : []),
  ].join('\n');
}
