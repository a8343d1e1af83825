import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveBackfillConfig, type BackfillOptions } from '../../job/config.ts';
import type { LocalLakehouse } from '../../job/localLakehouse.ts';
import type { RunSummary } from '../../job/model/runSummary.ts';
import { MEASUREMENTS } from '../../job/tables.ts';
import type { ArchiveDay } from '../../job/model/archiveDay.ts';
import type { BenchArchiveSpec } from './benchArchive.ts';
import { ensureBenchMirror, patchBenchMirror, type MirrorManifest } from './benchMirror.ts';
import type {
  FloorRun,
  HistoryResult,
  JobRun,
  NaiveRun,
  PointResult,
  ProcessMeasure,
  ThreadProfile,
} from './benchResult.ts';
import { NIGHTLY_FILES, nightlyWindow } from './benchWindow.ts';
import { cpuProfileSummary } from './cpuProfileSummary.ts';
import { dropBenchNamespace } from './dropBenchNamespace.ts';
import type { FloorResult } from './floorProcess.ts';
import { jobArgs } from './jobArgs.ts';
import { measuredChild } from './measuredChild.ts';
import type { NaiveResult } from './naiveStatementProcess.ts';
import type { ChildRun } from './runChild.ts';
import { tableDataFiles, type TableDataFiles } from './tableDataFiles.ts';
import { cliArgv } from '../../job/model/nodeFlags.ts';

export interface ScalePoint {
  /** e.g. `10k`; names the mirror bucket `bench-10k`. */
  readonly label: string;
  readonly files: number;
}

export interface PointContext {
  readonly root: string;
  readonly lake: LocalLakehouse;
  readonly seed: number;
  readonly window: { readonly from: ArchiveDay; readonly to: ArchiveDay };
  /** Extra job options (e.g. concurrency, memory limit), given to the floor too where they apply. */
  readonly jobOptions: Partial<BackfillOptions>;
  /** Unique per bench run: names namespaces and work folders. */
  readonly runTag: string;
  readonly workRoot: string;
  readonly profileDir?: string;
  readonly keep: boolean;
  /** performance.now() after which children are killed. */
  readonly deadline: number;
  /** Whether to measure the history (see HistoryResult) on this point. */
  readonly history: boolean;
  /** Whether to run the naive statement on this point (it takes ~3 ms of CPU per file). */
  readonly naive: boolean;
  /** Pids of the local MinIO and REST catalog, whose CPU is counted per phase. */
  readonly serverPids: readonly number[];
  readonly log: (line: string) => void;
}

/**
 * One scale point: seed (or reuse) its mirror, then in this order and each as its own process:
 * the floor, the job into a fresh namespace, a listing-only pass, the job again (nothing new), a
 * patch of 1% of the files and the job once more. Table files are counted after the runs.
 */
export async function runScalePoint(point: ScalePoint, ctx: PointContext): Promise<PointResult> {
  const { bucket, namespace, work, spec, mirror, base, config } = await preparePoint(point, ctx);
  const naiveScript = join(ctx.root, 'scripts', 'bench', 'naiveStatementProcess.ts');
  const naiveNamespace = `${namespace}_naive`;

  const { floorRun, jobRun, measured } = pointRunners(point, ctx, base);

  try {
    // The floor gets a work folder of its own: no station cache, like the job's first run.
    const floor = await floorRun('floor', { ...base, workDir: join(work, 'floor') }, false);
    const profileDir = ctx.profileDir === undefined ? undefined : join(ctx.profileDir, point.label);
    if (profileDir !== undefined) await mkdir(profileDir, { recursive: true });
    const job = await jobRun('job', profileDir, true);
    const naive = ctx.naive
      ? await naiveRun(measured, naiveScript, {
          ...base,
          namespace: naiveNamespace,
          workDir: join(work, 'naive'),
        })
      : undefined;
    const tableFiles = await tableDataFiles(config, ctx.lake, namespace, MEASUREMENTS.name);
    const listOnly = await floorRun('listing only', base, true);
    const rerun = await jobRun('re-run');
    const patched = await measurePatchedRun(ctx, bucket, mirror.manifest, spec, async (what) => ({
      run: await jobRun(what),
      tableFiles: await tableDataFiles(config, ctx.lake, namespace, MEASUREMENTS.name),
    }));
    const history = ctx.history
      ? await measureHistory(ctx, namespace, (what, ns, nightly) =>
          jobRun(what, undefined, false, {
            ...base,
            ...nightly,
            namespace: ns,
          }),
        )
      : undefined;
    const profiles =
      profileDir === undefined ? undefined : await summarizeProfiles(profileDir, ctx.root);
    return {
      label: point.label,
      bucket,
      namespace,
      mirror: { ...mirror.manifest, seededNow: mirror.seeded, seedSeconds: mirror.seconds },
      floor,
      job,
      ...(naive ? { naive } : {}),
      tableFiles,
      listOnly,
      rerun,
      ...patched,
      ...(profiles ? { profiles } : {}),
      ...(history ? { history } : {}),
    };
  } finally {
    if (!ctx.keep) {
      for (const ns of [namespace, naiveNamespace]) {
        await dropBenchNamespace(config, ctx.lake, ns).catch((err: unknown) =>
          ctx.log(`bench: could not drop ${ns}: ${String(err)}`),
        );
      }
      await rm(work, { recursive: true, force: true });
    }
  }
}

