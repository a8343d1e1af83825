import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateArchive } from '../../scripts/mirror/generateArchive.ts';
import { REPO_ROOT, createMirrorBucket, putFiles } from '../helpers/backfillHarness.ts';
import { dropNamespace, uniqueNamespace } from '../helpers/localLake.ts';
import { runCli } from '../helpers/runCli.ts';

const namespace = uniqueNamespace('it_ops');
const FIRST = { from: '2024-07-01', to: '2024-07-03' } as const;
const LATER = { from: '2024-07-04', to: '2024-07-05' } as const;
let bucket: string;
let firstFiles = 0;
let firstRows = 0;
let laterRows = 0;

const lake = () => ['--namespace', namespace];
const load = (window: { from: string; to: string }) =>
  runCli([
    'backfill',
    '--from',
    window.from,
    '--to',
    window.to,
    '--source-bucket',
    bucket,
    ...lake(),
    '--json',
    '--log-level',
    'warn',
  ]);
const count = async (table: string, extra: string[] = []): Promise<number> => {
  const run = await runCli([
    'query',
    `SELECT count(*) AS n FROM ${table}`,
    ...lake(),
    '--json',
    ...extra,
  ]);
  expect(run.code, run.stderr).toBe(0);
  return Number((JSON.parse(run.stdout) as { n: string | number }[])[0]?.n);
};

