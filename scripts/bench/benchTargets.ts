import type { HistoryResult, PointResult } from './benchResult.ts';

/** A target from the benchmark issue, checked against one bench run. */
export interface TargetCheck {
  readonly target: string;
  /** undefined when the run has no point the target applies to. */
  readonly met: boolean | undefined;
  readonly measured: string;
}

const GiB = 1024 ** 3;
const MB = 1e6;

export const jobFloorRatio = (p: PointResult): number => p.job.wallSeconds / p.floor.wallSeconds;
/** Re-run against listing: whole processes, and inside the processes. */
export const rerunRatio = (p: PointResult): number => p.rerun.wallSeconds / p.listOnly.wallSeconds;
/** Seconds per file of the job (whole process). */
export const secondsPerFile = (p: PointResult): number => p.job.wallSeconds / p.mirror.files;
/** A nightly into tables holding the history against the same into empty tables. */
export const historyRatio = (h: HistoryResult): number =>
  h.withHistory.wallSeconds / h.empty.wallSeconds;
export const patchedHistoryRatio = (h: HistoryResult): number =>
  h.withHistoryPatched.wallSeconds / h.emptyPatched.wallSeconds;

/** The job's files/s over the naive statement's: how many times faster the job is. */
export const jobNaiveSpeedup = (p: PointResult): number | undefined =>
  p.naive === undefined ? undefined : p.naive.wallSeconds / p.job.wallSeconds;
/** Process CPU milliseconds per file. */
export const cpuMsPerFile = (run: { cpuSeconds: number }, files: number): number =>
  (run.cpuSeconds * 1000) / files;

export const rerunInnerRatio = (p: PointResult): number =>
  p.rerun.summary.seconds.total / p.listOnly.result.seconds.total;

/** The targets, each with what this run measured. */
export function checkTargets(points: readonly PointResult[]): TargetCheck[] {
  const byFiles = [...points].sort((a, b) => a.mirror.files - b.mirror.files);
  return [...scaleTargets(byFiles), ...speedTargets(byFiles), ...footprintTargets(byFiles)];
}

/** What a run costs does not grow with the window or the tables' history. */
function scaleTargets(byFiles: readonly PointResult[]): TargetCheck[] {
  const p10k = byFiles.find((p) => p.label === '10k');
  const p1m = byFiles.find((p) => p.label === '1000k');
  const withHistory = byFiles.filter((p) => p.history !== undefined);
  return [
    {
      target: 'peak RSS at 1000k within 1.15× of 10k and < 1.5 GiB',
      met:
        p10k && p1m
          ? p1m.job.peakRssBytes <= 1.15 * p10k.job.peakRssBytes && p1m.job.peakRssBytes < 1.5 * GiB
          : undefined,
      measured:
        p1m && p10k
          ? `${mib(p1m.job.peakRssBytes)} vs ${mib(p10k.job.peakRssBytes)}`
          : 'no 10k and 1000k points',
    },
    {
      target: 's/file at 1000k within 1.2× of 10k',
      met: p10k && p1m ? secondsPerFile(p1m) <= 1.2 * secondsPerFile(p10k) : undefined,
      measured: byFiles
        .map((p) => `${p.label} ${(secondsPerFile(p) * 1000).toFixed(2)} ms`)
        .join(', '),
    },
    {
      target:
        "history: a nightly into the largest point's tables ≤ 1.2× into empty ones; same with 1% patched",
      met:
        withHistory.length === 0
          ? undefined
          : withHistory.every(
              (p) => historyRatio(p.history!) <= 1.2 && patchedHistoryRatio(p.history!) <= 1.2,
            ),
      measured:
        withHistory
          .map(
            (p) =>
              `${p.label}: ${historyRatio(p.history!).toFixed(2)} (${p.history!.withHistory.wallSeconds.toFixed(1)} / ${p.history!.empty.wallSeconds.toFixed(1)} s), patched ${patchedHistoryRatio(p.history!).toFixed(2)} (${p.history!.withHistoryPatched.wallSeconds.toFixed(1)} / ${p.history!.emptyPatched.wallSeconds.toFixed(1)} s)`,
          )
          .join('; ') || 'not measured',
    },
  ];
}

