import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  FOURTEEN_DAYS_SECONDS,
  RECORDS_FILTER_POLICY,
  notificationQueuePolicy,
  notificationTaskPolicy,
} from './notificationFeedPolicies.ts';

export interface NotificationFeedArgs {
  readonly queueName: string;
  readonly deadLetterQueueName: string;
  /** OpenAQ's object-created topic (us-east-1). */
  readonly topicArn: string;
  /** Receives of one message before SQS moves it to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** The stack's region: the subscription is made in the topic's region (us-east-1) regardless. */
  readonly region: string;
  /** Where the dead-letter alarm notifies. */
  readonly alarmTopicArn: pulumi.Input<string>;
  /** The dead-letter alarm's name: its ARN must be in the alert topic's policy before it exists. */
  readonly alarmName: string;
}

/**
 * OpenAQ's object-created notifications, delivered to a queue of ours: the queue (SSE, 14-day
 * retention, a dead-letter queue after `maxReceiveCount` receives), its policy admitting only that
 * topic, the cross-account subscription filtered to `records/csv.gz/` keys, and an alarm on the
 * dead-letter queue. `allowTask` lets the job's task role read the feed.
 */
export class NotificationFeed extends pulumi.ComponentResource {
  /** The job's `--queue-url` (OPENAQ_QUEUE_URL). */
  readonly queueUrl: pulumi.Output<string>;
  readonly queueArn: pulumi.Output<string>;
  /** The job's `--dead-letter-queue-url` (OPENAQ_DEAD_LETTER_QUEUE_URL). */
  readonly deadLetterQueueUrl: pulumi.Output<string>;
  readonly deadLetterQueueArn: pulumi.Output<string>;
  readonly subscriptionArn: pulumi.Output<string>;
  readonly deadLetterAlarmArn: pulumi.Output<string>;
  readonly #name: string;

  constructor(name: string, args: NotificationFeedArgs, opts?: pulumi.ComponentResourceOptions) {
    super('openaq-lakehouse:infra:NotificationFeed', name, {}, opts);
    this.#name = name;
    const parent = { parent: this };

    const deadLetters = new aws.sqs.Queue(
      `${name}-dlq`,
      {
        name: args.deadLetterQueueName,
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: FOURTEEN_DAYS_SECONDS,
      },
      parent,
    );
    const queue = new aws.sqs.Queue(
      `${name}-queue`,
      {
        name: args.queueName,
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: FOURTEEN_DAYS_SECONDS,
        // The job asks for its own visibility timeout per receive; this is the default.
        visibilityTimeoutSeconds: 900,
        receiveWaitTimeSeconds: 20,
        redrivePolicy: deadLetters.arn.apply((arn) =>
          JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: args.maxReceiveCount }),
        ),
      },
      parent,
    );
    new aws.sqs.QueuePolicy(
      `${name}-queue-policy`,
      {
        queueUrl: queue.url,
        policy: queue.arn.apply((arn) =>
          JSON.stringify(notificationQueuePolicy(arn, args.topicArn)),
        ),
      },
      parent,
    );
    // Subscribe is called in the topic's region, whatever the stack's region.
    const topicRegion = args.topicArn.split(':')[3] ?? 'us-east-1';
    const provider =
      topicRegion === args.region
        ? undefined
        : new aws.Provider(`${name}-topic-region`, { region: topicRegion as aws.Region }, parent);
    const subscription = new aws.sns.TopicSubscription(
      `${name}-subscription`,
      {
        topic: args.topicArn,
        protocol: 'sqs',
        endpoint: queue.arn,
        filterPolicyScope: 'MessageBody',
        filterPolicy: JSON.stringify(RECORDS_FILTER_POLICY),
      },
      { parent: this, ...(provider ? { provider } : {}) },
    );
    const alarm = new aws.cloudwatch.MetricAlarm(
      `${name}-dead-letters`,
      {
        name: args.alarmName,
        alarmDescription:
          "openaq-lakehouse: notifications the job could not read are in the feed's dead-letter queue",
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: deadLetters.name },
        statistic: 'Maximum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        alarmActions: [args.alarmTopicArn],
      },
      parent,
    );

    this.queueUrl = queue.url;
    this.queueArn = queue.arn;
    this.deadLetterQueueUrl = deadLetters.url;
    this.deadLetterQueueArn = deadLetters.arn;
    this.subscriptionArn = subscription.arn;
    this.deadLetterAlarmArn = alarm.arn;
    this.registerOutputs({
      queueUrl: this.queueUrl,
      deadLetterQueueUrl: this.deadLetterQueueUrl,
      subscriptionArn: this.subscriptionArn,
    });
  }

  /** Lets the task role receive and delete on this queue, and send to its dead-letter queue only. */
  allowTask(taskRoleArn: pulumi.Input<string>): aws.iam.RolePolicy {
    return new aws.iam.RolePolicy(
      `${this.#name}-task-access`,
      {
        role: pulumi.output(taskRoleArn).apply((arn) => arn.split('/').pop() ?? arn),
        policy: pulumi
          .all([this.queueArn, this.deadLetterQueueArn])
          .apply(([queue, dlq]) => JSON.stringify(notificationTaskPolicy(queue, dlq))),
      },
      { parent: this },
    );
  }
}
