import { beforeAll, describe, expect, it } from 'vitest';
import { resolveBackfillConfig } from '../../infra/backfillConfig.ts';
import { RUN_TASK_SYNC } from '../../infra/runTaskState.ts';
import { startExecutionCommand } from '../../infra/startExecutionCommand.ts';
import type { PolicyDocument } from '../../infra/policyDocument.ts';
import { actionsOf } from '../../infra/policyDocument.ts';
import { grants, inlinePolicyOf } from './declaredPolicies.ts';
import { ACCOUNT, REGION, SUBNET_IDS, runProgram, type ProgramRun } from './programUnderMocks.ts';

const CONFIG = {
  'aws:region': REGION,
  'openaq-lakehouse:backfillMaxConcurrency': '16',
  'openaq-lakehouse:backfillToleratedFailurePercent': '5',
  'openaq-lakehouse:backfillShardTimeoutHours': '6',
  'openaq-lakehouse:backfillShardRetries': '3',
  'openaq-lakehouse:nightlyTimeoutHours': '2',
};

type States = Record<string, Record<string, unknown>>;
interface Definition {
  StartAt: string;
  States: States;
}

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram(CONFIG);
}, 20_000);

const machine = (suffix: string) =>
  run
    .ofType('aws:sfn/stateMachine:StateMachine')
    .find((m) => String(m.inputs.name).endsWith(suffix))!;
/** The definition exactly as the state machine was declared with it: a JSON string. */
const definitionOf = (suffix: string): Definition =>
  JSON.parse(String(machine(suffix).inputs.definition)) as Definition;
const roleOf = (suffix: string) =>
  run.ofType('aws:iam/role:Role').find((r) => r.state.arn === machine(suffix).inputs.roleArn)!;

/** Every Next names a state; every state ends, goes on, chooses, or fails. */
function expectWellFormed(states: States, startAt: string): void {
  expect(states[startAt]).toBeDefined();
  for (const [name, state] of Object.entries(states)) {
    const targets = [
      state.Next as string | undefined,
      state.Default as string | undefined,
      ...((state.Choices as { Next: string }[] | undefined) ?? []).map((c) => c.Next),
      ...((state.Catch as { Next: string }[] | undefined) ?? []).map((c) => c.Next),
    ].filter((t) => t !== undefined);
    for (const target of targets) expect(states[target], `${name} → ${target}`).toBeDefined();
    expect(
      state.End === true ||
        state.Next !== undefined ||
        ['Choice', 'Fail', 'Succeed'].includes(String(state.Type)),
      name,
    ).toBe(true);
  }
}

