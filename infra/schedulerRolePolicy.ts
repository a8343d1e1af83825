import type { PolicyDocument } from './policyDocument.ts';

export interface SchedulerRolePolicyArgs {
  /** The task definition ARN without its revision: arn:aws:ecs:<r>:<a>:task-definition/<family> */
  readonly taskDefinitionArnWithoutRevision: string;
  readonly clusterArn: string;
  /** The task role and the execution role: RunTask passes both to ECS. */
  readonly passRoleArns: readonly string[];
  readonly deadLetterQueueArn: string;
}

/**
 * EventBridge Scheduler's role: run any revision of this task family on this cluster, pass its two
 * roles to ECS only, and park failed invocations in the dead-letter queue.
 */
export function schedulerRolePolicy(args: SchedulerRolePolicyArgs): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'RunTask',
        Effect: 'Allow',
        Action: 'ecs:RunTask',
        Resource: `${args.taskDefinitionArnWithoutRevision}:*`,
        Condition: { ArnEquals: { 'ecs:cluster': args.clusterArn } },
      },
      {
        Sid: 'PassTaskRoles',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: args.passRoleArns,
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
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
