#!/usr/bin/env node
/**
 * `npm run smoke:s3tables`: checks the deployed path on real AWS in a few minutes, after
 * `pulumi up`. Never part of `npm test`; does nothing unless OPENAQ_SMOKE_TABLE_BUCKET_ARN is set.
 *
 *   OPENAQ_SMOKE_TABLE_BUCKET_ARN=$(pulumi stack output tableBucketArn) AWS_PROFILE=… \
 *     npm run smoke:s3tables
 *
 * With the AWS credential chain of this shell (your identity, not the task role), it runs the
 * job's own CLI against the table bucket over HTTPS: status (the tables Pulumi made are there),
 * a backfill of one station-day from the public OpenAQ archive, the same backfill again (nothing
 * fetched, nothing committed), a query and the snapshot list. The station-day's rows are real
 * OpenAQ data, the same the nightly run would load.
 *
 * Variables: OPENAQ_SMOKE_TABLE_BUCKET_ARN (required), OPENAQ_SMOKE_DAY (default 2023-02-22),
 * OPENAQ_SMOKE_STATION (default 2178, "Del Norte-2178", Albuquerque), OPENAQ_EXTENSION_DIR
 * (default: the local lakehouse's), AWS_REGION (default: the bucket ARN's region).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cliArgv } from '../job/model/nodeFlags.ts';

const arn = process.env.OPENAQ_SMOKE_TABLE_BUCKET_ARN;
if (!arn) {
  console.error(
    'smoke: set OPENAQ_SMOKE_TABLE_BUCKET_ARN to the deployed table bucket ' +
      '(`pulumi stack output tableBucketArn`) and have AWS credentials in the environment; nothing was run',
  );
  process.exit(2);
}
const region = /^arn:aws[\w-]*:s3tables:([a-z0-9-]+):/.exec(arn)?.[1];
if (!region) {
  console.error(
    `smoke: Expected OPENAQ_SMOKE_TABLE_BUCKET_ARN to be an S3 Tables bucket ARN, got \`${arn}\``,
  );
  process.exit(2);
}
const day = process.env.OPENAQ_SMOKE_DAY ?? '2023-02-22';
const station = process.env.OPENAQ_SMOKE_STATION ?? '2178';
const root = join(import.meta.dirname, '..');
// The CLI reads every OPENAQ_* variable as an option: pass it none of the smoke test's own.
const env = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('OPENAQ_SMOKE_')),
  ),
  AWS_REGION: process.env.AWS_REGION ?? region,
  OPENAQ_TABLE_BUCKET_ARN: arn,
  OPENAQ_EXTENSION_DIR:
    process.env.OPENAQ_EXTENSION_DIR ?? join(root, '.lakehouse', 'duckdb-extensions'),
};

interface Step {
  readonly name: string;
  readonly args: readonly string[];
  /** Throws with the reason when the step's JSON output is not what a working path gives. */
  readonly check: (output: unknown) => void;
}

const expect = (ok: boolean, reason: string): void => {
  if (!ok) throw new Error(reason);
};
const backfill = ['backfill', '--from', day, '--to', day, '--stations', station, '--json'];

const steps: Step[] = [
  {
    name: 'status: the catalog answers over HTTPS and the tables Pulumi made are there',
    args: ['status', '--json'],
    check: (out) => {
      const status = out as { reachable: boolean; tables: { table: string }[] };
      expect(status.reachable, 'the catalog is not reachable');
      expect(status.tables.length >= 5, `expected 5 tables, got ${status.tables.length}`);
    },
  },
  {
    name: `backfill station ${station}, archive day ${day}`,
    args: backfill,
    check: (out) => {
      const run = out as { exitCode: number; filesListed: number };
      expect(run.exitCode === 0, `exit code ${run.exitCode}`);
      expect(run.filesListed > 0, `the archive lists no file for station ${station} on ${day}`);
    },
  },
  {
    name: 'the same backfill again fetches and commits nothing',
    args: backfill,
    check: (out) => {
      const run = out as { filesFetched: number; commits: number };
      expect(
        run.filesFetched === 0 && run.commits === 0,
        `fetched ${run.filesFetched}, committed ${run.commits}`,
      );
    },
  },
  {
    name: 'query the station-day',
    args: [
      'query',
      `SELECT count(*) AS n FROM measurements WHERE location_id = ${Number(station)}`,
      '--json',
    ],
    check: (out) => {
      const n = Number((out as { n: number }[])[0]?.n);
      expect(n > 0, `no rows for station ${station}`);
    },
  },
  {
    name: 'snapshots of measurements',
    args: ['snapshots', '--json'],
    check: (out) => expect((out as unknown[]).length > 0, 'no snapshots'),
  },
];

const cli = cliArgv(root);
let failed = 0;
for (const step of steps) {
  const started = performance.now();
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [...cli, ...step.args, '--log-level', 'warn'],
      {
        env,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    step.check(JSON.parse(stdout) as unknown);
    console.log(`ok    ${step.name} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } catch (err) {
    failed += 1;
    const { stderr, message } = err as { stderr?: string; message: string };
    console.log(
      `FAIL  ${step.name}: ${(stderr?.trim() || message).split('\n').slice(-3).join(' ')}`,
    );
  }
}
console.log(
  failed === 0 ? 'smoke: the deployed S3 Tables path works' : `smoke: ${failed} step(s) failed`,
);
process.exitCode = failed === 0 ? 0 : 1;
