import { beforeAll, describe, expect, it } from 'vitest';
import { feedRuns } from '../../infra/feedRuns.ts';
import { RUN_TASK_SYNC } from '../../infra/runTaskState.ts';
import { STACK_CONFIG_DEFAULTS, resolveStackConfig } from '../../infra/stackConfig.ts';
import { metricsCommand } from '../../job/output/metricsRecord.ts';
import { grants, inlinePolicyOf } from './declaredPolicies.ts';
import { ACCOUNT, REGION, runProgram, type ProgramRun } from './programUnderMocks.ts';

// The feed on, with non-default schedules, so each assertion shows the value came from config.
const CONFIG = {
  'aws:region': REGION,
  'openaq-lakehouse:notificationFeed': 'true',
  'openaq-lakehouse:scheduleTimezone': 'Europe/Berlin',
  'openaq-lakehouse:feedScheduleCron': 'cron(10 * * * ? *)',
  'openaq-lakehouse:feedTimeoutHours': '2',
  'openaq-lakehouse:reconcileCron': 'cron(0 6 ? * SAT *)',
  'openaq-lakehouse:reconcileDays': '45',
  'openaq-lakehouse:reconcileTimeoutHours': '8',
};
const BASE = 'openaq-lakehouse-test';

type States = Record<string, Record<string, unknown>>;

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram(CONFIG);
}, 20_000);

const schedule = (name: string) =>
  run.ofType('aws:scheduler/schedule:Schedule').find((s) => s.inputs.name === name)!;
const machine = (name: string) =>
  run.ofType('aws:sfn/stateMachine:StateMachine').find((m) => m.inputs.name === name)!;
const statesOf = (name: string): States =>
  (JSON.parse(String(machine(name).inputs.definition)) as { States: States }).States;
const roleByArn = (arn: unknown) =>
  run.ofType('aws:iam/role:Role').find((r) => r.state.arn === arn)!;
const overrideOf = (state: Record<string, unknown> | undefined) =>
  ((state?.Parameters as { Overrides?: { ContainerOverrides: Record<string, unknown>[] } })
    .Overrides?.ContainerOverrides ?? [])[0];

