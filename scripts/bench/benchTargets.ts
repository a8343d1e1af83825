import type { PointResult } from './benchResult.ts';

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
export const rerunInnerRatio = (p: PointResult): number =>
  p.rerun.summary.seconds.total / p.listOnly.result.seconds.total;

/** The targets, each with what this run measured. */
export function checkTargets(points: readonly PointResult[]): TargetCheck[] {
  const byFiles = [...points].sort((a, b) => a.mirror.files - b.mirror.files);
  const large = byFiles.filter((p) => p.mirror.files >= 10_000);
  const ratios = large.map((p) => `${p.label} ${jobFloorRatio(p).toFixed(2)}`);
  const p10k = byFiles.find((p) => p.label === '10k');
  const p100k = byFiles.find((p) => p.label === '100k');
  const peak = Math.max(...byFiles.map((p) => p.job.peakRssBytes));
  const commitsAsPlanned = byFiles.every(
    (p) => p.job.summary.commits === p.job.summary.commitsPlanned,
  );
  return [
    {
      target: 'job / floor ≤ 1.3 at 10k and 100k',
      met: large.length === 0 ? undefined : large.every((p) => jobFloorRatio(p) <= 1.3),
      measured: ratios.join(', ') || 'no point ≥ 10k',
    },
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
