/**
 * The backfill's state machine definition (infra/backfillDefinition.ts, what infra/Backfill.ts
 * deploys) run by an AWS emulator's Step Functions (ministack, the S3 Tables emulator's own
 * package): its Distributed Map reads a real `plan-backfill` manifest from the emulator's S3 and
 * starts one ECS task per shard with the shard's command, `MaxConcurrency` at once, then the
 * `verify-backfill` task, then the SNS notification. The emulator has no containers, so the test
 * plays Fargate (FakeFargate): it runs each task's command with the real CLI against the local
 * lakehouse, as the task's container would, and stops the task. What this does not show: how the
 * state machine reacts to a task that fails (the emulator's runTask.sync ignores exit codes) and IAM
 * (no AUTH here; the mock tests check the role).
 */
import {
  CreateClusterCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillDefinition } from '../../infra/backfillDefinition.ts';
import { parseManifest } from '../../job/shards/manifestText.ts';
import type { Shard } from '../../job/shards/shard.ts';
import { installS3TablesEmulator } from '../../scripts/lakehouse/installS3TablesEmulator.ts';
import { resolveLayout } from '../../scripts/lakehouse/layout.ts';
import { ensureBucket, localS3Client, putObject } from '../../scripts/lakehouse/s3Admin.ts';
import { generateArchive } from '../../scripts/mirror/generateArchive.ts';
import { createMirrorBucket, putFiles } from '../helpers/backfillHarness.ts';
import { dropNamespace, localLake, uniqueNamespace } from '../helpers/localLake.ts';
import { runCli } from '../helpers/runCli.ts';
import { createTopic, stepFunctions } from '../helpers/stepFunctions/emulatorApi.ts';
import { FakeFargate } from '../helpers/stepFunctions/fakeFargate.ts';
import { startPlainEmulator, type PlainEmulator } from '../helpers/stepFunctions/plainEmulator.ts';

const WINDOW = { from: '2024-01-01', to: '2024-01-21' } as const;
const MAX_CONCURRENCY = 2;
const EMULATOR = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};
/** Shard processes of Node and DuckDB on a shared 2-core machine: generous, not timing. */
const SLOW = 600_000;

interface HistoryEvent {
  readonly type: string;
  readonly stateEnteredEventDetails?: { readonly name: string };
}

let emulator: PlainEmulator;
let shards: Shard[];
let runs: FakeFargate;
let status: string;
let history: HistoryEvent[];
let stateMachineArn: string;
let manifestUrl: string;
const namespace = uniqueNamespace('it_sfn');

