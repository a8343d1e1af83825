import type { BenchResult, PointResult } from './benchResult.ts';
import {
  checkTargets,
  cpuMsPerFile,
  jobFloorRatio,
  jobNaiveSpeedup,
  mib,
  rerunInnerRatio,
  rerunRatio,
} from './benchTargets.ts';

type Row = [label: string, value: (p: PointResult) => string];

const s = (seconds: number): string => (seconds < 10 ? seconds.toFixed(2) : seconds.toFixed(1));
const n = (value: number): string => Math.round(value).toLocaleString('en-US');
const MB = 1e6;

const ROWS: Row[] = [
  ['files (stations × days)', (p) => `${n(p.mirror.files)} (${n(p.mirror.stations)} × ${days(p)})`],
  [
    'rows; avg rows / file; avg KB / file',
    (p) =>
      `${n(p.mirror.rows)}; ${n(p.mirror.rows / p.mirror.files)}; ${(p.mirror.bytes / p.mirror.files / 1000).toFixed(2)}`,
  ],
  [
    '**floor** s (list + GET); CPU s',
    (p) =>
      `**${s(p.floor.wallSeconds)}** (${s(p.floor.result.seconds.list)} + ${s(p.floor.result.seconds.fetch)}); ${s(p.floor.cpuSeconds)}`,
  ],
  ['**job** s; CPU s', (p) => `**${s(p.job.wallSeconds)}**; ${s(p.job.cpuSeconds)}`],
  ['**job / floor**', (p) => `**${jobFloorRatio(p).toFixed(2)}**`],
  [
    'naive statement s; CPU s; rows',
    (p) =>
      p.naive === undefined
        ? '–'
        : `${s(p.naive.wallSeconds)}; ${s(p.naive.cpuSeconds)}; ${n(p.naive.result.rows)}`,
  ],
  [
    '**job speed ÷ naive statement**',
    (p) => {
      const speedup = jobNaiveSpeedup(p);
      return speedup === undefined ? '–' : `**${speedup.toFixed(2)}×**`;
    },
  ],
  [
    'CPU ms / file: job; floor; naive',
    (p) =>
      [p.job, p.floor, ...(p.naive ? [p.naive] : [])]
        .map((run) => cpuMsPerFile(run, p.mirror.files).toFixed(2))
        .join('; '),
  ],
  [
    'files/s; rows/s (job)',
    (p) =>
      `${n(p.mirror.files / p.job.wallSeconds)}; ${n(p.job.summary.rowsCommitted / p.job.wallSeconds)}`,
  ],
  [
    'stages s: list, plan, fetch (+parse+stage), commit',
    (p) => {
      const t = p.job.summary.seconds;
      return `${s(t.list)}, ${s(t.plan)}, ${s(t.fetch)}, ${s(t.commit)}`;
    },
  ],
  [
    'busy s inside fetch: parse, stage',
    (p) => `${s(p.job.summary.seconds.parse)}, ${s(p.job.summary.seconds.stage)}`,
  ],
  ['job in-process total s (start-up = wall − total)', (p) => s(p.job.summary.seconds.total)],
  ['commits / planned', (p) => `${p.job.summary.commits} / ${p.job.summary.commitsPlanned}`],
  [
    'data files; avg MB; max per partition',
    (p) =>
      `${p.tableFiles.dataFiles}; ${(p.tableFiles.averageDataFileBytes / MB).toFixed(2)}; ${p.tableFiles.maxFilesPerPartition}`,
  ],
  [
    '**peak RSS job**; floor',
    (p) => `**${mib(p.job.peakRssBytes)}**; ${mib(p.floor.peakRssBytes)}`,
  ],
  [
    'job RSS peak before the first commit; from it',
    (p) => `${mib(p.job.peakRssBeforeCommitBytes)}; ${mib(p.job.peakRssFromCommitBytes)}`,
  ],
  [
    'MinIO + catalog CPU s during floor; job',
    (p) => `${s(p.floor.serverCpuSeconds)}; ${s(p.job.serverCpuSeconds)}`,
  ],
  ['re-run s; listing-only s', (p) => `${s(p.rerun.wallSeconds)}; ${s(p.listOnly.wallSeconds)}`],
  [
    '**re-run / listing** (processes; in-process)',
    (p) => `**${rerunRatio(p).toFixed(2)}**; ${rerunInnerRatio(p).toFixed(2)}`,
  ],
  ['re-run fetched; commits', (p) => `${p.rerun.summary.filesFetched}; ${p.rerun.summary.commits}`],
  [
    'patched run: files changed; rows replaced; stations recomputed',
    (p) =>
      `${n(p.patchedRun.summary.filesChanged)}; ${n(p.patchedRun.summary.rowsReplaced)}; ${n(p.patchedRun.summary.stationsRecomputed ?? 0)}`,
  ],
  [
    'patched run s (list, commit); delete files after',
    (p) =>
      `${s(p.patchedRun.wallSeconds)} (${s(p.patchedRun.summary.seconds.list)}, ${s(p.patchedRun.summary.seconds.commit)}); ${p.tableFilesAfterPatch.deleteFiles}`,
  ],
  [
    'pieces; most listed files in memory',
    (p) => `${n(p.job.summary.pieces ?? 0)}; ${n(p.job.summary.filesHeldMax ?? 0)}`,
  ],
  [
    'history: nightly files; into history s; into empty s',
    (p) =>
      p.history === undefined
        ? '–'
        : `${n(p.history.mirror.files)}; ${s(p.history.withHistory.wallSeconds)}; ${s(p.history.empty.wallSeconds)}`,
  ],
  [
    'history, 1% patched: files; into history s; into empty s',
    (p) =>
      p.history === undefined
        ? '–'
        : `${n(p.history.patch.files)}; ${s(p.history.withHistoryPatched.wallSeconds)}; ${s(p.history.emptyPatched.wallSeconds)}`,
  ],
];

