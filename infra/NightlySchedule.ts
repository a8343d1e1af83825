import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { assumeRolePolicy } from './assumeRolePolicy.ts';
import { schedulerRolePolicy } from './schedulerRolePolicy.ts';

export interface NightlyScheduleArgs {
  readonly scheduleName: string;
  /**
   * Where failed invocations are parked: a queue this schedule creates (`name`), or another
   * schedule's (`arn`), so that one alarm watches them all.
   */
  readonly deadLetterQueue: { readonly name: string } | { readonly arn: pulumi.Input<string> };
  /** The run it starts, in the role's description; default `nightly`. */
  readonly label?: string;
  /** The schedule's description; default the nightly's. */
  readonly description?: string;
  /** EventBridge Scheduler expression, e.g. cron(30 3 * * ? *). */
  readonly scheduleExpression: string;
  /** IANA time zone of the expression. */
  readonly timezone: string;
  readonly enabled: boolean;
  readonly retryAttempts: number;
  readonly maxEventAgeSeconds: number;
  readonly accountId: pulumi.Input<string>;
  /** The run's state machine (NightlyRun): it runs the task with its guard and timeout. */
  readonly stateMachineArn: pulumi.Input<string>;
}

/**
 * A run's trigger (the nightly's, the feed's hourly and reconciliation runs'): an EventBridge
 * Scheduler schedule that starts the run's state machine (which runs the task, one at a time, with
 * a timeout), retries a failed start, and parks what still fails in an SQS dead-letter queue.
 */
export class NightlySchedule extends pulumi.ComponentResource {
  readonly scheduleArn: pulumi.Output<string>;
  readonly deadLetterQueueArn: pulumi.Output<string>;
  /** The dead-letter queue's name and URL, when this schedule created it. */
  readonly deadLetterQueueName?: pulumi.Output<string>;
  readonly deadLetterQueueUrl?: pulumi.Output<string>;

  constructor(name: string, args: NightlyScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
    super('openaq-lakehouse:infra:NightlySchedule', name, {}, opts);
    const parent = { parent: this };

    const deadLetterQueue =
      'name' in args.deadLetterQueue
        ? new aws.sqs.Queue(
            `${name}-dlq`,
            {
              name: args.deadLetterQueue.name,
              messageRetentionSeconds: 14 * 24 * 3600,
              sqsManagedSseEnabled: true,
            },
            parent,
          )
        : undefined;
    const deadLetterQueueArn = deadLetterQueue
      ? deadLetterQueue.arn
      : pulumi.output((args.deadLetterQueue as { readonly arn: pulumi.Input<string> }).arn);

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `openaq-lakehouse: EventBridge Scheduler starts the ${args.label ?? 'nightly'} state machine`,
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
          .all([args.stateMachineArn, deadLetterQueueArn])
          .apply(([stateMachineArn, dlq]) =>
            JSON.stringify(schedulerRolePolicy({ stateMachineArn, deadLetterQueueArn: dlq })),
          ),
      },
      parent,
    );

    const schedule = new aws.scheduler.Schedule(
      `${name}-schedule`,
      {
        name: args.scheduleName,
        description:
          args.description ??
          'openaq-lakehouse: nightly run of the job (its default command, nightly), through Step Functions',
        scheduleExpression: args.scheduleExpression,
        scheduleExpressionTimezone: args.timezone,
        state: args.enabled ? 'ENABLED' : 'DISABLED',
        flexibleTimeWindow: { mode: 'FLEXIBLE', maximumWindowInMinutes: 15 },
        target: {
          arn: args.stateMachineArn,
          roleArn: role.arn,
          input: '{}',
          retryPolicy: {
            maximumRetryAttempts: args.retryAttempts,
            maximumEventAgeInSeconds: args.maxEventAgeSeconds,
          },
          deadLetterConfig: { arn: deadLetterQueueArn },
        },
      },
      // The role's permissions must exist before the first invocation.
      { parent: this, dependsOn: [policy] },
    );

    this.scheduleArn = schedule.arn;
    this.deadLetterQueueArn = deadLetterQueueArn;
    if (deadLetterQueue) {
      this.deadLetterQueueName = deadLetterQueue.name;
      this.deadLetterQueueUrl = deadLetterQueue.url;
    }
    this.registerOutputs({
      scheduleArn: this.scheduleArn,
      deadLetterQueueArn: this.deadLetterQueueArn,
      deadLetterQueueUrl: this.deadLetterQueueUrl,
    });
  }
}
