import {
  RETRIED_TASK_ERRORS,
  publishState,
  runTaskState,
  type RetryPolicy,
  type TaskTarget,
} from './runTaskState.ts';

export interface NightlyDefinitionArgs {
  readonly task: TaskTarget;
  /** This state machine's own ARN: the guard lists its running executions. */
  readonly stateMachineArn: string;
  readonly timeoutSeconds: number;
  readonly retry: RetryPolicy;
  readonly topicArn: string;
}

/**
 * The nightly run through Step Functions: a guard refuses to start while another execution of this
 * state machine is running (no two nightlies at once; the refusal is notified), then the task runs
 * its default command (`nightly`) with a timeout and retries with backoff; a failure is notified.
 * Pure: a function of its inputs.
 */
export function nightlyDefinition(args: NightlyDefinitionArgs): Record<string, unknown> {
  return {
    Comment: 'openaq-lakehouse: the nightly run, one at a time, with a timeout',
    StartAt: 'Guard',
    States: {
      Guard: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:sfn:listExecutions',
        Parameters: { StateMachineArn: args.stateMachineArn, StatusFilter: 'RUNNING' },
        // This execution is one of them.
        ResultSelector: { 'running.$': 'States.ArrayLength($.Executions)' },
        ResultPath: '$.guard',
        Next: 'AlreadyRunning?',
      },
      'AlreadyRunning?': {
        Type: 'Choice',
        Choices: [{ Variable: '$.guard.running', NumericGreaterThan: 1, Next: 'NotifyRefused' }],
        Default: 'Nightly',
      },
      Nightly: {
        ...runTaskState(args.task, {
          timeoutSeconds: args.timeoutSeconds,
          retry: args.retry,
          retryOn: RETRIED_TASK_ERRORS,
        }),
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'NotifyFailure' }],
        End: true,
      },
      NotifyRefused: publishState(
        args.topicArn,
        'openaq-lakehouse nightly refused',
        "States.Format('Nightly {} did not start: another nightly is still running.', $$.Execution.Name)",
        { Next: 'Refused' },
      ),
      Refused: {
        Type: 'Fail',
        Error: 'NightlyAlreadyRunning',
        Cause: 'Another nightly is running',
      },
      NotifyFailure: publishState(
        args.topicArn,
        'openaq-lakehouse nightly FAILED',
        "States.Format('Nightly {} failed: {} {}', $$.Execution.Name, $.error.Error, $.error.Cause)",
        { Next: 'Failed' },
      ),
      Failed: { Type: 'Fail', Error: 'NightlyFailed', Cause: 'See the NotifyFailure input' },
    },
  };
}
