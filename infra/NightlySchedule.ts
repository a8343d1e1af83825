import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { assumeRolePolicy } from './assumeRolePolicy.ts';
import { schedulerRolePolicy } from './schedulerRolePolicy.ts';

export interface NightlyScheduleArgs {
  readonly scheduleName: string;
  readonly deadLetterQueueName: string;
  /** EventBridge Scheduler expression, e.g. cron(30 3 * * ? *). */
  readonly scheduleExpression: string;
  /** IANA time zone of the expression. */
  readonly timezone: string;
  readonly enabled: boolean;
  readonly retryAttempts: number;
  readonly maxEventAgeSeconds: number;
  readonly accountId: pulumi.Input<string>;
  readonly clusterArn: pulumi.Input<string>;
  readonly taskDefinitionArn: pulumi.Input<string>;
  readonly taskDefinitionArnWithoutRevision: pulumi.Input<string>;
  readonly taskRoleArn: pulumi.Input<string>;
  readonly executionRoleArn: pulumi.Input<string>;
  readonly subnetIds: pulumi.Input<string[]>;
  readonly securityGroupId: pulumi.Input<string>;
}

/**
 * The nightly trigger: an EventBridge Scheduler schedule that runs the task on Fargate with a
 * public IP, retries a failed RunTask call, and parks what still fails in an SQS dead-letter queue.
 */
export class NightlySchedule extends pulumi.ComponentResource {
  readonly scheduleArn: pulumi.Output<string>;
  readonly deadLetterQueueArn: pulumi.Output<string>;
  readonly deadLetterQueueName: pulumi.Output<string>;
  readonly deadLetterQueueUrl: pulumi.Output<string>;

  constructor(name: string, args: NightlyScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
    super('openaq-lakehouse:infra:NightlySchedule', name, {}, opts);
    const parent = { parent: this };

    const deadLetterQueue = new aws.sqs.Queue(
      `${name}-dlq`,
      {
        name: args.deadLetterQueueName,
        messageRetentionSeconds: 14 * 24 * 3600,
        sqsManagedSseEnabled: true,
      },
      parent,
    );

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: 'openaq-lakehouse: EventBridge Scheduler runs the nightly task',
        assumeRolePolicy: pulumi
          .output(args.accountId)
          .apply((account) => JSON.stringify(assumeRolePolicy('scheduler.amazonaws.com', account))),
      },
      parent,
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: role.id,
        policy: pulumi
          .all([
            args.taskDefinitionArnWithoutRevision,
            args.clusterArn,
            args.taskRoleArn,
            args.executionRoleArn,
            deadLetterQueue.arn,
          ])
          .apply(([taskDefinition, cluster, taskRole, executionRole, dlq]) =>
            JSON.stringify(
              schedulerRolePolicy({
                taskDefinitionArnWithoutRevision: taskDefinition,
                clusterArn: cluster,
                passRoleArns: [taskRole, executionRole],
                deadLetterQueueArn: dlq,
              }),
            ),
          ),
      },
      parent,
    );

    const schedule = new aws.scheduler.Schedule(
      `${name}-schedule`,
      {
        name: args.scheduleName,
        description: 'openaq-lakehouse: nightly run of the job (its default command, nightly)',
        scheduleExpression: args.scheduleExpression,
        scheduleExpressionTimezone: args.timezone,
        state: args.enabled ? 'ENABLED' : 'DISABLED',
        flexibleTimeWindow: { mode: 'FLEXIBLE', maximumWindowInMinutes: 15 },
        target: {
          arn: args.clusterArn,
          roleArn: role.arn,
          ecsParameters: {
            taskDefinitionArn: args.taskDefinitionArn,
            launchType: 'FARGATE',
            platformVersion: 'LATEST',
            taskCount: 1,
            networkConfiguration: {
              subnets: args.subnetIds,
              securityGroups: [args.securityGroupId],
              assignPublicIp: true,
            },
          },
          retryPolicy: {
            maximumRetryAttempts: args.retryAttempts,
            maximumEventAgeInSeconds: args.maxEventAgeSeconds,
          },
          deadLetterConfig: { arn: deadLetterQueue.arn },
        },
      },
      // The role's permissions must exist before the first invocation.
      { parent: this, dependsOn: [policy] },
    );

    this.scheduleArn = schedule.arn;
    this.deadLetterQueueArn = deadLetterQueue.arn;
    this.deadLetterQueueName = deadLetterQueue.name;
    this.deadLetterQueueUrl = deadLetterQueue.url;
    this.registerOutputs({
      scheduleArn: this.scheduleArn,
      deadLetterQueueArn: this.deadLetterQueueArn,
      deadLetterQueueUrl: this.deadLetterQueueUrl,
    });
  }
}
