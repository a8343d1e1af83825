import { setTimeout as sleep } from 'node:timers/promises';

/** What the caller makes of a failed attempt when it does not give up (by throwing). */
export type AfterFailure =
  /** Try again after this many milliseconds. */
  | { readonly retryAfterMs: number }
  /** The failure turned out to be a success (e.g. a commit of unknown outcome that landed). */
  | { readonly settled: true };

/**
 * The one retry loop of the job: runs `attempt` (numbered from 1) until it returns, asking
 * `afterFailure` about each error. `afterFailure` decides everything a policy differs in (which
 * errors are worth another try, how many tries, how long to wait, what to count) and gives up by
 * throwing. Resolves to the attempt's value, or undefined when a failure was settled.
 */
export async function retryLoop<T>(
  attempt: (made: number) => Promise<T>,
  afterFailure: (error: unknown, made: number) => AfterFailure | Promise<AfterFailure>,
): Promise<T | undefined> {
  for (let made = 1; ; made++) {
    try {
      return await attempt(made);
    } catch (err) {
      const next = await afterFailure(err, made);
      if ('settled' in next) return undefined;
      if (next.retryAfterMs > 0) await sleep(next.retryAfterMs);
    }
  }
}

/** Jittered exponential backoff: 250 ms doubling per retry, capped at 30 s, ±50 %. */
export const backoffMs = (retry: number): number =>
  Math.min(30_000, 250 * 2 ** retry) * (0.5 + Math.random());