/** Per-file cost against the naive statement and the floor. */
function speedTargets(byFiles: readonly PointResult[]): TargetCheck[] {
  const large = byFiles.filter((p) => p.mirror.files >= 10_000);
  const ratios = large.map((p) => `${p.label} ${jobFloorRatio(p).toFixed(2)}`);
  const p10k = byFiles.find((p) => p.label === '10k');
  const p100k = byFiles.find((p) => p.label === '100k');
  const speedPoints = [p10k, p100k].filter((p): p is PointResult => p?.naive !== undefined);
  return [
    {
      target: "job ≥ 2× the naive statement's files/s at 10k and 100k",
      met:
        speedPoints.length === 0 ? undefined : speedPoints.every((p) => jobNaiveSpeedup(p)! >= 2),
      measured:
        speedPoints.map((p) => `${p.label} ${jobNaiveSpeedup(p)!.toFixed(2)}×`).join(', ') ||
        'no 10k or 100k point with the naive statement',
    },
    {
      target: 'job CPU ≤ 1.0 ms per file at 100k',
      met: p100k ? cpuMsPerFile(p100k.job, p100k.mirror.files) <= 1.0 : undefined,
      measured: byFiles
        .map((p) => `${p.label} ${cpuMsPerFile(p.job, p.mirror.files).toFixed(2)} ms`)
        .join(', '),
    },
    {
      target: 'job / floor ≤ 1.3 at 10k and 100k',
      met: large.length === 0 ? undefined : large.every((p) => jobFloorRatio(p) <= 1.3),
      measured: ratios.join(', ') || 'no point ≥ 10k',
    },
  ];
}

/** Memory, table files, commits and re-runs at every point. */
function footprintTargets(byFiles: readonly PointResult[]): TargetCheck[] {
  const large = byFiles.filter((p) => p.mirror.files >= 10_000);
  const p10k = byFiles.find((p) => p.label === '10k');
  const p100k = byFiles.find((p) => p.label === '100k');
  const peak = Math.max(...byFiles.map((p) => p.job.peakRssBytes));
  const commitsAsPlanned = byFiles.every(
    (p) => p.job.summary.commits === p.job.summary.commitsPlanned,
  );
  return [
    {
      target: 'peak RSS: 100k within 20% of 10k',
      met: p10k && p100k ? p100k.job.peakRssBytes <= 1.2 * p10k.job.peakRssBytes : undefined,
      measured: byFiles.map((p) => `${p.label} ${mib(p.job.peakRssBytes)}`).join(', '),
    },
    {
      target: 'peak RSS < 1.5 GiB',
      met: byFiles.length === 0 ? undefined : peak < 1.5 * GiB,
      measured: `max ${mib(peak)}`,
    },
    {
      target: 'average data file ≥ 64 MB where the data allows',
      // Where the data is smaller, one file per partition per commit is as few as it allows.
      met:
        byFiles.length === 0
          ? undefined
          : byFiles.every(
              (p) =>
                p.tableFiles.averageDataFileBytes >= 64 * MB ||
                p.tableFiles.maxFilesPerPartition <= p.job.summary.commits,
            ),
      measured: byFiles
        .map(
          (p) =>
            `${p.label} ${(p.tableFiles.averageDataFileBytes / MB).toFixed(1)} MB avg of ${(p.tableFiles.dataBytes / MB).toFixed(1)} MB in ${p.tableFiles.dataFiles} files, ≤ ${p.tableFiles.maxFilesPerPartition} per partition`,
        )
        .join('; '),
    },
    {
      target: 'commits as configured, never per file',
      met: byFiles.length === 0 ? undefined : commitsAsPlanned,
      measured: byFiles
        .map((p) => `${p.label} ${p.job.summary.commits}/${p.job.summary.commitsPlanned}`)
        .join(', '),
    },
    {
      target: 're-run ≤ 1.2× listing',
      met: large.length === 0 ? undefined : large.every((p) => rerunRatio(p) <= 1.2),
      measured: byFiles
        .map(
          (p) =>
            `${p.label} ${rerunRatio(p).toFixed(2)} (processes), ${rerunInnerRatio(p).toFixed(2)} (in-process)`,
        )
        .join('; '),
    },
  ];
}

export const mib = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
