import type { BenchMachine } from './benchMachine.ts';
import type { RunSummary } from '../../job/model/runSummary.ts';
import type { ProcessMeasure } from './benchResult.ts';

/** One measured run of `npm run bench:feed`, after its own rewrite of the changed files. */
export interface FeedBenchRun extends ProcessMeasure {
  /** e.g. `feed-driven`, `listing nightly (7 days)`, `reconciliation listing (whole window)`. */
  readonly name: string;
  /** The job's command line (after the CLI path). */
  readonly args: readonly string[];
  /** The window it lists; none for the feed-driven run. */
  readonly window?: { readonly from: string; readonly to: string };
  /** Files rewritten just before it (each run sees its own new versions of the same keys). */
  readonly rewritten: number;
  /** Of those, the ones a run of this kind can see: in its window, or notified. */
  readonly reachable: number;
  /** Files it found changed and loaded (summary.filesChanged). */
  readonly caught: number;
  /** Messages left in the bench's queue after it (the feed-driven run only). */
  readonly queueLeft?: number;
  readonly summary: RunSummary;
}

export interface FeedBenchResult {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: BenchMachine;
  readonly settings: {
    readonly bucket: string;
    readonly seed: number;
    readonly window: { readonly from: string; readonly to: string };
    /** The feed-driven run's long poll: its last, empty receive waits this long. */
    readonly waitSeconds: number;
  };
  readonly mirror: {
    readonly files: number;
    readonly rows: number;
    readonly seededNow: boolean;
    readonly seedSeconds: number;
  };
  /** The whole window loaded into a fresh namespace first: the tables the runs replace rows in. */
  readonly history?: ProcessMeasure & { readonly summary: RunSummary };
  readonly runs: readonly FeedBenchRun[];
  /** Why the bench stopped early, if it did. */
  readonly stopped?: string;
}
