import { beforeAll, describe, expect, it } from 'vitest';
import { generateArchive } from '../../scripts/mirror/generateArchive.ts';
import { createMirrorBucket, putFiles } from '../helpers/backfillHarness.ts';
import { existingTables } from '../../job/lake/existingTables.ts';
import { dropNamespace, localLake, uniqueNamespace, withLocalLake } from '../helpers/localLake.ts';
import { runCli as cli } from '../helpers/runCli.ts';

describe('the openaq-lakehouse command', () => {
  let bucket: string;
  const window = { from: '2024-06-01', to: '2024-06-03' } as const;
  let fileCount = 0;

  beforeAll(async () => {
    bucket = await createMirrorBucket('it-cli');
    const files = [...generateArchive({ ...window, stations: 10, seed: 2 })];
    fileCount = files.length;
    await putFiles(bucket, files);
  });

  it('--dry-run --json prints the plan (files, bytes, commits) and fetches and commits nothing', async () => {
    const namespace = uniqueNamespace('it_cli');
    try {
      const run = await cli([
        'backfill',
        '--from',
        window.from,
        '--to',
        window.to,
        '--source-bucket',
        bucket,
        '--namespace',
        namespace,
        '--dry-run',
        '--json',
        '--log-level',
        'silent',
      ]);
      expect(run.code).toBe(0);
      const summary = JSON.parse(run.stdout) as Record<string, unknown>;
      for (const key of [
        'filesListed',
        'filesSkipped',
        'filesFetched',
        'filesRejected',
        'rowsCommitted',
        'rowsReplaced',
        'rowsRejected',
        'commits',
        'snapshotIds',
        'commitRetries',
      ]) {
        expect(summary, key).toHaveProperty(key);
      }
      expect(summary).toMatchObject({
        dryRun: true,
        filesListed: fileCount,
        filesNew: fileCount,
        filesFetched: 0,
        commitsPlanned: 1,
        commits: 0,
      });
      expect(summary.bytesPlanned).toBeGreaterThan(0);
      // Planning against a namespace that does not exist yet created nothing in the catalog.
      expect(await withLocalLake((session) => existingTables(session, namespace))).toEqual(
        new Set(),
      );
      const again = await cli([
        'backfill',
        '--from',
        window.from,
        '--to',
        window.to,
        '--source-bucket',
        bucket,
        '--namespace',
        namespace,
        '--dry-run',
        '--json',
        '--log-level',
        'silent',
      ]);
      expect(JSON.parse(again.stdout)).toMatchObject({ filesNew: fileCount, commits: 0 });
    } finally {
      await dropNamespace(namespace);
    }
  });

  it('prints a readable summary table by default and logs JSON on stderr', async () => {
    const namespace = uniqueNamespace('it_cli');
    try {
      const run = await cli([
        'backfill',
        '--from',
        window.from,
        '--to',
        window.to,
        '--source-bucket',
        bucket,
        '--namespace',
        namespace,
      ]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`files listed\\s+${fileCount}\\n`));
      expect(run.stdout).toMatch(/commits\s+1 of 1 planned, 0 retries/);
      const logs = run.stderr
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { msg: string });
      expect(logs.map((l) => l.msg)).toContain('committed');
    } finally {
      await dropNamespace(namespace);
    }
  });

  it('takes options from OPENAQ_* variables, and accepts the local lakehouse ones', async () => {
    const env = {
      ...process.env,
      OPENAQ_COMMIT_DAYS: '1',
      OPENAQ_LAKEHOUSE_S3_PORT: String(localLake.s3Port),
    };
    const run = await cli(
      [
        'backfill',
        '--from',
        window.from,
        '--to',
        window.to,
        '--source-bucket',
        bucket,
        '--dry-run',
        '--json',
        '--log-level',
        'silent',
      ],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ commitsPlanned: 3, filesListed: fileCount });
  });

  it('exits 2 naming the flag when an option is invalid, before touching anything', async () => {
    const run = await cli(['backfill', '--from', '2024-06-03', '--to', '2024-06-01']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'config: Expected `--from` (2024-06-03) to be on or before `--to` (2024-06-01)',
    );
  });

  it('--help lists every option with its default', async () => {
    const run = await cli(['backfill', '--help']);
    expect(run.code).toBe(0);
    for (const option of [
      '--from',
      '--to',
      '--stations',
      '--concurrency',
      '--commit-days',
      '--commit-files',
      '--max-reject-rate',
      '--dry-run',
      '--json',
    ]) {
      expect(run.stdout).toContain(option);
    }
    expect(run.stdout).toMatch(/--concurrency[\s\S]*\[default: 64\]/);
  });
});
