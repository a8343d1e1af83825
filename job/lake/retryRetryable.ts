import { LakehouseError } from '../lakehouseError.ts';
import { backoffMs, retryLoop } from '../model/retryLoop.ts';

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
  await retryLoop(action, async (err, made) => {
    if (!(err instanceof LakehouseError && err.retryable && made <= retries)) throw err;
    if (await beforeRetry(err)) return { settled: true };
    return { retryAfterMs: backoffMs(made - 1) };
  });
}
