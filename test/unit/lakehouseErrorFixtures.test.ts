import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify, type ErrorKind } from '../../job/lakehouseError.ts';

interface Captured {
  readonly scenario: string;
  readonly source: string;
  readonly provenance: string;
  readonly error: {
    name: string;
    message: string;
    Code?: string;
    code?: string;
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
  };
}

const { errors } = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'errors', 'captured.json'), 'utf8'),
) as { errors: Captured[] };

/** The error as thrown: an Error with the captured name, message and AWS SDK fields. */
function rebuild(shape: Captured['error'], message = shape.message): Error {
  const error = Object.assign(new Error(message), shape);
  error.message = message;
  return error;
}

/** Each scenario's class, and for a refused request, the permission the message must name. */
const EXPECTED: Record<string, { kind: ErrorKind; names?: string }> = {
  'emulator-attach': { kind: 'access-denied', names: 's3tables:GetTableBucket' },
  'emulator-create-schema': { kind: 'access-denied', names: 's3tables:GetNamespace' },
  'emulator-select': { kind: 'access-denied', names: 's3tables:GetTableData' },
  'emulator-select-no-metadata-location': {
    kind: 'access-denied',
    names: 's3tables:GetTableMetadataLocation',
  },
  'emulator-insert-no-commit': {
    kind: 'access-denied',
    names: 's3tables:UpdateTableMetadataLocation',
  },
  'emulator-insert-no-put': { kind: 'access-denied', names: 's3tables:PutTableData' },
  'emulator-conflict': { kind: 'commit-conflict' },
  'emulator-no-ca-bundle': { kind: 'setup', names: '/etc/ssl/certs/ca-certificates.crt' },
  'emulator-expired-catalog': { kind: 'credentials-expired' },
  'emulator-expired-data': { kind: 'credentials' },
  's3-expired-list': { kind: 'credentials' },
  's3-missing-key': { kind: 'not-found' },
  'local-missing-table': { kind: 'not-found' },
  'local-unreachable': { kind: 'unreachable' },
  'local-conflict': { kind: 'commit-conflict' },
  'local-commit-503': { kind: 'commit-state-unknown' },
  'duckdb-binder-500': { kind: 'unsupported' },
  'duckdb-conversion-404': { kind: 'unsupported' },
};

describe('classify, on errors captured from the emulator, the local catalog and DuckDB', () => {
  it('has an expectation for every captured error, and every expectation was captured', () => {
    expect(errors.map((e) => e.scenario).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const e of errors) expect(e.provenance.length, e.scenario).toBeGreaterThan(20);
  });

  it.each(errors.map((e) => [e.scenario, e] as const))('%s', (scenario, captured) => {
    const expected = EXPECTED[scenario]!;
    const error = classify(rebuild(captured.error), 'commit airquality.measurements');
    expect(error.kind).toBe(expected.kind);
    if (expected.names) expect(error.message).toContain(expected.names);
  });

  it('never lets a number inside a message change the class', () => {
    for (const captured of errors) {
      const [first, ...rest] = captured.error.message.split('\n');
      for (const noise of [
        ' 500',
        ' 503 timed out',
        ' 404 NotFound',
        ' 403',
        ' 409 Conflict',
        ' 429',
      ]) {
        const noisy = rebuild(captured.error, [`${first}${noise}`, ...rest].join('\n'));
        expect(classify(noisy, 'commit').kind, `${captured.scenario} +${noise}`).toBe(
          EXPECTED[captured.scenario]!.kind,
        );
      }
    }
  });

  it('retries a conflict, an unknown commit outcome and expired credentials, nothing refused', () => {
    const retryable = (scenario: string) =>
      classify(rebuild(errors.find((e) => e.scenario === scenario)!.error), 'commit').retryable;
    expect(retryable('emulator-conflict')).toBe(true);
    expect(retryable('local-commit-503')).toBe(true);
    expect(retryable('emulator-expired-catalog')).toBe(true);
    expect(retryable('emulator-attach')).toBe(false);
    expect(retryable('duckdb-binder-500')).toBe(false);
    expect(retryable('s3-missing-key')).toBe(false);
  });
});