describe('the backfill state machine on an AWS emulator', { timeout: SLOW }, () => {
  beforeAll(async () => {
    const python = await installS3TablesEmulator(resolveLayout(process.env), (line) =>
      console.error(line),
    );
    emulator = await startPlainEmulator(python);
    const aws = { ...EMULATOR, endpoint: emulator.endpoint };
    const ecs = new ECSClient(aws);
    const s3 = new S3Client({ ...aws, forcePathStyle: true });

    // The archive and the plan, on the local lakehouse.
    const bucket = await createMirrorBucket('it-sfn');
    await putFiles(bucket, generateArchive({ ...WINDOW, stations: 6, seed: 21 }));
    const manifestFile = join(await mkdtemp(join(tmpdir(), 'sfn-test-')), 'manifest.jsonl');
    const planned = await runCli([
      'plan-backfill',
      ...['--from', WINDOW.from, '--to', WINDOW.to, '--source-bucket', bucket],
      ...['--max-files-per-shard', '31', '--out', manifestFile],
    ]);
    expect(planned.code, planned.stderr).toBe(0);
    const manifest = await readFile(manifestFile, 'utf8');
    shards = parseManifest(manifest, manifestFile);

    // The manifest where the state machine reads it (the emulator's S3) and where the
    // verify-backfill task reads it (s3:// at the archive's endpoint: the local MinIO).
    const manifestBucket = `${bucket}-manifests`;
    const manifestKey = 'manifests/plan.jsonl';
    manifestUrl = `s3://${manifestBucket}/${manifestKey}`;
    await s3.send(new CreateBucketCommand({ Bucket: manifestBucket }));
    await s3.send(
      new PutObjectCommand({ Bucket: manifestBucket, Key: manifestKey, Body: manifest }),
    );
    const local = localS3Client(localLake);
    try {
      await ensureBucket(local, manifestBucket);
      await putObject(local, manifestBucket, manifestKey, new TextEncoder().encode(manifest));
    } finally {
      local.destroy();
    }

    const cluster = (await ecs.send(new CreateClusterCommand({ clusterName: 'openaq' }))).cluster!;
    const task = (
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'openaq-lakehouse-job',
          requiresCompatibilities: ['FARGATE'],
          networkMode: 'awsvpc',
          cpu: '1024',
          memory: '4096',
          runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'ARM64' },
          containerDefinitions: [{ name: 'job', image: 'openaq-lakehouse:test', essential: true }],
        }),
      )
    ).taskDefinition!;
    const definition = backfillDefinition({
      task: {
        clusterArn: cluster.clusterArn!,
        taskDefinitionArn: task.taskDefinitionArn!,
        containerName: 'job',
        subnetIds: ['subnet-00000001'],
        securityGroupId: 'sg-00000001',
      },
      maxConcurrency: MAX_CONCURRENCY,
      toleratedFailurePercentage: 0,
      shardTimeoutSeconds: 3600,
      shardRetry: { maxAttempts: 1, intervalSeconds: 60, backoffRate: 2 },
      verifyTimeoutSeconds: 3600,
      topicArn: await createTopic(emulator.endpoint, 'openaq-lakehouse-alerts'),
    });
    ({ stateMachineArn } = await stepFunctions<{ stateMachineArn: string }>(
      emulator.endpoint,
      'CreateStateMachine',
      {
        name: 'openaq-lakehouse-backfill',
        type: 'STANDARD',
        roleArn: 'arn:aws:iam::000000000000:role/openaq-lakehouse-backfill',
        definition: JSON.stringify(definition),
      },
    ));

    // What the task definition's environment gives every task on AWS: target and archive.
    runs = new FakeFargate(ecs, cluster.clusterArn!, (command) =>
      runCli([
        ...command,
        '--namespace',
        namespace,
        '--source-bucket',
        bucket,
        '--concurrency',
        '4',
      ]),
    );
    runs.start();
    try {
      const { executionArn } = await stepFunctions<{ executionArn: string }>(
        emulator.endpoint,
        'StartExecution',
        {
          stateMachineArn,
          name: `backfill-${WINDOW.from}-${WINDOW.to}`,
          input: JSON.stringify({ manifestBucket, manifestKey }),
        },
      );
      const deadline = Date.now() + SLOW - 60_000;
      status = 'RUNNING';
      while (status === 'RUNNING' && Date.now() < deadline) {
        await sleep(250);
        ({ status } = await stepFunctions<{ status: string }>(
          emulator.endpoint,
          'DescribeExecution',
          { executionArn },
        ));
      }
      ({ events: history } = await stepFunctions<{ events: HistoryEvent[] }>(
        emulator.endpoint,
        'GetExecutionHistory',
        { executionArn, maxResults: 1000 },
      ));
    } finally {
      await runs.stop();
      ecs.destroy();
      s3.destroy();
    }
  }, SLOW);

  afterAll(async () => {
    await emulator?.stop();
    await dropNamespace(namespace);
  });

  it('succeeds through the map, the ledger check and the success notification', () => {
    expect(status).toBe('SUCCEEDED');
    const entered = history.flatMap((e) => e.stateEnteredEventDetails?.name ?? []);
    expect(entered).toContain('Verify');
    expect(entered).toContain('NotifySuccess');
    expect(entered).not.toContain('NotifyFailure');
  });

  it("runs every shard of the manifest once, with its own command, as the job's task", () => {
    expect(shards.length).toBeGreaterThan(MAX_CONCURRENCY);
    const shardRuns = runs.runs.filter((r) => r.command[0] === 'backfill');
    expect(shardRuns.map((r) => r.command).sort()).toEqual(shards.map((s) => s.command).sort());
    for (const run of shardRuns) expect(run.result.code, run.result.stderr.slice(-2000)).toBe(0);
  });

  it('runs at most MaxConcurrency shards at once', () => {
    expect(runs.maxRunning).toBeLessThanOrEqual(MAX_CONCURRENCY);
  });

  it('then runs verify-backfill on the manifest, which finds every shard in the ledger', () => {
    const verify = runs.runs.filter((r) => r.command[0] === 'verify-backfill');
    expect(verify.map((r) => r.command)).toEqual([['verify-backfill', '--manifest', manifestUrl]]);
    expect(verify[0]!.result.code, verify[0]!.result.stderr).toBe(0);
  });

  it('refuses a second start of the same window', async () => {
    await expect(
      stepFunctions(emulator.endpoint, 'StartExecution', {
        stateMachineArn,
        name: `backfill-${WINDOW.from}-${WINDOW.to}`,
        input: '{}',
      }),
    ).rejects.toThrow(/ExecutionAlreadyExists/);
  });
});