describe('with the feed on', () => {
  it('schedules the nightly, the hourly feed run and the reconciliation, each from config', () => {
    expect(
      run
        .ofType('aws:scheduler/schedule:Schedule')
        .map((s) => [
          s.inputs.name,
          s.inputs.scheduleExpression,
          s.inputs.scheduleExpressionTimezone,
        ])
        .sort(),
    ).toEqual([
      [`${BASE}-feed-run`, 'cron(10 * * * ? *)', 'Europe/Berlin'],
      [`${BASE}-nightly`, STACK_CONFIG_DEFAULTS.scheduleCron, 'Europe/Berlin'],
      [`${BASE}-reconcile`, 'cron(0 6 ? * SAT *)', 'Europe/Berlin'],
    ]);
    for (const name of [`${BASE}-feed-run`, `${BASE}-reconcile`]) {
      expect(schedule(name).inputs.state).toBe('ENABLED');
      expect(schedule(name).inputs.target).toMatchObject({
        arn: machine(name).state.arn,
        input: '{}',
      });
    }
    expect(run.outputs.feedRunScheduleArn).toBe(schedule(`${BASE}-feed-run`).state.arn);
    expect(run.outputs.reconcileScheduleArn).toBe(schedule(`${BASE}-reconcile`).state.arn);
  });

  it('runs the feed-driven nightly hourly: its command, its timeout, no retry, a busy start skipped', () => {
    const states = statesOf(`${BASE}-feed-run`);
    expect(states.Feed).toMatchObject({ Resource: RUN_TASK_SYNC, TimeoutSeconds: 2 * 3600 });
    expect(overrideOf(states.Feed)).toEqual({
      Name: 'job',
      Command: ['nightly', '--source', 'notifications'],
    });
    expect(states.Feed!.Retry).toEqual([expect.objectContaining({ MaxAttempts: 0 })]);
    expect(states.Guard).toMatchObject({
      Parameters: {
        StateMachineArn: machine(`${BASE}-feed-run`).state.arn,
        StatusFilter: 'RUNNING',
      },
    });
    expect(states['AlreadyRunning?']).toMatchObject({
      Choices: [{ Variable: '$.guard.running', NumericGreaterThan: 1, Next: 'Skipped' }],
      Default: 'Feed',
    });
    expect(states.Skipped).toMatchObject({ Type: 'Succeed' });
    expect(states.NotifyFailure).toMatchObject({ Resource: 'arn:aws:states:::sns:publish' });
  });

  it('runs the reconciliation over reconcileDays with its timeout, one retry, a busy start notified', () => {
    const states = statesOf(`${BASE}-reconcile`);
    expect(states.Reconcile).toMatchObject({ Resource: RUN_TASK_SYNC, TimeoutSeconds: 8 * 3600 });
    expect(overrideOf(states.Reconcile)).toEqual({
      Name: 'job',
      Command: ['nightly', '--source', 'reconcile', '--reconcile-days', '45'],
    });
    expect(states.Reconcile!.Retry).toEqual([expect.objectContaining({ MaxAttempts: 1 })]);
    expect(states['AlreadyRunning?']).toMatchObject({
      Choices: [{ Next: 'NotifyRefused' }],
      Default: 'Reconcile',
    });
    expect(states.Refused).toMatchObject({ Type: 'Fail', Error: 'ReconcileAlreadyRunning' });
  });

  it('leaves the nightly as it was: its default command over the look-back window', () => {
    const states = statesOf(`${BASE}-nightly`);
    expect(overrideOf(states.Nightly)).toBeUndefined();
    expect(states.Nightly).toMatchObject({ TimeoutSeconds: 3 * 3600 });
  });

  it("gives each state machine's role only its own task, guard and topic", () => {
    const nightly = grants(
      inlinePolicyOf(run, roleByArn(machine(`${BASE}-nightly`).inputs.roleArn).name),
    );
    for (const name of [`${BASE}-feed-run`, `${BASE}-reconcile`]) {
      const own = grants(inlinePolicyOf(run, roleByArn(machine(name).inputs.roleArn).name));
      const list = `states:ListExecutions on arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
      expect(own).toContain(list);
      // The same grants as the nightly's, but the guard lists this machine's executions only.
      expect(own.filter((g) => g !== list)).toEqual(
        nightly.filter((g) => !g.startsWith('states:ListExecutions')),
      );
      expect(own.filter((g) => g.startsWith('states:'))).toEqual([list]);
      for (const grant of own) expect(grant.split(' on ')[0]).not.toContain('*');
    }
  });

  it("gives each schedule's role only the start of its own state machine and the shared DLQ", () => {
    const dlq = run
      .ofType('aws:sqs/queue:Queue')
      .find((q) => q.inputs.name === `${BASE}-schedule-dlq`)!;
    // One dead-letter queue (and its one alarm) for the three schedules.
    expect(
      run
        .ofType('aws:sqs/queue:Queue')
        .map((q) => q.inputs.name)
        .sort(),
    ).toEqual([`${BASE}-alerts-dlq`, `${BASE}-feed`, `${BASE}-feed-dlq`, `${BASE}-schedule-dlq`]);
    for (const name of [`${BASE}-feed-run`, `${BASE}-reconcile`]) {
      const target = schedule(name).inputs.target as { roleArn: string; deadLetterConfig: unknown };
      expect(target.deadLetterConfig).toEqual({ arn: dlq.state.arn });
      expect(grants(inlinePolicyOf(run, roleByArn(target.roleArn).name))).toEqual(
        [
          `sqs:SendMessage on ${String(dlq.state.arn)}`,
          `states:StartExecution on ${String(machine(name).state.arn)}`,
        ].sort(),
      );
    }
  });
});

describe('feedRuns', () => {
  it('adds nothing while the feed is off', () => {
    expect(feedRuns(resolveStackConfig(() => undefined))).toEqual([]);
  });

  it('runs hourly and weekly by default, reconciling 30 days', () => {
    const runs = feedRuns(
      resolveStackConfig((key) => (key === 'notificationFeed' ? 'true' : undefined)),
    );
    expect(runs.map((r) => [r.kind, r.scheduleExpression, r.timeoutSeconds, r.command])).toEqual([
      ['feed', 'cron(5 * * * ? *)', 3 * 3600, ['nightly', '--source', 'notifications']],
      [
        'reconcile',
        'cron(30 9 ? * SUN *)',
        6 * 3600,
        ['nightly', '--source', 'reconcile', '--reconcile-days', '30'],
      ],
    ]);
  });
});

describe('metricsCommand', () => {
  it('keeps the hourly feed runs out of the nightly no-success alarm, not the reconciliation', () => {
    expect(metricsCommand('nightly', 'notifications')).toBe('nightly-feed');
    expect(metricsCommand('nightly', 'reconcile')).toBe('nightly');
    expect(metricsCommand('nightly', 'listing')).toBe('nightly');
    expect(metricsCommand('backfill', 'listing')).toBe('backfill');
  });
});
