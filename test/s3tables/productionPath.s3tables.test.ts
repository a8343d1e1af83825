/**
 * The path users deploy, on an AWS emulator: DuckDB's unchanged `ENDPOINT_TYPE s3_tables` ATTACH
 * over TLS (a CA made for this run), tables made from the Pulumi program's own declarations (not
 * by the job), the job holding only the task-role policy the program declares, Fargate's
 * container-credentials endpoint, and credentials that expire during a run.
 * See test/helpers/s3tables/ and docs/testing-s3tables.md.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../infra/policyDocument.ts';
import { actionsOf } from '../../infra/policyDocument.ts';
import { parseArchiveDay } from '../../job/model/archiveDay.ts';
import type { RunSummary } from '../../job/model/runSummary.ts';
import {
  generateArchive,
  generateArchiveFile,
  generateStations,
  type GeneratedFile,
} from '../../scripts/mirror/generateArchive.ts';
import {
  installS3TablesEmulator,
  s3TablesEmulatorLauncher,
} from '../../scripts/lakehouse/installS3TablesEmulator.ts';
import { resolveLayout } from '../../scripts/lakehouse/layout.ts';
import { REPO_ROOT } from '../helpers/backfillHarness.ts';
import type { ReplayedLakehouse, RoleCredentials } from '../helpers/s3tables/emulatorAdmin.ts';
import {
  awsHostNames,
  emulatorUnavailable,
  startEmulatorNamespace,
  type CommandResult,
  type EmulatorNamespace,
} from '../helpers/s3tables/emulatorNamespace.ts';

const ARCHIVE_BUCKET = 'openaq-data-archive';
const TABLE_BUCKET = 'openaq-lakehouse-test';
const SEED = 11;
const STATIONS = 4;
const FIRST = { from: '2024-06-01', to: '2024-06-02' } as const;
const OVERLAP = { from: '2024-06-10', to: '2024-06-11' } as const;
const LONG_RUN = { from: '2024-06-20', to: '2024-06-22' } as const;
const NEVER_LOADED = { from: '2024-06-25', to: '2024-06-25' } as const;

const unavailable = await emulatorUnavailable();
if (unavailable)
  console.warn(`s3tables: skipped, the S3 Tables emulator cannot run: ${unavailable}`);

const node = join(REPO_ROOT, 'node_modules', '.bin', 'node');
const filesOf = (window: { from: string; to: string }): GeneratedFile[] => [
  ...generateArchive({
    from: parseArchiveDay(window.from),
    to: parseArchiveDay(window.to),
    stations: STATIONS,
    seed: SEED,
  }),
];
const rowsOf = (files: readonly GeneratedFile[]) => files.reduce((n, f) => n + f.rows.length, 0);

describe.skipIf(unavailable)('the production path, on the S3 Tables emulator', () => {
  let ns: EmulatorNamespace;
  let dir: string;
  let lake: ReplayedLakehouse;
  let task: RoleCredentials;

  const inside = async (script: string, args: readonly string[], env?: NodeJS.ProcessEnv) => {
    const result = await ns.run(node, [script, ...args], env);
    if (result.code !== 0) throw new Error(`test: ${script} ${args[0]} failed:\n${result.stderr}`);
    return JSON.parse(result.stdout) as unknown;
  };
  const admin = (...args: string[]) => inside('test/helpers/s3tables/emulatorAdmin.ts', args);

  /** Puts files into the emulator's archive bucket. */
  async function publish(files: readonly GeneratedFile[]): Promise<void> {
    const folder = await mkdtemp(join(dir, 'archive-'));
    for (const file of files) {
      await mkdir(dirname(join(folder, file.key)), { recursive: true });
      await writeFile(join(folder, file.key), file.body);
    }
    await admin('archive', ARCHIVE_BUCKET, folder);
  }

  /** A role holding `policy` (plus the emulator's data-plane equivalent), and its credentials. */
  async function roleWith(name: string, policy: PolicyDocument): Promise<RoleCredentials> {
    const file = join(dir, `${name}.json`);
    await writeFile(
      file,
      JSON.stringify({
        policy,
        assumeRolePolicy: lake.assumeRolePolicy,
        tableLocations: lake.tableLocations,
      }),
    );
    return (await admin('role', name, file)) as RoleCredentials;
  }

  const jobEnv = (credentials: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
    OPENAQ_TABLE_BUCKET_ARN: lake.tableBucketArn,
    OPENAQ_EXTENSION_DIR: join(REPO_ROOT, '.lakehouse', 'duckdb-extensions'),
    ...credentials,
  });
  const keys = (c: RoleCredentials): NodeJS.ProcessEnv => ({
    AWS_ACCESS_KEY_ID: c.accessKeyId,
    AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
    AWS_SESSION_TOKEN: c.sessionToken,
  });
  const job = async (
    args: readonly string[],
    credentials: NodeJS.ProcessEnv = keys(task),
  ): Promise<CommandResult> => {
    const workDir = await mkdtemp(join(dir, 'work-'));
    return ns.run(
      node,
      ['bin/openaq-lakehouse.js', ...args, '--work-dir', workDir],
      jobEnv(credentials),
    );
  };
  const backfill = async (
    window: { from: string; to: string },
    credentials?: NodeJS.ProcessEnv,
    extra: readonly string[] = [],
  ) => {
    const run = await job(
      [
        'backfill',
        '--from',
        window.from,
        '--to',
        window.to,
        '--json',
        '--log-level',
        'warn',
        ...extra,
      ],
      credentials,
    );
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as RunSummary;
  };
  const count = async (sql: string): Promise<number> => {
    const run = await job(['query', sql, '--json']);
    expect(run.code, run.stderr).toBe(0);
    return Number(Object.values((JSON.parse(run.stdout) as Record<string, unknown>[])[0]!)[0]);
  };

  beforeAll(async () => {
    const python = await installS3TablesEmulator(resolveLayout(process.env), (line) =>
      console.error(line),
    );
    dir = await mkdtemp(join(tmpdir(), 's3tables-emulator-'));
    ns = await startEmulatorNamespace({
      dir,
      python,
      launcher: s3TablesEmulatorLauncher,
      hostNames: awsHostNames([TABLE_BUCKET, ARCHIVE_BUCKET]),
    });
    lake = (await admin('replay', join(dir, 'replay.json'))) as ReplayedLakehouse;
    task = await roleWith('job-task', lake.taskRolePolicy);
    await publish([FIRST, OVERLAP, LONG_RUN, NEVER_LOADED].flatMap((window) => filesOf(window)));
  }, 180_000);

  afterAll(async () => {
    await ns?.stop();
  });

  it('loads into the tables Pulumi made, fetches nothing on a re-run, replaces a patched file, and serves status, query, snapshots and empty-tables', async () => {
    const files = filesOf(FIRST);
    const first = await backfill(FIRST);
    expect(first).toMatchObject({
      filesFetched: files.length,
      rowsCommitted: rowsOf(files),
      commits: 1,
      exitCode: 0,
    });

    const again = await backfill(FIRST);
    expect(again).toMatchObject({ filesFetched: 0, commits: 0, filesSkipped: files.length });

    const original = files[0]!;
    const station = generateStations({ count: STATIONS, seed: SEED }).find((s) =>
      original.key.includes(`locationid=${s.locationId}/`),
    )!;
    const patched = generateArchiveFile(station, parseArchiveDay(FIRST.from), {
      seed: SEED + 1000,
    })!;
    expect(patched.key).toBe(original.key);
    await publish([patched]);
    const repaired = await backfill(FIRST);
    expect(repaired).toMatchObject({
      filesChanged: 1,
      filesFetched: 1,
      rowsCommitted: patched.rows.length,
      rowsReplaced: original.rows.length,
    });
    const expected = rowsOf(files) - original.rows.length + patched.rows.length;
    expect(await count('SELECT count(*) FROM measurements')).toBe(expected);

    const status = await job(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      reachable: true,
      lastRun: { command: 'backfill', exitCode: 0 },
    });
    const snapshots = await job(['snapshots', '--json']);
    expect(snapshots.code, snapshots.stderr).toBe(0);
    // The first load, then the patched file's replacement (a delete and an insert).
    expect((JSON.parse(snapshots.stdout) as unknown[]).length).toBe(3);

    const emptied = await job(['empty-tables', '--yes']);
    expect(emptied.code, emptied.stderr).toBe(0);
    expect(await count('SELECT count(*) FROM measurements')).toBe(0);
  });

  it('two overlapping writers leave exactly one copy of each file', async () => {
    const files = filesOf(OVERLAP);
    const summaries = (await inside(
      'test/helpers/s3tables/overlappingBackfills.ts',
      [OVERLAP.from, OVERLAP.to, await mkdtemp(join(dir, 'overlap-'))],
      { ...jobEnv(keys(task)), STATIONS: String(STATIONS), SEED: String(SEED) },
    )) as RunSummary[];
    expect(summaries.map((s) => s.exitCode)).toEqual([0, 0]);
    expect(summaries[0]!.commitRetries + summaries[1]!.commitRetries).toBeGreaterThan(0);
    expect(
      await count(
        `SELECT count(*) FROM measurements WHERE source_key IN (${files.map((f) => `'${f.key}'`).join(', ')})`,
      ),
    ).toBe(rowsOf(files));
  });

  it('works holding only the task-role policy Pulumi declares, and fails naming the permission when any one s3tables: action is missing', async () => {
    const actions = lake.taskRolePolicy.Statement.flatMap(actionsOf).filter((a) =>
      a.startsWith('s3tables:'),
    );
    expect(actions.length).toBeGreaterThan(0);
    const outcomes: { action: string; code: number; named: boolean; error: string }[] = [];
    for (const action of actions) {
      const credentials = await roleWith(
        `without-${action.slice('s3tables:'.length)}`,
        without(lake.taskRolePolicy, action),
      );
      const run = await job(exercising(action), keys(credentials));
      outcomes.push({
        action,
        code: run.code,
        named: run.stderr.includes(action),
        error: run.stderr,
      });
    }
    if (process.env.S3TABLES_OUTCOMES) {
      await writeFile(process.env.S3TABLES_OUTCOMES, JSON.stringify(outcomes, null, 2));
    }
    // DuckDB 1.5.5 never sends HEAD …/tables/<t>, the request s3tables:GetTable authorizes; AWS
    // maps table-exists checks to it, so the policy keeps it. Every other action is needed.
    expect(outcomes.filter((o) => o.code === 0).map((o) => o.action)).toEqual([
      's3tables:GetTable',
    ]);
    expect(
      outcomes.filter((o) => o.code !== 0 && !o.named).map((o) => `${o.action}: ${o.error}`),
    ).toEqual([]);
  });

  it("takes Fargate's container credentials and completes a run during which they expire", async () => {
    const issued = join(dir, 'issued.jsonl');
    const server = ns.spawn(node, [
      'test/helpers/s3tables/containerCredentialsServer.ts',
      task.roleArn,
      issued,
      '--expire-previous',
    ]);
    try {
      await new Promise<void>((ready, fail) => {
        server.stdout!.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('ready')) ready();
        });
        server.once('exit', (code) =>
          fail(new Error(`test: the credentials server exited with ${code}`)),
        );
      });
      const files = filesOf(LONG_RUN);
      const summary = await backfill(
        LONG_RUN,
        { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/task' },
        ['--commit-days', '1'],
      );
      expect(summary).toMatchObject({ commits: 3, rowsCommitted: rowsOf(files), exitCode: 0 });
      // One set at ATTACH, one before each commit and one before the run record: each new set
      // ended the one before it, so every commit after the first ran on credentials that replaced
      // expired ones.
      const sets = (await readFile(issued, 'utf8')).trim().split('\n');
      expect(sets.length).toBe(1 + summary.commits + 1);
      // And the emulator does refuse an ended set.
      const first = JSON.parse(sets[0]!) as RoleCredentials;
      const refused = await ns.run(node, ['test/helpers/s3tables/callerIdentity.ts'], keys(first));
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/ExpiredToken|InvalidClientTokenId/);
    } finally {
      server.kill();
    }
  });
});

/** The job command that needs `action`: the listing ones are needed to resolve table names. */
function exercising(action: string): string[] {
  return ['s3tables:ListNamespaces', 's3tables:ListTables'].includes(action)
    ? ['query', 'SELECT count(*) FROM measurements']
    : ['backfill', '--from', NEVER_LOADED.from, '--to', NEVER_LOADED.to, '--log-level', 'error'];
}

/** The policy with one action taken out of every statement (statements left empty dropped). */
function without(policy: PolicyDocument, action: string): PolicyDocument {
  return {
    ...policy,
    Statement: policy.Statement.map((s) => ({
      ...s,
      Action: actionsOf(s).filter((a) => a !== action),
    })).filter((s) => s.Action.length > 0),
  };
}
