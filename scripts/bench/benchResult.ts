import type { BenchMachine } from './benchMachine.ts';
import type { RunSummary } from '../../job/model/runSummary.ts';
import type { ProfileSummary } from './cpuProfileSummary.ts';
import type { FloorResult } from './floorProcess.ts';
import type { MirrorManifest } from './benchMirror.ts';
import type { NaiveResult } from './naiveStatementProcess.ts';
import type { TableDataFiles } from './tableDataFiles.ts';

export interface ThreadProfile {
  /** `main thread` or `parser thread N`. */
  readonly thread: string;
  readonly summary: ProfileSummary;
}

/** One child process as measured from outside. */
export interface ProcessMeasure {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
  /** CPU seconds the local MinIO and REST catalog spent meanwhile (they share the machine). */
  readonly serverCpuSeconds: number;
}

export interface FloorRun extends ProcessMeasure {
  readonly result: FloorResult;
}

/** The naive contender: one DuckDB INSERT … SELECT FROM read_csv(glob) into a fresh table. */
export interface NaiveRun extends ProcessMeasure {
  readonly result: NaiveResult;
}

export interface JobRun extends ProcessMeasure {
  readonly summary: RunSummary;
  /** Peak RSS sampled before the first commit started (list, fetch, parse, stage) and after. */
  readonly peakRssBeforeCommitBytes: number;
  readonly peakRssFromCommitBytes: number;
  /** RSS over the run, [seconds, bytes], at most ~200 points; the first job run only. */
  readonly rssSeries?: readonly (readonly [number, number])[];
}

/** Everything measured for one scale point, in one bench run. */
export interface PointResult {
  readonly label: string;
  readonly bucket: string;
  readonly namespace: string;
  readonly mirror: MirrorManifest & { readonly seededNow: boolean; readonly seedSeconds: number };
  readonly floor: FloorRun;
  readonly job: JobRun;
  /** Absent in results written before the contender was added. */
  readonly naive?: NaiveRun;
  readonly tableFiles: TableDataFiles;
  /** Listing the window only, with the job's station cache as a re-run has it. */
  readonly listOnly: FloorRun;
  readonly rerun: JobRun;
  readonly patch: { readonly files: number; readonly rows: number };
  readonly patchedRun: JobRun;
  readonly tableFilesAfterPatch: TableDataFiles;
  /** One per JavaScript thread of the first job run: the main thread, then the parser threads. */
  readonly profiles?: readonly ThreadProfile[];
  /** The history measurement, on the largest point only. */
  readonly history?: HistoryResult;
}

/**
 * A nightly-sized window loaded into empty tables and into the point's tables (which hold its
 * whole window: the history), then again after 1% of the nightly's files were patched.
 */
export interface HistoryResult {
  readonly bucket: string;
  readonly mirror: MirrorManifest;
  readonly empty: JobRun;
  readonly withHistory: JobRun;
  readonly patch: { readonly files: number; readonly rows: number };
  readonly emptyPatched: JobRun;
  readonly withHistoryPatched: JobRun;
}

export interface BenchResult {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: BenchMachine;
  readonly settings: {
    readonly seed: number;
    readonly window: { readonly from: string; readonly to: string };
    readonly jobOptions: Readonly<Record<string, unknown>>;
    readonly profile: boolean;
  };
  readonly points: readonly PointResult[];
  /** Why the bench stopped early (a timeout or a failure), if it did. */
  readonly stopped?: string;
}
