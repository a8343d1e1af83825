import { setTimeout as sleep } from 'node:timers/promises';
import { LakehouseError } from '../lakehouseError.ts';
import type { OnRetry, RetryKind } from '../model/retryCounts.ts';
import { retryLoop } from '../model/retryLoop.ts';

/**
 * A pause shared by every request to one source. S3 answers 503 SlowDown when a prefix gets more
 * requests than it can take: each throttled answer raises the pause for everyone (exponential,
 * capped), and quiet time lowers it again, so a burst slows the whole run down instead of making
 * each request give up on its own.
 */
export class ThrottleGate {
  readonly #baseMs: number;
  readonly #capMs: number;
  #level = 0;
  #pausedUntil = 0;
  #lastThrottleAt = 0;

  constructor(baseMs = 100, capMs = 10_000) {
    this.#baseMs = baseMs;
    this.#capMs = capMs;
  }

  /** Waits while the source is paused. */
  async wait(): Promise<void> {
    const ms = this.#pausedUntil - Date.now();
    if (ms > 0) await sleep(ms);
  }

  /**
   * A throttled answer: returns this request's wait. The first throttle after a pause ended
   * doubles the shared pause; the others of the same round (requests that were already in flight)
   * wait out the current one, so the pause grows per round, not per request.
   */
  throttled(): number {
    const now = Date.now();
    this.#lastThrottleAt = now;
    if (now >= this.#pausedUntil) {
      this.#level = Math.min(this.#level + 1, 16);
      const pause = Math.min(this.#capMs, this.#baseMs * 2 ** this.#level);
      this.#pausedUntil = now + pause * (0.5 + Math.random() / 2);
    }
    return this.#pausedUntil - now + Math.random() * this.#baseMs;
  }

  /** A request that went through: after two quiet seconds, the pause steps down. */
  succeeded(): void {
    if (this.#level > 0 && Date.now() - this.#lastThrottleAt > 2_000) {
      this.#level -= 1;
      this.#lastThrottleAt = Date.now();
    }
  }
}

export interface RetryPolicy {
  /** Attempts for 5xx, resets, timeouts and bad bodies, the first included. */
  readonly maxAttempts: number;
  /** Attempts for throttling, the first included: more, since the pause adapts. */
  readonly maxThrottledAttempts: number;
  readonly gate: ThrottleGate;
  readonly onRetry: OnRetry;
}

/**
 * Runs one source request until it succeeds, retrying transient failures per request (not from a
 * budget shared by the client, which one burst of throttling exhausts for everybody). `attempt`
 * throws LakehouseErrors whose cause is the AWS error, if any. The error that ends the loop says
 * how many attempts were really made.
 */
export async function retrySourceRequest<T>(
  policy: RetryPolicy,
  describe: string,
  attempt: () => Promise<T>,
): Promise<T> {
  const value = await retryLoop(
    async () => {
      await policy.gate.wait();
      const result = await attempt();
      policy.gate.succeeded();
      return { result };
    },
    (err, made) => {
      if (!(err instanceof LakehouseError) || !err.retryable) throw err;
      const throttled = isThrottle(err);
      const limit = throttled ? policy.maxThrottledAttempts : policy.maxAttempts;
      if (made >= limit) {
        throw new LakehouseError(
          err.kind,
          `${err.message}; gave up ${describe} after ${made} attempt${made === 1 ? '' : 's'}`,
          { cause: err },
        );
      }
      policy.onRetry(retryKindOf(err, throttled));
      const own = Math.random() * Math.min(20_000, 100 * 2 ** made);
      return { retryAfterMs: throttled ? policy.gate.throttled() : own };
    },
  );
  // Never settled: every failure above either retries or throws.
  return value!.result;
}

/** A body whose size or MD5 did not match the object's listing or ETag: fetched again. */
export class CorruptBodyError extends LakehouseError {
  /** The MD5 of the bytes, when they failed the MD5 check: the same bytes twice are what is stored. */
  readonly md5: string | undefined;
  constructor(message: string, md5?: string) {
    super('transient', message);
    this.name = 'CorruptBodyError';
    this.md5 = md5;
  }
}

const THROTTLE_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequests',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

/** Throttling, read from the AWS error's code and HTTP status (a bodiless 503 is S3's SlowDown). */
export function isThrottle(err: LakehouseError): boolean {
  const cause = err.cause as {
    name?: unknown;
    Code?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  if (typeof cause !== 'object' || cause === null) return false;
  const status = cause.$metadata?.httpStatusCode;
  return (
    THROTTLE_CODES.has(String(cause.name)) ||
    THROTTLE_CODES.has(String(cause.Code)) ||
    status === 429 ||
    status === 503
  );
}

function retryKindOf(err: LakehouseError, throttled: boolean): RetryKind {
  if (throttled) return 'sourceThrottled';
  if (err instanceof CorruptBodyError) return 'sourceCorruptBody';
  return 'sourceTransient';
}