function days(p: PointResult): number {
  const ms = Date.parse(p.mirror.spec.to) - Date.parse(p.mirror.spec.from);
  return Math.round(ms / 86_400_000) + 1;
}

/** The run as markdown: one column per scale point, then the targets. */
export function benchTable(result: BenchResult): string {
  const m = result.machine;
  const lines = [
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB.toFixed(0)} GiB, ${m.platform}, Node ${m.node}; MinIO and the REST catalog on the same machine.`,
    `Run: ${result.startedAt} – ${result.finishedAt}; window ${result.settings.window.from} … ${result.settings.window.to}; seed ${result.settings.seed}` +
      (Object.keys(result.settings.jobOptions).length > 0
        ? `; job options ${JSON.stringify(result.settings.jobOptions)}`
        : '') +
      (result.settings.profile ? '; job runs under --cpu-prof' : ''),
    '',
    ...(result.points.length === 0
      ? ['No scale point finished.']
      : [
          `| | ${result.points.map((p) => p.label).join(' | ')} |`,
          `|---|${result.points.map(() => '---:').join('|')}|`,
          ...ROWS.map(([label, value]) => `| ${label} | ${result.points.map(value).join(' | ')} |`),
        ]),
    '',
    '| target | met | measured |',
    '|---|:-:|---|',
    ...checkTargets(result.points).map(
      (t) =>
        `| ${t.target} | ${t.met === undefined ? '–' : t.met ? 'yes' : 'no'} | ${t.measured} |`,
    ),
  ];
  if (result.stopped !== undefined) lines.push('', `Stopped early: ${result.stopped}`);
  for (const p of result.points) {
    for (const { thread, summary } of p.profiles ?? []) {
      lines.push(
        '',
        `CPU profile of the ${p.label} job's ${thread} (${s(summary.totalMs / 1000)} s sampled):`,
        '',
        '| self time by area | s | share |',
        '|---|---:|---:|',
        ...summary.areas
          .slice(0, 10)
          .map((a) => `| ${a.name} | ${s(a.selfMs / 1000)} | ${(a.share * 100).toFixed(1)}% |`),
        '',
        '| self time by function | s | share |',
        '|---|---:|---:|',
        ...summary.functions
          .slice(0, 15)
          .map((f) => `| \`${f.name}\` | ${s(f.selfMs / 1000)} | ${(f.share * 100).toFixed(1)}% |`),
      );
    }
  }
  return lines.join('\n') + '\n';
}
