import type { PolicyDocument } from './policyDocument.ts';

export interface SchedulerRolePolicyArgs {
  /** The run's state machine (the nightly's, the feed's, the reconciliation's): the schedule's target. */
  readonly stateMachineArn: string;
  readonly deadLetterQueueArn: string;
}

/**
 * EventBridge Scheduler's role: start executions of its run's state machine only (which runs the
 * task, with its guard and timeout), and park failed invocations in the dead-letter queue.
 */
export function schedulerRolePolicy(args: SchedulerRolePolicyArgs): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'StartRun',
        Effect: 'Allow',
        Action: 'states:StartExecution',
        Resource: args.stateMachineArn,
      },
      {
        Sid: 'DeadLetters',
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: args.deadLetterQueueArn,
      },
    ],
  };
}