describe('the backfill state machine', () => {
  it('is a Standard state machine whose definition parses as JSON and is well formed', () => {
    expect(machine('-backfill').inputs.type).toBe('STANDARD');
    const definition = definitionOf('-backfill');
    expectWellFormed(definition.States, definition.StartAt);
  });

  it('runs a Distributed Map over the JSON-lines manifest named in its input, at MaxConcurrency and tolerated failures from config', () => {
    const { StartAt, States } = definitionOf('-backfill');
    const map = States[StartAt]!;
    expect(map).toMatchObject({
      Type: 'Map',
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSONL' },
        Parameters: { 'Bucket.$': '$.manifestBucket', 'Key.$': '$.manifestKey' },
      },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
      MaxConcurrency: 16,
      ToleratedFailurePercentage: 5,
    });
  });

  it('runs each shard as the job task (ecs:runTask.sync) with its command, a timeout and retries with backoff', () => {
    const { StartAt, States } = definitionOf('-backfill');
    const processor = States[StartAt]!.ItemProcessor as Definition;
    expectWellFormed(processor.States, processor.StartAt);
    const shard = processor.States[processor.StartAt]!;
    const task = run.one('aws:ecs/taskDefinition:TaskDefinition');
    expect(shard).toMatchObject({
      Type: 'Task',
      Resource: RUN_TASK_SYNC,
      TimeoutSeconds: 6 * 3600,
      Parameters: {
        Cluster: run.one('aws:ecs/cluster:Cluster').state.arn,
        TaskDefinition: task.state.arn,
        LaunchType: 'FARGATE',
        NetworkConfiguration: {
          AwsvpcConfiguration: { Subnets: SUBNET_IDS, AssignPublicIp: 'ENABLED' },
        },
        Overrides: { ContainerOverrides: [{ Name: 'job', 'Command.$': '$.command' }] },
      },
    });
    const [retry] = shard.Retry as Record<string, unknown>[];
    expect(retry).toMatchObject({ MaxAttempts: 3, IntervalSeconds: 60, BackoffRate: 2 });
    expect(retry!.ErrorEquals).toEqual(
      expect.arrayContaining(['States.TaskFailed', 'States.Timeout']),
    );
  });

  it('then checks the ledger covers the manifest with verify-backfill on the same task, and notifies SNS either way', () => {
    const { States } = definitionOf('-backfill');
    expect(States.Verify).toMatchObject({ Resource: RUN_TASK_SYNC, Next: 'NotifySuccess' });
    const command = (
      States.Verify!.Parameters as { Overrides: { ContainerOverrides: Record<string, string>[] } }
    ).Overrides.ContainerOverrides[0]!['Command.$'];
    expect(command).toContain("'verify-backfill', '--manifest'");
    const topic = run.one('aws:sns/topic:Topic').state.arn;
    for (const name of ['NotifySuccess', 'NotifyFailure']) {
      expect(States[name]).toMatchObject({
        Resource: 'arn:aws:states:::sns:publish',
        Parameters: { TopicArn: topic },
      });
    }
    for (const name of ['Shards', 'Verify']) {
      expect(States[name]!.Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'NotifyFailure' },
      ]);
    }
  });

  it('has a role trusted by Step Functions that grants exactly what the definition needs', () => {
    const role = roleOf('-backfill');
    expect(JSON.parse(String(role.inputs.assumeRolePolicy))).toMatchObject({
      Statement: [{ Principal: { Service: 'states.amazonaws.com' } }],
    });
    const policy = inlinePolicyOf(run, role.name);
    const name = String(machine('-backfill').inputs.name);
    const cluster = run.one('aws:ecs/cluster:Cluster');
    const family = String(
      run.one('aws:ecs/taskDefinition:TaskDefinition').state.arnWithoutRevision,
    );
    const roles = run.ofType('aws:iam/role:Role');
    const arnOf = (n: string) => String(roles.find((r) => r.name === n)!.state.arn);
    const bucket = run.one('aws:s3/bucket:Bucket').state.arn;
    const at = `${REGION}:${ACCOUNT}`;
    expect(grants(policy)).toEqual(
      [
        `ecs:RunTask on ${family}:*`,
        `ecs:StopTask on arn:aws:ecs:${at}:task/${String(cluster.inputs.name)}/*`,
        `ecs:DescribeTasks on arn:aws:ecs:${at}:task/${String(cluster.inputs.name)}/*`,
        `iam:PassRole on ${arnOf('job-task-role')}`,
        `iam:PassRole on ${arnOf('job-execution-role')}`,
        ...['PutTargets', 'PutRule', 'DescribeRule'].map(
          (a) => `events:${a} on arn:aws:events:${at}:rule/StepFunctionsGetEventsForECSTaskRule`,
        ),
        `sns:Publish on ${String(run.one('aws:sns/topic:Topic').state.arn)}`,
        `s3:GetObject on ${String(bucket)}/manifests/*`,
        `states:StartExecution on arn:aws:states:${at}:stateMachine:${name}`,
        `states:DescribeExecution on arn:aws:states:${at}:execution:${name}/*`,
        `states:StopExecution on arn:aws:states:${at}:execution:${name}/*`,
      ].sort(),
    );
    const byAction = (a: string) => policy.Statement.find((s) => actionsOf(s).includes(a))!;
    expect(byAction('ecs:RunTask').Condition).toEqual({
      ArnEquals: { 'ecs:cluster': cluster.state.arn },
    });
    expect(byAction('iam:PassRole').Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
    });
  });

  it("lets the job's task write and read manifests under manifests/ only", () => {
    const policy = JSON.parse(
      String(run.one('aws:iam/policy:Policy').inputs.policy),
    ) as PolicyDocument;
    expect(grants(policy)).toEqual([
      `s3:GetObject on ${String(run.one('aws:s3/bucket:Bucket').state.arn)}/manifests/*`,
      `s3:PutObject on ${String(run.one('aws:s3/bucket:Bucket').state.arn)}/manifests/*`,
    ]);
    expect(run.one('aws:iam/rolePolicyAttachment:RolePolicyAttachment').inputs.role).toBe(
      'job-task-role',
    );
  });

  it('exports the exact start-execution command of a window', () => {
    expect(run.outputs.startBackfillExecution).toBe(
      startExecutionCommand({
        region: REGION,
        stateMachineArn: String(machine('-backfill').state.arn),
        manifestBucket: String(run.one('aws:s3/bucket:Bucket').state.bucket),
      }),
    );
    expect(run.outputs.startBackfillExecution).toMatch(
      /^aws stepfunctions start-execution --region us-east-1 --state-machine-arn \S+ --name "backfill-\$FROM-\$TO" --input "\{\\"manifestBucket\\":\\"[a-z0-9.-]+\\",\\"manifestKey\\":\\"\$MANIFEST_KEY\\"\}"$/,
    );
    expect(run.outputs.runTaskPlanBackfill).toContain(
      '\\"plan-backfill\\",\\"--from\\",\\"$FROM\\",\\"--to\\",\\"$TO\\",\\"--max-files-per-shard\\",\\"$MAX_FILES\\",\\"--out\\",\\"$MANIFEST\\"',
    );
  });
});

