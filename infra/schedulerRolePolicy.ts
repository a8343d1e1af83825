import type { PolicyDocument } from './policyDocument.ts';

export interface SchedulerRolePolicyArgs {
  /** The nightly state machine, the schedule's target. */
  readonly stateMachineArn: string;
  readonly deadLetterQueueArn: string;
}

/**
 * EventBridge Scheduler's role: start executions of the nightly state machine only (which runs the
 * task, with its guard and timeout), and park failed invocations in the dead-letter queue.
 */
export function schedulerRolePolicy(args: SchedulerRolePolicyArgs): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'StartNightly',
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
