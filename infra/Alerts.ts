import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { alertTopicPolicy } from './alertTopicPolicy.ts';
import { TASK_FAILURE_MESSAGE, taskFailurePattern } from './taskFailurePattern.ts';

export interface AlertsArgs {
  readonly topicName: string;
  /** Subscribed by e-mail when set (AWS sends a confirmation mail first). */
  readonly email?: string;
  readonly accountId: pulumi.Input<string>;
  readonly clusterArn: pulumi.Input<string>;
  readonly taskDefinitionArnWithoutRevision: pulumi.Input<string>;
  readonly deadLetterQueueName: pulumi.Input<string>;
}

/**
 * A failed nightly run notifies one SNS topic: an EventBridge rule catches our task stopping with a
 * non-zero exit or failing to start; a CloudWatch alarm catches schedule invocations that never
 * reached ECS (they land in the dead-letter queue).
 */
export class Alerts extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;
  readonly taskFailureRuleArn: pulumi.Output<string>;
  readonly deadLetterAlarmArn: pulumi.Output<string>;

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
    new aws.cloudwatch.EventTarget(
      `${name}-task-failed-to-topic`,
      {
        rule: rule.name,
        arn: topic.arn,
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
          'openaq-lakehouse: the nightly schedule could not start the task (see the dead-letter queue)',
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

    new aws.sns.TopicPolicy(
      `${name}-topic-policy`,
      {
        arn: topic.arn,
        policy: pulumi
          .all([topic.arn, rule.arn, alarm.arn, args.accountId])
          .apply(([topicArn, eventRuleArn, alarmArn, accountId]) =>
            JSON.stringify(alertTopicPolicy({ topicArn, eventRuleArn, alarmArn, accountId })),
          ),
      },
      parent,
    );

    this.topicArn = topic.arn;
    this.taskFailureRuleArn = rule.arn;
    this.deadLetterAlarmArn = alarm.arn;
    this.registerOutputs({
      topicArn: this.topicArn,
      taskFailureRuleArn: this.taskFailureRuleArn,
      deadLetterAlarmArn: this.deadLetterAlarmArn,
    });
  }
}