describe('operator commands on the local lakehouse', () => {
  beforeAll(async () => {
    bucket = await createMirrorBucket('it-ops');
    const first = [...generateArchive({ ...FIRST, stations: 12, seed: 8 })];
    const later = [...generateArchive({ ...LATER, stations: 12, seed: 8 })];
    firstFiles = first.length;
    firstRows = first.reduce((n, f) => n + f.rows.length, 0);
    laterRows = later.reduce((n, f) => n + f.rows.length, 0);
    await putFiles(bucket, [...first, ...later]);
    expect((await load(FIRST)).code).toBe(0);
  });

  afterAll(async () => {
    await dropNamespace(namespace);
  });

  it('query --as-of returns the earlier row count after a later run added rows', async () => {
    const snapshots = await runCli(['snapshots', ...lake(), '--json']);
    expect(snapshots.code, snapshots.stderr).toBe(0);
    const history = JSON.parse(snapshots.stdout) as { snapshot_id: string; committed_at: string }[];
    expect(history).toHaveLength(1);
    const afterFirst = history[0]!;

    expect((await load(LATER)).code).toBe(0);
    expect(await count('measurements')).toBe(firstRows + laterRows);
    expect(await count('measurements', ['--as-of', afterFirst.snapshot_id])).toBe(firstRows);
    expect(await count('measurements', ['--as-of', afterFirst.committed_at])).toBe(firstRows);
    expect(await count('measurements', ['--as-of', '2000-01-01T00:00:00Z'])).toBe(0);
  });

  it('query runs named reports and prints a table, JSON or CSV', async () => {
    const overview = await runCli(['query', '--report', 'overview', ...lake(), '--json']);
    expect(overview.code, overview.stderr).toBe(0);
    expect(JSON.parse(overview.stdout)).toEqual([
      expect.objectContaining({
        rows: String(firstRows + laterRows),
        stations: expect.any(String) as string,
        rejects: '0',
      }),
    ]);
    const csv = await runCli([
      'query',
      '--report',
      'active',
      '--days',
      '30',
      '--limit',
      '3',
      ...lake(),
      '--csv',
    ]);
    const lines = csv.stdout.trim().split('\r\n');
    expect(lines[0]).toBe('location_id,location,readings,parameters,last_reading');
    expect(lines).toHaveLength(4);
    const table = await runCli([
      'query',
      '--report',
      'trend',
      '--parameter',
      'pm25',
      '--days',
      '30',
      ...lake(),
    ]);
    expect(table.stdout).toMatch(/^\s*day\s+mean\s+min\s+max\s+readings\s+stations\n-+/);
    const bad = await runCli(['query', 'SELECT nonsense FROM measurements', ...lake()]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('lake: cannot run the query');
  });

  it('query runs SQL read-only: no table changes, no files, no unredacted secrets', async () => {
    const refused = async (sql: string): Promise<string> => {
      const run = await runCli(['query', sql, ...lake()]);
      expect(run.code, sql).toBe(1);
      return run.stderr;
    };
    expect(await refused(`DELETE FROM lake.${namespace}.measurements WHERE true`)).toContain(
      'read-only',
    );
    expect(await refused('SELECT * FROM duckdb_secrets(redact=false)')).toContain(
      'unredacted secrets is disabled',
    );
    expect(await refused("SELECT * FROM read_text('/etc/hostname')")).toContain(
      'disabled by configuration',
    );
    expect(await refused("COPY (SELECT 1) TO '/tmp/openaq-query-copy.csv'")).toContain(
      'disabled by configuration',
    );
    expect(await refused('SET enable_external_access = true')).toContain('locked');
    const secrets = await runCli([
      'query',
      'SELECT secret_string FROM duckdb_secrets()',
      ...lake(),
      '--json',
    ]);
    expect(secrets.stdout).toContain('secret=redacted');
    expect(secrets.stdout).not.toContain('password');
  });

  it('status reports the tables, the last run, freshness, rejects and the coverage of a window', async () => {
    const run = await runCli(['status', ...lake(), '--source-bucket', bucket, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const status = JSON.parse(run.stdout) as {
      reachable: boolean;
      tables: { table: string; rows: number; snapshots: number }[];
      lastRun: { command: string; exitCode: number; window: string };
      latestArchiveDay: string;
      rejects: number;
      coverage: { day: string; listed: number; loaded: number }[];
    };
    expect(status.reachable).toBe(true);
    expect(status.tables.find((t) => t.table === 'measurements')).toMatchObject({
      rows: firstRows + laterRows,
      snapshots: 2,
    });
    expect(status.lastRun).toMatchObject({
      command: 'backfill',
      exitCode: 0,
      window: `${LATER.from} … ${LATER.to}`,
    });
    expect(status.latestArchiveDay).toBe(LATER.to);
    expect(status.rejects).toBe(0);
    expect(status.coverage.map((d) => d.day)).toEqual([
      '2024-06-29',
      '2024-06-30',
      '2024-07-01',
      '2024-07-02',
      '2024-07-03',
      '2024-07-04',
      '2024-07-05',
    ]);
    expect(status.coverage.every((d) => d.loaded === d.listed)).toBe(true);
    expect(status.coverage.slice(2).reduce((n, d) => n + d.listed, 0)).toBeGreaterThan(firstFiles);

    const text = await runCli(['status', ...lake(), '--source-bucket', bucket]);
    expect(text.stdout).toContain('reachable');
    expect(text.stdout).toMatch(/2024-07-05 {2}█{20} \d+\/\d+/);
    expect(text.stdout).toMatch(/rows\/day {2}[▁▂▃▄▅▆▇█]+/);
  });

  it('nightly works out its window itself: the last N archive days ending yesterday', async () => {
    const run = await runCli([
      'nightly',
      '--lookback-days',
      '3',
      '--source-bucket',
      bucket,
      ...lake(),
      '--dry-run',
      '--json',
      '--log-level',
      'silent',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const from = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    expect(JSON.parse(run.stdout)).toMatchObject({ window: { from, to: yesterday }, dryRun: true });
  });

  it('draws a progress line on a terminal, and logs nothing but JSON off one', async () => {
    const progressNamespace = uniqueNamespace('it_tty');
    try {
      const node = join(REPO_ROOT, 'node_modules', '.bin', 'node');
      const command = [
        node,
        join(REPO_ROOT, 'bin', 'openaq-lakehouse.js'),
        'backfill',
        '--from',
        FIRST.from,
        '--to',
        FIRST.to,
        '--source-bucket',
        bucket,
        '--namespace',
        progressNamespace,
        '--concurrency',
        '2',
      ].join(' ');
      // util-linux `script` runs the command on a pseudo-terminal, as a user's shell would.
      const { stdout } = await promisify(execFile)('script', ['-qec', command, '/dev/null'], {
        cwd: REPO_ROOT,
        timeout: 120_000,
      });
      expect(stdout).toMatch(
        /fetch {3}\d+\/\d+ files \(\d+%\) {2}[\d,]+ rows {2}\d+ files\/s {2}ETA \d+ s/,
      );
      expect(stdout).toMatch(/files listed\s+\d+/);
      expect(stdout).not.toContain('"level"');

      const offTerminal = await runCli([
        'backfill',
        '--from',
        FIRST.from,
        '--to',
        FIRST.to,
        '--source-bucket',
        bucket,
        '--namespace',
        progressNamespace,
      ]);
      for (const line of offTerminal.stderr.trim().split('\n'))
        expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    } finally {
      await dropNamespace(progressNamespace);
    }
  });

  it('empty-tables refuses an implicit catalog and a missing confirmation, then empties every table and leaves the catalog valid', async () => {
    const implicit = await runCli(['empty-tables', ...lake(), '--yes']);
    expect(implicit.code).toBe(2);
    expect(implicit.stderr).toContain('name the catalog explicitly');
    const unconfirmed = await runCli(['empty-tables', '--catalog', 'local', ...lake()]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain(
      'refusing without confirmation; not on a terminal, so pass --yes',
    );
    expect(await count('measurements')).toBe(firstRows + laterRows);

    const emptied = await runCli(['empty-tables', '--catalog', 'local', ...lake(), '--yes']);
    expect(emptied.code, emptied.stderr).toBe(0);
    expect(emptied.stdout).toMatch(/measurements\s+[\d,]+ rows/);
    for (const table of ['measurements', 'locations', 'rejects', 'runs', 'files'])
      expect(await count(table), table).toBe(0);

    // The catalog is still valid: the next run loads into the same tables.
    const reload = await load(FIRST);
    expect(reload.code, reload.stderr).toBe(0);
    expect(await count('measurements')).toBe(firstRows);
  });
});

describe('--help', () => {
  it.each(['backfill', 'nightly', 'status', 'query', 'snapshots', 'empty-tables'])(
    '%s lists every option with its default',
    async (command) => {
      const run = await runCli([command, '--help']);
      expect(run.code).toBe(0);
      const blocks = run.stdout.split('\n').reduce<string[]>((acc, line) => {
        if (/^\s+--/.test(line)) acc.push(line);
        else if (acc.length > 0 && /^\s{4,}\S/.test(line)) acc[acc.length - 1] += ` ${line.trim()}`;
        return acc;
      }, []);
      const options = blocks.filter((b) => !/^\s+--(help|version)\b/.test(b));
      expect(options.length).toBeGreaterThan(3);
      for (const block of options) expect(block, block).toMatch(/\[default: [^\]]*\]|\[required\]/);
    },
  );
});
