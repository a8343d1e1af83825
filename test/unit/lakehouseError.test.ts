import { describe, expect, it } from 'vitest';
import { LakehouseError, classify } from '../../job/lakehouseError.ts';

const duckdb = (message: string): Error => new Error(message);

describe('classify', () => {
  it.each([
    [
      "TransactionContext Error: Failed to commit: Request to 'http://x/v1/transactions/commit' returned a non-200 status code (Conflict_409), type: CommitFailedException",
      'commit-conflict',
      true,
    ],
    [
      'HTTP Error: Forbidden (HTTP code 403)\n\nSignatureDoesNotMatch: The request signature we calculated does not match',
      'credentials',
      false,
    ],
    [
      "IO Error: Could not connect to server error for HTTP GET to 'http://127.0.0.1:8199/v1/config'",
      'unreachable',
      false,
    ],
    [
      'Out of Memory Error: failed to pin block of size 256.0 KiB (1.0 GiB/1.0 GiB used)',
      'setup',
      false,
    ],
    [
      'Not implemented Error: MERGE INTO with Iceberg only supports a single UPDATE/DELETE action currently',
      'unsupported',
      false,
    ],
    ['Failed to retrieve bind parameter index', 'unsupported', false],
    // Captured from the commit-fault suite: the catalog applied a commit whose answer was lost,
    // DuckDB re-sent it, met 409 and tried to remove the landed snapshot's file as the job's user.
    [
      'TransactionContext Error: Failed to commit: Could not remove file "s3://warehouse/ns/measurements/data/month_datetime_local_5=654/01a2.parquet": Forbidden',
      'commit-state-unknown',
      true,
    ],
    ['HTTP Error: Service Unavailable (HTTP code 503) SlowDown', 'transient', true],
    ['something nobody has seen before', 'unknown', true],
  ])('%s → %s', (message, kind, retryable) => {
    const error = classify(duckdb(message), 'commit airquality');
    expect(error).toBeInstanceOf(LakehouseError);
    expect(error.kind).toBe(kind);
    expect(error.retryable).toBe(retryable);
    expect(error.message).toMatch(/^lake: cannot commit airquality: /);
  });

  it('tells what to do when DuckDB runs out of memory', () => {
    expect(
      classify(duckdb('Out of Memory Error: could not allocate block'), 'commit').message,
    ).toContain('raise --memory-limit (OPENAQ_MEMORY_LIMIT) or commit less at a time');
  });

  it('keeps an error that is already classified', () => {
    const original = new LakehouseError('credentials', 'source: refused');
    expect(classify(original, 'anything')).toBe(original);
  });
});
