import { LakehouseError } from '../lakehouseError.ts';

/** Jittered exponential backoff: 250 ms doubling per attempt, capped at 30 s, ±50 %. */
export const backoffMs = (attempt: number): number =>
  Math.min(30_000, 250 * 2 ** attempt) * (0.5 + Math.random());

/**
 * Runs `action` until it succeeds, retrying a retryable LakehouseError (conflict, transient,
 * unknown outcome) up to `retries` times with jittered backoff. `beforeRetry` sees each error
 * first and may settle it: resolving to true ends the loop as a success (e.g. the lineage shows an
 * unknown-outcome commit landed).
 */
export async function retryRetryable(
  retries: number,
  action: () => Promise<void>,
  beforeRetry: (error: LakehouseError) => Promise<boolean> = () => Promise.resolve(false),
): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await action();
      return;
    } catch (err) {
      if (!(err instanceof LakehouseError && err.retryable && attempt < retries)) throw err;
      if (await beforeRetry(err)) return;
      await new Promise((wake) => setTimeout(wake, backoffMs(attempt)));
    }
  }
}
