import { describe, expect, it } from 'vitest';
import { LakehouseError } from '../../job/lakehouseError.ts';
import { retryRetryable } from '../../job/lake/retryRetryable.ts';

const conflict = () => new LakehouseError('commit-conflict', 'lake: someone committed first');

describe('retryRetryable', () => {
  it('retries a retryable error until the action succeeds', async () => {
    let calls = 0;
    await retryRetryable(3, () => {
      calls += 1;
      return calls < 3 ? Promise.reject(conflict()) : Promise.resolve();
    });
    expect(calls).toBe(3);
  });

  it('gives up after the allowed retries with the last error', async () => {
    let calls = 0;
    const action = () => {
      calls += 1;
      return Promise.reject(conflict());
    };
    await expect(retryRetryable(1, action)).rejects.toThrow('someone committed first');
    expect(calls).toBe(2);
  });

  it('never retries an error that cannot get better', async () => {
    let calls = 0;
    const action = () => {
      calls += 1;
      return Promise.reject(new LakehouseError('access-denied', 'lake: not allowed'));
    };
    await expect(retryRetryable(5, action)).rejects.toThrow('not allowed');
    expect(calls).toBe(1);
  });

  it('stops as a success when beforeRetry settles the error (an unknown outcome that landed)', async () => {
    let calls = 0;
    const unknown = new LakehouseError('commit-state-unknown', 'lake: timed out');
    const action = () => {
      calls += 1;
      return Promise.reject(unknown);
    };
    await retryRetryable(5, action, (error) => Promise.resolve(error === unknown));
    expect(calls).toBe(1);
  });
});