/** The point's mirror (seeded or reused), its namespace, work folder and the job's options. */
async function preparePoint(point: ScalePoint, ctx: PointContext) {
  const bucket = `bench-${point.label}`;
  const namespace = `bench_${point.label}_${ctx.runTag}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const work = join(ctx.workRoot, point.label);
  await rm(work, { recursive: true, force: true });
  const spec = { targetFiles: point.files, seed: ctx.seed, ...ctx.window };
  const mirror = await ensureBenchMirror(ctx.lake, bucket, spec, ctx.log);
  ctx.log(
    `bench ${point.label}: ${mirror.manifest.files} files, ${mirror.manifest.rows} rows in ${bucket}` +
      (mirror.seeded ? ` (seeded in ${mirror.seconds.toFixed(0)} s)` : ' (reused)'),
  );
  const base: BackfillOptions = {
    ...ctx.jobOptions,
    from: ctx.window.from,
    to: ctx.window.to,
    sourceBucket: bucket,
    namespace,
    workDir: join(work, 'job'),
  };
  const config = resolveBackfillConfig(base, process.env, ctx.root);
  return { bucket, namespace, work, spec, mirror, base, config };
}

/**
 * 1% of the mirror's files patched (new versions), the job run once more and the table's files
 * counted, then the originals put back.
 */
async function measurePatchedRun(
  ctx: PointContext,
  bucket: string,
  manifest: MirrorManifest,
  spec: BenchArchiveSpec,
  run: (what: string) => Promise<{ run: JobRun; tableFiles: TableDataFiles }>,
) {
  const patch = await patchBenchMirror(ctx.lake, bucket, manifest, ctx.seed + 1);
  const patched = await run(`run after patching ${patch.files} files`);
  await ensureBenchMirror(ctx.lake, bucket, spec, ctx.log); // puts the originals back
  return { patch, patchedRun: patched.run, tableFilesAfterPatch: patched.tableFiles };
}

type Measured = (
  what: string,
  args: string[],
  onStderrLine?: (line: string) => void,
) => Promise<ProcessMeasure & { child: ChildRun }>;

/** The point's measured processes: the floor (or a listing-only pass) and the job. */
function pointRunners(point: ScalePoint, ctx: PointContext, base: BackfillOptions) {
  const cli = cliArgv(ctx.root);
  const floorScript = join(ctx.root, 'scripts', 'bench', 'floorProcess.ts');
  const measured: Measured = (what, args, onStderrLine) =>
    measuredChild(ctx, `${point.label} ${what}`, args, onStderrLine);
  const floorRun = async (
    what: string,
    options: BackfillOptions,
    listOnly: boolean,
  ): Promise<FloorRun> => {
    const { child, ...measure } = await measured(what, [
      floorScript,
      JSON.stringify(options),
      ...(listOnly ? ['--list-only'] : []),
    ]);
    return { ...measure, result: JSON.parse(child.stdout) as FloorResult };
  };
  const jobRun = async (
    what: string,
    profileDir?: string,
    keepSeries = false,
    options: BackfillOptions = base,
  ): Promise<JobRun> => {
    const profile = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
    // The job's info logs mark when each commit starts, to split its RSS into load and commit.
    const spawnedAt = Date.now();
    let firstCommitAt = Number.POSITIVE_INFINITY;
    const { child, ...measure } = await measured(
      what,
      [...profile, ...cli, ...jobArgs(options, 'info')],
      (line) => {
        if (!line.includes('"committing"')) return;
        const time = (JSON.parse(line) as { time?: number }).time;
        if (time !== undefined) firstCommitAt = Math.min(firstCommitAt, (time - spawnedAt) / 1000);
      },
    );
    const peak = (keep: (t: number) => boolean): number =>
      Math.max(0, ...child.rssSeries.filter(([t]) => keep(t)).map(([, rss]) => rss));
    return {
      ...measure,
      summary: JSON.parse(child.stdout) as RunSummary,
      peakRssBeforeCommitBytes: peak((t) => t < firstCommitAt),
      peakRssFromCommitBytes: peak((t) => t >= firstCommitAt),
      ...(keepSeries ? { rssSeries: downsample(child.rssSeries, 200) } : {}),
    };
  };

  return { floorRun, jobRun, measured };
}

/** The naive contender (see naiveStatementProcess.ts), as its own measured process. */
async function naiveRun(
  measured: (what: string, args: string[]) => Promise<ProcessMeasure & { child: ChildRun }>,
  script: string,
  options: BackfillOptions,
): Promise<NaiveRun> {
  const { child, ...measure } = await measured('naive statement', [
    script,
    JSON.stringify(options),
  ]);
  return { ...measure, result: JSON.parse(child.stdout) as NaiveResult };
}

/**
 * The history measurement: a nightly-sized window (the week after the point's window, ~1,000
 * stations) loaded into the point's tables, which hold the whole point, and into empty ones; then
 * 1% of its files patched and both loaded again. The order alternates (empty first, then history
 * first), so that a cache warmed by the run before favours each side once.
 */
async function measureHistory(
  ctx: PointContext,
  historyNamespace: string,
  run: (
    what: string,
    namespace: string,
    nightly: { from: ArchiveDay; to: ArchiveDay; sourceBucket: string },
  ) => Promise<JobRun>,
): Promise<HistoryResult> {
  const window = nightlyWindow(ctx.window);
  const bucket = `bench-nightly-${window.from.replace(/-/g, '')}`;
  const spec = { targetFiles: NIGHTLY_FILES, seed: ctx.seed, ...window };
  const mirror = await ensureBenchMirror(ctx.lake, bucket, spec, ctx.log);
  const emptyNamespace = `${historyNamespace}_empty`;
  const nightly = { ...window, sourceBucket: bucket };
  try {
    const empty = await run('nightly into empty tables', emptyNamespace, nightly);
    const withHistory = await run('nightly into the history', historyNamespace, nightly);
    const patch = await patchBenchMirror(ctx.lake, bucket, mirror.manifest, ctx.seed + 1);
    const withHistoryPatched = await run(
      'patched nightly into the history',
      historyNamespace,
      nightly,
    );
    const emptyPatched = await run(
      'patched nightly into the other tables',
      emptyNamespace,
      nightly,
    );
    await ensureBenchMirror(ctx.lake, bucket, spec, ctx.log); // puts the originals back
    return {
      bucket,
      mirror: mirror.manifest,
      empty,
      withHistory,
      patch,
      emptyPatched,
      withHistoryPatched,
    };
  } finally {
    if (!ctx.keep) {
      const config = resolveBackfillConfig(
        { ...nightly, namespace: emptyNamespace },
        process.env,
        ctx.root,
      );
      await dropBenchNamespace(config, ctx.lake, emptyNamespace).catch((err: unknown) =>
        ctx.log(`bench: could not drop ${emptyNamespace}: ${String(err)}`),
      );
    }
  }
}

/** At most about `points` samples, keeping each stretch's highest. */
function downsample(
  series: readonly (readonly [number, number])[],
  points: number,
): (readonly [number, number])[] {
  const step = Math.ceil(series.length / points);
  const out: (readonly [number, number])[] = [];
  for (let i = 0; i < series.length; i += step) {
    const stretch = series.slice(i, i + step);
    out.push(stretch.reduce((a, b) => (b[1] > a[1] ? b : a)));
  }
  return out;
}

/**
 * Each thread's profile of the job run: V8 names them `CPU.<date>.<time>.<pid>.<thread>.<n>`,
 * thread 0 being the main thread.
 */
async function summarizeProfiles(dir: string, root: string): Promise<ThreadProfile[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile')).sort();
  const profiles: ThreadProfile[] = [];
  for (const name of names) {
    const thread = Number(name.split('.').at(-3));
    profiles.push({
      thread: thread === 0 ? 'main thread' : `parser thread ${thread}`,
      summary: await cpuProfileSummary(join(dir, name), root),
    });
  }
  return profiles;
}
