import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LakehouseError } from '../../job/lakehouseError.ts';
import { noRetries } from '../../job/model/retryCounts.ts';
import {
  CorruptBodyError,
  ThrottleGate,
  retrySourceRequest,
} from '../../job/source/sourceRetries.ts';
import { verifyBody } from '../../job/source/verifyBody.ts';

const body = new TextEncoder().encode('location_id,sensors_id\n1,2\n');
const md5 = createHash('md5').update(body).digest('hex');

describe('verifyBody', () => {
  it('accepts bytes whose MD5 is the ETag, and says it checked them', () => {
    expect(
      verifyBody('s3://b/k', body, { etag: md5, contentLength: body.length }, undefined, true),
    ).toBe(md5);
  });
  it.each([
    [
      'a body shorter than its Content-Length',
      { etag: md5, contentLength: body.length + 5 },
      undefined,
    ],
    [
      'a body shorter than listed under the same ETag',
      { etag: 'abc-2' },
      { etag: 'abc-2', size: body.length + 1 },
    ],
    [
      'bytes whose MD5 is not the ETag',
      { etag: md5.replace(/^./, '0'), contentLength: body.length },
      undefined,
    ],
  ])('refuses %s as a transient fault naming the object', (_case, response, expected) => {
    const error = (() => {
      try {
        verifyBody('s3://b/k', body, response, expected, true);
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(CorruptBodyError);
    expect((error as LakehouseError).retryable).toBe(true);
    expect((error as Error).message).toContain('s3://b/k');
  });
  it('cannot check a multipart ETag, and a rewritten object is not held to the old listing', () => {
    expect(verifyBody('s3://b/k', body, { etag: 'abc-2' }, undefined, true)).toBeUndefined();
    expect(verifyBody('s3://b/k', body, { etag: md5 }, { etag: 'older', size: 1 }, true)).toBe(md5);
  });
});

describe('retrySourceRequest', () => {
  const throttle = (): LakehouseError =>
    new LakehouseError('transient', 'source: SlowDown', {
      cause: Object.assign(new Error('Reduce your request rate'), {
        name: 'SlowDown',
        $metadata: { httpStatusCode: 503 },
      }),
    });

  it('retries throttling per request up to its own limit, counts each retry and reports the true attempts', async () => {
    const counts = noRetries();
    let attempts = 0;
    const error = await retrySourceRequest(
      {
        maxAttempts: 2,
        maxThrottledAttempts: 4,
        gate: new ThrottleGate(1, 5),
        onRetry: (kind) => (counts[kind] += 1),
      },
      'reading s3://b/k',
      () => {
        attempts += 1;
        return Promise.reject(throttle());
      },
    ).catch((err: unknown) => err);
    expect(attempts).toBe(4);
    expect(counts.sourceThrottled).toBe(3);
    expect((error as Error).message).toContain('after 4 attempts');
  });

  it('counts a bad body apart from other transient faults, and stops at once on a terminal error', async () => {
    const counts = noRetries();
    let attempts = 0;
    const policy = {
      maxAttempts: 3,
      maxThrottledAttempts: 3,
      gate: new ThrottleGate(1, 5),
      onRetry: (kind: keyof typeof counts) => (counts[kind] += 1),
    };
    const value = await retrySourceRequest(policy, 'reading', () => {
      attempts += 1;
      if (attempts === 1) return Promise.reject(new CorruptBodyError('source: short'));
      return Promise.resolve('ok');
    });
    expect(value).toBe('ok');
    expect(counts.sourceCorruptBody).toBe(1);
    const denied = await retrySourceRequest(policy, 'reading', () =>
      Promise.reject(new LakehouseError('access-denied', 'source: denied')),
    ).catch((err: unknown) => err);
    expect((denied as LakehouseError).kind).toBe('access-denied');
    expect(counts.sourceTransient).toBe(0);
  });
});
