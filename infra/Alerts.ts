import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { alertTopicPolicy } from './alertTopicPolicy.ts';
import { eventDeadLetterQueuePolicy } from './eventDeadLetterQueuePolicy.ts';
import { noSuccessAlarm } from './noSuccessAlarm.ts';
import { TASK_FAILURE_MESSAGE, taskFailurePattern } from './taskFailurePattern.ts';

export interface AlertsArgs {
  readonly topicName: string;
  /** Subscribed by e-mail when set (AWS sends a confirmation mail first). */
  readonly email?: string;
  readonly accountId: pulumi.Input<string>;
  readonly clusterArn: pulumi.Input<string>;
  readonly taskDefinitionArnWithoutRevision: pulumi.Input<string>;
  readonly deadLetterQueueName: pulumi.Input<string>;
  /** Where EventBridge parks failed-task messages it could not deliver to the topic. */
  readonly eventDeadLetterQueueName: string;
  /** Alarm when no nightly run succeeded for this many hours. Default 26. */
  readonly noSuccessHours?: number;
  /** Other alarms of the stack that notify the topic (e.g. the notification feed's). */
  readonly otherAlarmArns?: readonly pulumi.Input<string>[];
}

/** The stack warning when the alerts reach nobody. */
export function noSubscriberWarning(topicName: string): string {
  return (
    `openaq-lakehouse: no alertEmail is set, so failed runs and alarms publish to the SNS topic ` +
    `${topicName} with no subscriber; set one with \`pulumi config set openaq-lakehouse:alertEmail you@example.com\`, ` +
    `or subscribe to the topic yourself`
  );
}

/**
 * A failed nightly run notifies one SNS topic: an EventBridge rule catches our task stopping with a
 * non-zero exit or failing to start (messages it cannot deliver land in a dead-letter queue); a
 * CloudWatch alarm catches schedule invocations that never reached ECS (they land in the
 * schedule's dead-letter queue); another fires when no nightly run succeeded for 26 hours (from
 * the job's EMF metrics), which also catches a schedule that stopped firing.
 */
export class Alerts extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;
  readonly taskFailureRuleArn: pulumi.Output<string>;
  readonly deadLetterAlarmArn: pulumi.Output<string>;
  readonly noSuccessAlarmArn: pulumi.Output<string>;
  readonly eventDeadLetterQueueArn: pulumi.Output<string>;

  constructor(name: string, args: AlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('openaq-lakehouse:infra:Alerts', name, {}, opts);
    const parent = { parent: this };

    const topic = new aws.sns.Topic(`${name}-topic`, { name: args.topicName }, parent);
    if (args.email) {
      new aws.sns.TopicSubscription(
        `${name}-email`,
        { topic: topic.arn, protocol: 'email', endpoint: args.email },
        parent,
      );
    }

    const rule = new aws.cloudwatch.EventRule(
      `${name}-task-failed`,
      {
        description:
          'openaq-lakehouse: the job task stopped with a non-zero exit or failed to start',
        eventPattern: pulumi
          .all([args.clusterArn, args.taskDefinitionArnWithoutRevision])
          .apply(([clusterArn, taskDefinitionArnWithoutRevision]) =>
            JSON.stringify(taskFailurePattern({ clusterArn, taskDefinitionArnWithoutRevision })),
          ),
      },
      parent,
    );
    const eventDeadLetters = new aws.sqs.Queue(
      `${name}-event-dlq`,
      { name: args.eventDeadLetterQueueName, messageRetentionSeconds: 14 * 24 * 3600 },
      parent,
    );
    new aws.sqs.QueuePolicy(
      `${name}-event-dlq-policy`,
      {
        queueUrl: eventDeadLetters.url,
        policy: pulumi
          .all([eventDeadLetters.arn, rule.arn])
          .apply(([queueArn, eventRuleArn]) =>
            JSON.stringify(eventDeadLetterQueuePolicy({ queueArn, eventRuleArn })),
          ),
      },
      parent,
    );
    new aws.cloudwatch.EventTarget(
      `${name}-task-failed-to-topic`,
      {
        rule: rule.name,
        arn: topic.arn,
        deadLetterConfig: { arn: eventDeadLetters.arn },
        retryPolicy: { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 3600 },
        inputTransformer: {
          inputPaths: { ...TASK_FAILURE_MESSAGE.inputPaths },
          inputTemplate: TASK_FAILURE_MESSAGE.inputTemplate,
        },
      },
      parent,
    );

    const alarm = new aws.cloudwatch.MetricAlarm(
      `${name}-dead-letters`,
      {
        alarmDescription:
          'openaq-lakehouse: a schedule could not start its run (see the dead-letter queue)',
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: args.deadLetterQueueName },
        statistic: 'Maximum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        alarmActions: [topic.arn],
      },
      parent,
    );

    const hours = args.noSuccessHours ?? 26;
    const noSuccess = new aws.cloudwatch.MetricAlarm(
      `${name}-no-success`,
      {
        alarmDescription: `openaq-lakehouse: no nightly run succeeded in the last ${hours} hours`,
        ...noSuccessAlarm(hours),
        alarmActions: [topic.arn],
      },
      parent,
    );

    new aws.sns.TopicPolicy(
      `${name}-topic-policy`,
      {
        arn: topic.arn,
        policy: pulumi
          .all([
            topic.arn,
            rule.arn,
            alarm.arn,
            noSuccess.arn,
            args.accountId,
            pulumi.all([...(args.otherAlarmArns ?? [])]),
          ])
          .apply(
            ([topicArn, eventRuleArn, deadLetterAlarmArn, noSuccessAlarmArn, accountId, others]) =>
              JSON.stringify(
                alertTopicPolicy({
                  topicArn,
                  eventRuleArn,
                  alarmArns: [deadLetterAlarmArn, noSuccessAlarmArn, ...others],
                  accountId,
                }),
              ),
          ),
      },
      parent,
    );

    this.topicArn = topic.arn;
    this.taskFailureRuleArn = rule.arn;
    this.deadLetterAlarmArn = alarm.arn;
    this.noSuccessAlarmArn = noSuccess.arn;
    this.eventDeadLetterQueueArn = eventDeadLetters.arn;
    this.registerOutputs({
      noSuccessAlarmArn: this.noSuccessAlarmArn,
      eventDeadLetterQueueArn: this.eventDeadLetterQueueArn,
      topicArn: this.topicArn,
      taskFailureRuleArn: this.taskFailureRuleArn,
      deadLetterAlarmArn: this.deadLetterAlarmArn,
    });
  }
}
