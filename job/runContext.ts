import type { BackfillDependencies } from './backfill.ts';
import type { BackfillConfig } from './config.ts';
import type { Lake } from './lake/lake.ts';
import type { RunSummary } from './model/runSummary.ts';

/** What every step of a run's load shares: where it writes, how it is set up, what it counts. */
export interface RunContext {
  readonly lake: Lake;
  readonly config: BackfillConfig;
  readonly deps: BackfillDependencies;
  readonly summary: RunSummary;
  /** Files done and planned so far, for the progress display. */
  readonly progress: { filesDone: number; filesTotal: number };
}
