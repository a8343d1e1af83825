import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { feedRuns } from '../../infra/feedRuns.ts';
import { resolveStackConfig } from '../../infra/stackConfig.ts';
import {
  JOB_ENV,
  duckdbMemoryLimit,
  duckdbThreads,
  parseThreads,
  jobEnvironment,
} from '../../infra/jobEnvironment.ts';

const root = resolve(import.meta.dirname, '../..');

/** The long options a CLI command lists in its --help. */
function cliOptions(command: string): Set<string> {
  const help = execFileSync(
    resolve(root, 'node_modules/.bin/node'),
    [resolve(root, 'bin/openaq-lakehouse.js'), command, '--help'],
    { encoding: 'utf8', env: { PATH: process.env.PATH } },
  );
  return new Set([...help.matchAll(/^ {2}--([a-z0-9-]+)/gm)].map((m) => m[1]!));
}

/** OPENAQ_TABLE_BUCKET_ARN → table-bucket-arn (job/commands/envOptions.ts). */
const optionOf = (name: string) =>
  name
    .replace(/^OPENAQ_/, '')
    .toLowerCase()
    .replaceAll('_', '-');

describe('the environment the task sets', () => {
  it('names only options of the nightly command, the image default', () => {
    const options = cliOptions('nightly');
    for (const name of Object.values(JOB_ENV)) expect(options, name).toContain(optionOf(name));
  }, 30_000); // a CLI start: seconds on a busy machine

  it("overrides, in the feed's scheduled runs, only options of the nightly command", () => {
    const options = cliOptions('nightly');
    const runs = feedRuns(
      resolveStackConfig((key) => (key === 'notificationFeed' ? 'true' : undefined)),
    );
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      const [command, ...args] = run.command;
      expect(command).toBe('nightly');
      for (const arg of args.filter((a) => a.startsWith('--'))) {
        expect(options, arg).toContain(arg.slice(2));
      }
    }
  }, 30_000);

  it('carries the bucket, window and DuckDB sizing', () => {
    expect(
      jobEnvironment({
        tableBucketArn: 'arn:aws:s3tables:us-east-1:1:bucket/aq',
        namespace: 'airquality',
        lookbackDays: 7,
        cpu: 1024,
        memory: 4096,
        region: 'us-east-1',
      }),
    ).toEqual([
      { name: 'OPENAQ_TABLE_BUCKET_ARN', value: 'arn:aws:s3tables:us-east-1:1:bucket/aq' },
      { name: 'OPENAQ_NAMESPACE', value: 'airquality' },
      { name: 'OPENAQ_LOOKBACK_DAYS', value: '7' },
      { name: 'OPENAQ_MEMORY_LIMIT', value: '2457MiB' },
      { name: 'OPENAQ_THREADS', value: '1' },
      { name: 'OPENAQ_PARSE_THREADS', value: '1' },
      { name: 'AWS_REGION', value: 'us-east-1' },
    ]);
  });

  it('gives DuckDB 60 % of the memory and a thread per vCPU, at least one', () => {
    expect(duckdbMemoryLimit(512)).toBe('307MiB');
    expect(duckdbMemoryLimit(16384)).toBe('9830MiB');
    expect(duckdbThreads(256)).toBe(1);
    expect(duckdbThreads(4096)).toBe(4);
  });

  it("gives the parser a thread per vCPU beside the main thread's, at least one", () => {
    expect(parseThreads(512)).toBe(1);
    expect(parseThreads(2048)).toBe(1);
    expect(parseThreads(4096)).toBe(3);
  });
});

describe('the commands the README and stack outputs name', () => {
  it('exist with the options used: backfill --from/--to/--table-bucket-arn, empty-tables --yes', () => {
    expect([...cliOptions('backfill')]).toEqual(
      expect.arrayContaining(['from', 'to', 'table-bucket-arn', 'extension-dir']),
    );
    expect([...cliOptions('empty-tables')]).toEqual(
      expect.arrayContaining(['yes', 'table-bucket-arn']),
    );
  }, 60_000); // two CLI starts: seconds each on a busy machine
});