describe('the nightly state machine', () => {
  it('refuses to start while another execution of it runs, runs the task with a timeout and retries, notifies failures', () => {
    const definition = definitionOf('-nightly');
    expectWellFormed(definition.States, definition.StartAt);
    const own = String(machine('-nightly').state.arn);
    expect(definition.States[definition.StartAt]).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:sfn:listExecutions',
      Parameters: { StateMachineArn: own, StatusFilter: 'RUNNING' },
    });
    expect(definition.States['AlreadyRunning?']).toMatchObject({
      Choices: [{ Variable: '$.guard.running', NumericGreaterThan: 1, Next: 'NotifyRefused' }],
      Default: 'Nightly',
    });
    expect(definition.States.Nightly).toMatchObject({
      Resource: RUN_TASK_SYNC,
      TimeoutSeconds: 2 * 3600,
    });
    // The image's default command (nightly): no override.
    expect(
      (definition.States.Nightly!.Parameters as Record<string, unknown>).Overrides,
    ).toBeUndefined();
    expect(definition.States.Nightly!.Retry).toHaveLength(1);
  });

  it('has a role that may also list its own executions, and nothing of the backfill', () => {
    const own = String(machine('-nightly').inputs.name);
    const list = grants(inlinePolicyOf(run, roleOf('-nightly').name));
    expect(list).toContain(
      `states:ListExecutions on arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${own}`,
    );
    expect(list.filter((g) => g.startsWith('states:'))).toHaveLength(1);
    expect(list.some((g) => g.startsWith('s3:'))).toBe(false);
  });
});

describe('backfill stack config', () => {
  it('has defaults and refuses values out of range, naming the key', () => {
    expect(resolveBackfillConfig(() => undefined)).toEqual({
      maxConcurrency: 8,
      toleratedFailurePercent: 0,
      shardTimeoutHours: 12,
      shardRetries: 2,
      nightlyTimeoutHours: 3,
    });
    expect(() =>
      resolveBackfillConfig((k) => (k === 'backfillMaxConcurrency' ? '0' : undefined)),
    ).toThrow(
      'config: Expected `backfillMaxConcurrency` to be an integer from 1 to 10000, got `0`',
    );
  });
});
