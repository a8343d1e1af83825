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
  /**
   * The run's name in its task state, errors and notifications, capitalized (`Feed` gives the
   * state `Feed`, the error `FeedAlreadyRunning`, the subject "openaq-lakehouse feed FAILED").
   * Default `Nightly`.
   */
  readonly label?: string;
  /** The container command; default none: the image's CMD (`nightly`). */
  readonly command?: readonly string[];
  /**
   * A start while another execution runs: `notify` (default) publishes the refusal and fails;
   * `skip` succeeds quietly, for a frequent run whose next start is the retry.
   */
  readonly whenRunning?: 'notify' | 'skip';
}

/**
 * A scheduled run through Step Functions: a guard refuses to start while another execution of this
 * state machine is running (no two runs of the same kind at once; the refusal is notified, or
 * skipped quietly), then the task runs its command (default: the image's `nightly`) with a timeout
 * and retries with backoff; a failure is notified. Pure: a function of its inputs.
 */
export function nightlyDefinition(args: NightlyDefinitionArgs): Record<string, unknown> {
  const label = args.label ?? 'Nightly';
  const lower = label.toLowerCase();
  const refusal =
    args.whenRunning === 'skip'
      ? {
          Skipped: {
            Type: 'Succeed',
            Comment: `Another ${lower} run is still running; the next scheduled start runs instead`,
          },
        }
      : {
          NotifyRefused: publishState(
            args.topicArn,
            `openaq-lakehouse ${lower} refused`,
            `States.Format('${label} {} did not start: another ${lower} is still running.', $$.Execution.Name)`,
            { Next: 'Refused' },
          ),
          Refused: {
            Type: 'Fail',
            Error: `${label}AlreadyRunning`,
            Cause: `Another ${lower} is running`,
          },
        };
  return {
    Comment: `openaq-lakehouse: the ${lower} run, one at a time, with a timeout`,
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
        Choices: [
          {
            Variable: '$.guard.running',
            NumericGreaterThan: 1,
            Next: args.whenRunning === 'skip' ? 'Skipped' : 'NotifyRefused',
          },
        ],
        Default: label,
      },
      [label]: {
        ...runTaskState(args.task, {
          ...(args.command ? { command: args.command } : {}),
          timeoutSeconds: args.timeoutSeconds,
          retry: args.retry,
          retryOn: RETRIED_TASK_ERRORS,
        }),
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'NotifyFailure' }],
        End: true,
      },
      ...refusal,
      NotifyFailure: publishState(
        args.topicArn,
        `openaq-lakehouse ${lower} FAILED`,
        `States.Format('${label} {} failed: {} {}', $$.Execution.Name, $.error.Error, $.error.Cause)`,
        { Next: 'Failed' },
      ),
      Failed: { Type: 'Fail', Error: `${label}Failed`, Cause: 'See the NotifyFailure input' },
    },
  };
}
