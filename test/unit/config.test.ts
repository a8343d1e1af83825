import { describe, expect, it } from 'vitest';
import { resolveBackfillConfig, type BackfillOptions } from '../../job/config.ts';
import { resolveLayout } from '../../scripts/lakehouse/layout.ts';

const resolve = (options: Partial<BackfillOptions>, env: Record<string, string> = {}) =>
  resolveBackfillConfig(
    { from: '2024-03-01', to: '2024-03-31', workDir: '/tmp/w', ...options },
    env,
    '/repo',
  );

describe('resolveBackfillConfig', () => {
  it('defaults to the embedded local lakehouse and its archive mirror', () => {
    const config = resolve({});
    expect(config.target).toMatchObject({ kind: 'rest', endpoint: 'http://127.0.0.1:8181' });
    expect(config.source).toMatchObject({
      bucket: 'openaq-data-archive',
      endpoint: 'http://127.0.0.1:9000',
    });
    expect(config.stations).toBe('all');
    expect(config.namespace).toBe('airquality');
    expect(config.duckdb.extensionDirectory).toBe('/repo/.lakehouse/duckdb-extensions');
  });

  it('looks for the extensions where `npm run lakehouse -- install` puts them (OPENAQ_LAKEHOUSE_DIR)', () => {
    const env = { OPENAQ_LAKEHOUSE_DIR: '/data/lakehouse' };
    expect(resolve({}, env).duckdb.extensionDirectory).toBe('/data/lakehouse/duckdb-extensions');
    expect(resolve({}, env).duckdb.extensionDirectory).toBe(resolveLayout(env).extensionDir);
    expect(resolve({ extensionDir: '/x' }, env).duckdb.extensionDirectory).toBe('/x');
  });

  it('follows the local lakehouse ports from the environment', () => {
    const config = resolve(
      {},
      { OPENAQ_LAKEHOUSE_CATALOG_PORT: '18181', OPENAQ_LAKEHOUSE_S3_PORT: '19000' },
    );
    expect(config.target).toMatchObject({
      endpoint: 'http://127.0.0.1:18181',
      storage: { endpoint: '127.0.0.1:19000' },
    });
  });

  it('targets S3 Tables by ARN and reads the public archive unsigned', () => {
    const arn = 'arn:aws:s3tables:us-east-1:123456789012:bucket/openaq';
    const config = resolve({ tableBucketArn: arn });
    expect(config.target).toEqual({ kind: 's3tables', tableBucketArn: arn });
    expect(config.source).toEqual({
      bucket: 'openaq-data-archive',
      region: 'us-east-1',
      credentials: 'anonymous',
    });
  });

  it('parses station ids, deduplicated and sorted', () => {
    expect(resolve({ stations: '8118, 2178,8118' }).stations).toEqual([2178, 8118]);
  });

  it.each([
    [{ from: '2024-02-30' }, 'config: Expected `--from` to be a date YYYY-MM-DD, got `2024-02-30`'],
    [
      { from: '2024-04-01' },
      'config: Expected `--from` (2024-04-01) to be on or before `--to` (2024-03-31)',
    ],
    [
      { stations: '12,abc' },
      'config: Expected `--stations` to be "all", location ids like 2178,8118 or id ranges like 1000-2437 (low <= high, ids >= 1), got `12,abc` (bad part `abc`)',
    ],
    [
      { concurrency: 0 },
      'config: Expected `--concurrency` to be an integer from 1 to 1024, got `0`',
    ],
    [
      { maxRejectRate: 2 },
      'config: Expected `--max-reject-rate` to be a number from 0 to 1, got `2`',
    ],
    [
      { memoryLimit: 'lots' },
      'config: Expected `--memory-limit` to be a size like 2GB or 512MiB, got `lots`',
    ],
    [
      { namespace: 'Air-Quality' },
      'config: Expected `--namespace` to be a lower-case name of letters, digits and _, got `Air-Quality`',
    ],
    [
      { tableBucketArn: 'arn:aws:s3:::bucket' },
      'config: Expected `--table-bucket-arn` (OPENAQ_TABLE_BUCKET_ARN) to be an S3 Tables bucket ARN',
    ],
    [{ catalog: 'rest' }, 'config: Expected `--catalog-uri` to be an http(s) URL, got ``'],
    [
      { sourceCredentials: 'root' },
      'config: Expected `--source-credentials` to be one of anonymous, default-chain, got `root`',
    ],
  ])('rejects %o with a message naming the flag and the accepted values', (options, message) => {
    expect(() => resolve(options as Partial<BackfillOptions>)).toThrow(message);
  });

  it('refuses load limits beyond what a commit or the memory can hold, naming the flag and the limit', () => {
    expect(() => resolve({ commitFiles: 100_001 })).toThrow(
      'config: Expected `--commit-files` to be an integer from 1 to 100000, got `100001`',
    );
    expect(() => resolve({ commitDays: 400 })).toThrow(
      'Expected `--commit-days` to be an integer from 1 to 366, got `400`',
    );
    expect(() => resolve({ filesInMemory: 61 })).toThrow(
      'Expected `--files-in-memory` to be an integer from 62 to 2000000, got `61`',
    );
    expect(resolve({ commitFiles: 100_000 }).commit.files).toBe(100_000);
  });

  it('gives every run a folder of its own under <work-dir>/runs, named by its run id', () => {
    const a = resolve({});
    const b = resolve({});
    expect(a.runDir).toBe(`/tmp/w/runs/${a.runId}`);
    expect(a.duckdb.tempDirectory).toBe(`/tmp/w/runs/${a.runId}/spill`);
    expect(b.runDir).not.toBe(a.runDir);
  });
});
