import { beforeAll, describe, expect, it } from 'vitest';
import { OPENAQ_OBJECT_CREATED_TOPIC_ARN } from '../../infra/notificationFeedPolicies.ts';
import { actionsOf, resourcesOf, type PolicyDocument } from '../../infra/policyDocument.ts';
import { ACCOUNT, REGION, runProgram, type ProgramRun } from './programUnderMocks.ts';

// A stack with the notification feed on and a non-default redrive count.
const CONFIG = {
  'aws:region': REGION,
  'openaq-lakehouse:notificationFeed': 'true',
  'openaq-lakehouse:notificationMaxReceiveCount': '4',
};

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram(CONFIG);
}, 20_000);

const queue = (name: string) => run.ofType('aws:sqs/queue:Queue').find((q) => q.name === name)!;
const json = (value: unknown) => JSON.parse(String(value)) as Record<string, unknown>;

describe('the notification feed', () => {
  it('is an encrypted queue keeping messages 14 days, redriving to an encrypted DLQ after N receives', () => {
    const main = queue('feed-queue');
    const dlq = queue('feed-dlq');
    for (const q of [main, dlq]) {
      expect(q.inputs).toMatchObject({
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: 1_209_600,
      });
    }
    expect(json(main.inputs.redrivePolicy)).toEqual({
      deadLetterTargetArn: dlq.state.arn,
      maxReceiveCount: 4,
    });
  });

  it("admits only OpenAQ's topic to send to the queue", () => {
    // The alerts' dead-letter queue has a policy of its own.
    const feedPolicy = run
      .ofType('aws:sqs/queuePolicy:QueuePolicy')
      .filter((resource) => resource.name.endsWith('feed-queue-policy'));
    expect(feedPolicy).toHaveLength(1);
    const policy = json(feedPolicy[0]!.inputs.policy) as unknown as PolicyDocument;
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queue('feed-queue').state.arn,
        Condition: { ArnEquals: { 'aws:SourceArn': OPENAQ_OBJECT_CREATED_TOPIC_ARN } },
      }),
    ]);
  });

  it('subscribes the queue to the topic, filtering the message body to records/csv.gz/ keys', () => {
    const subscription = run.one('aws:sns/topicSubscription:TopicSubscription');
    expect(subscription.inputs).toMatchObject({
      topic: OPENAQ_OBJECT_CREATED_TOPIC_ARN,
      protocol: 'sqs',
      endpoint: queue('feed-queue').state.arn,
      filterPolicyScope: 'MessageBody',
    });
    expect(json(subscription.inputs.filterPolicy)).toEqual({
      Records: { s3: { object: { key: [{ prefix: 'records/csv.gz/' }] } } },
    });
  });

  it('alarms when anything lands in the dead-letter queue', () => {
    const alarm = run
      .ofType('aws:cloudwatch/metricAlarm:MetricAlarm')
      .find((a) => a.name === 'feed-dead-letters')!;
    expect(alarm.inputs).toMatchObject({
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: queue('feed-dlq').state.name },
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('lets the task role receive and delete on that queue only, and send to its DLQ only', () => {
    const policy = json(
      run.ofType('aws:iam/rolePolicy:RolePolicy').find((p) => p.name === 'feed-task-access')!.inputs
        .policy,
    ) as unknown as PolicyDocument;
    const byResource = new Map<string, readonly string[]>();
    for (const statement of policy.Statement) {
      for (const resource of resourcesOf(statement)) byResource.set(resource, actionsOf(statement));
    }
    expect(byResource.get(String(queue('feed-queue').state.arn))).toEqual(
      expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']),
    );
    expect(byResource.get(String(queue('feed-dlq').state.arn))).toEqual(['sqs:SendMessage']);
    expect(byResource.size).toBe(2);
    for (const actions of byResource.values()) {
      for (const action of actions) expect(action).not.toContain('*');
    }
  });

  it('gives the nightly the queue URLs, reading the feed then listing the look-back window', () => {
    const [container] = JSON.parse(
      String(run.one('aws:ecs/taskDefinition:TaskDefinition').inputs.containerDefinitions),
    ) as { environment: { name: string; value: string }[] }[];
    const env = Object.fromEntries(container!.environment.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({
      OPENAQ_SOURCE: 'reconcile',
      OPENAQ_RECONCILE_DAYS: '7',
      OPENAQ_QUEUE_URL: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/openaq-lakehouse-test-feed`,
      OPENAQ_DEAD_LETTER_QUEUE_URL: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/openaq-lakehouse-test-feed-dlq`,
    });
    expect(run.outputs.notificationQueueUrl).toBe(queue('feed-queue').state.url);
  });

  it("lets the feed's dead-letter alarm publish to the alert topic", () => {
    const alarm = run
      .ofType('aws:cloudwatch/metricAlarm:MetricAlarm')
      .find((resource) => resource.name === 'feed-dead-letters')!;
    expect(alarm.inputs.name).toBe('openaq-lakehouse-test-feed-dead-letters');
    const topicPolicy = json(
      run.one('aws:sns/topicPolicy:TopicPolicy').inputs.policy,
    ) as unknown as PolicyDocument;
    const alarms = topicPolicy.Statement.find((statement) => statement.Sid === 'Alarms')!;
    expect(JSON.stringify(alarms.Condition)).toContain(
      `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:openaq-lakehouse-test-feed-dead-letters`,
    );
  });
});
