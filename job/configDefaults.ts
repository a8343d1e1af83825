import { NAMESPACE } from './tables.ts';

/** The options' defaults (the CLI's --help shows them). */
export const DEFAULTS = {
  namespace: NAMESPACE,
  sourceBucket: 'openaq-data-archive',
  concurrency: 64,
  commitDays: 31,
  commitFiles: 10_000,
  filesInMemory: 100_000,
  commitRetries: 10,
  maxRejectRate: 0.01,
  lookbackDays: 7,
  memoryLimit: '512MB',
  httpTimeoutSeconds: 300,
} as const;

/**
 * Upper bounds of the load options. A commit stages its files' rows on local disk and inserts them
 * in one statement: 100,000 files is ~34 M rows, whose write spills at the default memory limit
 * and whose failure costs the whole chunk again. Listed files take ~0.5 KB of heap each.
 */
export const LIMITS = {
  commitFiles: 100_000,
  commitDays: 366,
  filesInMemory: 2_000_000,
  /** Two pieces of one station-month (31 days) each. */
  minFilesInMemory: 62,
} as const;
