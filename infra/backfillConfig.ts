/** The stack config of the Step Functions backfill and nightly (`openaq-lakehouse:<key>`). */
export interface BackfillStackConfig {
  /** Shards running at once (Distributed Map MaxConcurrency). */
  readonly maxConcurrency: number;
  /** Share of shards, 0–100, that may still fail after their retries without failing the run. */
  readonly toleratedFailurePercent: number;
  /** A shard's task is stopped and retried after this many hours. */
  readonly shardTimeoutHours: number;
  /** Retries of a failed or timed-out shard (backoff from 60 s, doubling). */
  readonly shardRetries: number;
  /** The nightly's task is stopped after this many hours. */
  readonly nightlyTimeoutHours: number;
}

export const BACKFILL_CONFIG_DEFAULTS = {
  backfillMaxConcurrency: 8,
  backfillToleratedFailurePercent: 0,
  backfillShardTimeoutHours: 12,
  backfillShardRetries: 2,
  nightlyTimeoutHours: 3,
} as const;

export const BACKFILL_CONFIG_KEYS = Object.keys(BACKFILL_CONFIG_DEFAULTS);

/** Reads the backfill keys through `get`, checks them. */
export function resolveBackfillConfig(
  get: (key: string) => string | undefined,
): BackfillStackConfig {
  const d = BACKFILL_CONFIG_DEFAULTS;
  const int = (key: keyof typeof d, min: number, max: number): number => {
    const raw = get(key)?.trim();
    const value = raw === undefined || raw === '' ? d[key] : Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(
        `config: Expected \`${key}\` to be an integer from ${min} to ${max}, got \`${raw}\``,
      );
    }
    return value;
  };
  return {
    // Step Functions runs up to 10,000 child executions of a Distributed Map at once.
    maxConcurrency: int('backfillMaxConcurrency', 1, 10_000),
    toleratedFailurePercent: int('backfillToleratedFailurePercent', 0, 100),
    // A task state's TimeoutSeconds; Standard executions last at most a year.
    shardTimeoutHours: int('backfillShardTimeoutHours', 1, 24 * 7),
    shardRetries: int('backfillShardRetries', 0, 10),
    nightlyTimeoutHours: int('nightlyTimeoutHours', 1, 24),
  };
}
