import type * as pulumi from '@pulumi/pulumi';

/** What a `runTask.sync` state needs to start the job's task on Fargate. */
export interface TaskTarget {
  readonly clusterArn: string;
  /** The task definition (a revision ARN): every shard runs the same image. */
  readonly taskDefinitionArn: string;
  readonly containerName: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupId: string;
}

/**
 * The job's task as a state machine that runs it is given them (Pulumi inputs): what its states
 * start (see TaskTarget), what its role may pass and watch, and where failures are notified.
 */
export interface JobTaskInputs {
  readonly clusterArn: pulumi.Input<string>;
  readonly clusterName: pulumi.Input<string>;
  readonly taskDefinitionArn: pulumi.Input<string>;
  readonly taskDefinitionArnWithoutRevision: pulumi.Input<string>;
  readonly containerName: string;
  readonly taskRoleArn: pulumi.Input<string>;
  readonly executionRoleArn: pulumi.Input<string>;
  readonly subnetIds: pulumi.Input<string[]>;
  readonly securityGroupId: pulumi.Input<string>;
  readonly topicArn: pulumi.Input<string>;
}

/** Retry of a state: attempts after the first, first wait, and its growth per attempt. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly intervalSeconds: number;
  readonly backoffRate: number;
}

/** The Step Functions integration that runs an ECS task and waits for it to stop. */
export const RUN_TASK_SYNC = 'arn:aws:states:::ecs:runTask.sync';

/**
 * Errors of a `runTask.sync` state worth retrying: the task exited non-zero (a shard is resumable,
 * so a retry continues where the ledger says), the state timed out, or ECS could not start the
 * task (capacity, throttling: `AmazonECS.Unknown` is a RunTask answer with failures).
 */
export const RETRIED_TASK_ERRORS = [
  'States.TaskFailed',
  'States.Timeout',
  'AmazonECS.Unknown',
  'ECS.AmazonECSException',
] as const;

/** Only the ECS start failures: for a task whose non-zero exit is an answer, not an accident. */
export const ECS_START_ERRORS = ['AmazonECS.Unknown', 'ECS.AmazonECSException'] as const;

/**
 * A Task state running the job's task on Fargate (public IP, default subnets) and waiting for it;
 * `command` is the container command override: a JSONPath (`Command.$`, e.g. `$.command` or
 * `States.Array(…)`), or a fixed argv (`Command`); none for the image's default command.
 */
export function runTaskState(
  target: TaskTarget,
  options: {
    readonly command?: string | readonly string[];
    readonly timeoutSeconds: number;
    readonly retry: RetryPolicy;
    readonly retryOn: readonly string[];
  },
): Record<string, unknown> {
  return {
    Type: 'Task',
    Resource: RUN_TASK_SYNC,
    Parameters: {
      Cluster: target.clusterArn,
      TaskDefinition: target.taskDefinitionArn,
      LaunchType: 'FARGATE',
      PlatformVersion: 'LATEST',
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          Subnets: target.subnetIds,
          SecurityGroups: [target.securityGroupId],
          AssignPublicIp: 'ENABLED',
        },
      },
      ...(options.command === undefined
        ? {}
        : {
            Overrides: {
              ContainerOverrides: [
                typeof options.command === 'string'
                  ? { Name: target.containerName, 'Command.$': options.command }
                  : { Name: target.containerName, Command: [...options.command] },
              ],
            },
          }),
    },
    TimeoutSeconds: options.timeoutSeconds,
    Retry: [
      {
        ErrorEquals: options.retryOn,
        IntervalSeconds: options.retry.intervalSeconds,
        MaxAttempts: options.retry.maxAttempts,
        BackoffRate: options.retry.backoffRate,
        JitterStrategy: 'FULL',
      },
    ],
    // The task's description is large and not needed downstream: keep the state's input.
    ResultPath: null,
  };
}

/** An SNS publish state with a JSONPath message (`States.Format(…)`). */
export const publishState = (
  topicArn: string,
  subject: string,
  message: string,
  next: { readonly Next: string } | { readonly End: true },
): Record<string, unknown> => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::sns:publish',
  Parameters: { TopicArn: topicArn, Subject: subject, 'Message.$': message },
  ResultPath: null,
  ...next,
});
