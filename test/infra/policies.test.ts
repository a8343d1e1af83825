import { describe, expect, it } from 'vitest';
import { alertTopicPolicy } from '../../infra/alertTopicPolicy.ts';
import { eventDeadLetterQueuePolicy } from '../../infra/eventDeadLetterQueuePolicy.ts';
import { noSuccessAlarm } from '../../infra/noSuccessAlarm.ts';
import { metricsRecord } from '../../job/output/metricsRecord.ts';
import { emptySummary } from '../../job/model/runSummary.ts';
import { assumeRolePolicy } from '../../infra/assumeRolePolicy.ts';
import { ecrLifecyclePolicy } from '../../infra/ecrLifecyclePolicy.ts';
import { executionRolePolicy } from '../../infra/executionRolePolicy.ts';
import { actionsOf, resourcesOf } from '../../infra/policyDocument.ts';
import { schedulerRolePolicy } from '../../infra/schedulerRolePolicy.ts';
import { tableBucketPolicy } from '../../infra/tableBucketPolicy.ts';
import { BUCKET_ACTIONS, TABLE_ACTIONS, taskRolePolicy } from '../../infra/taskRolePolicy.ts';
import { taskFailurePattern } from '../../infra/taskFailurePattern.ts';

const BUCKET = 'arn:aws:s3tables:us-east-1:123456789012:bucket/aq';
const TABLE_A = `${BUCKET}/table/11111111-1111-1111-1111-111111111111`;
const TABLE_B = `${BUCKET}/table/22222222-2222-2222-2222-222222222222`;

describe('taskRolePolicy', () => {
  const policy = taskRolePolicy({
    tableBucketArn: BUCKET,
    tableArns: [TABLE_A, TABLE_B],
    archiveBucket: 'openaq-data-archive',
  });

  it('puts bucket-level actions on the bucket and table actions on the exact tables', () => {
    expect(policy.Statement).toEqual([
      { Sid: 'TableBucket', Effect: 'Allow', Action: BUCKET_ACTIONS, Resource: BUCKET },
      { Sid: 'Tables', Effect: 'Allow', Action: TABLE_ACTIONS, Resource: [TABLE_A, TABLE_B] },
      {
        Sid: 'ArchiveList',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: 'arn:aws:s3:::openaq-data-archive',
      },
      {
        Sid: 'ArchiveRead',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: 'arn:aws:s3:::openaq-data-archive/*',
      },
    ]);
  });

  it('names every action explicitly and grants nothing that creates, deletes or re-permissions', () => {
    for (const action of policy.Statement.flatMap(actionsOf)) {
      expect(action).toMatch(/^(s3tables|s3):[A-Z][A-Za-z]+$/);
      expect(action).not.toMatch(/Create|Delete|Rename|Policy|Encryption|Maintenance/);
    }
  });

  it('adds the KMS key only when the bucket uses one', () => {
    expect(policy.Statement.flatMap(actionsOf).some((a) => a.startsWith('kms:'))).toBe(false);
    const key = 'arn:aws:kms:us-east-1:123456789012:key/abc';
    const withKey = taskRolePolicy({
      tableBucketArn: BUCKET,
      tableArns: [TABLE_A],
      archiveBucket: 'openaq-data-archive',
      kmsKeyArn: key,
    });
    expect(withKey.Statement.at(-1)).toEqual({
      Sid: 'TableBucketKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: key,
    });
  });

  it('refuses to build a policy with no tables', () => {
    expect(() =>
      taskRolePolicy({ tableBucketArn: BUCKET, tableArns: [], archiveBucket: 'x' }),
    ).toThrow('infra: Expected at least one table ARN');
  });
});

describe('executionRolePolicy', () => {
  it('pulls from one repository and writes to one log group; only the ECR login is unscoped', () => {
    const policy = executionRolePolicy({
      repositoryArn: 'arn:aws:ecr:us-east-1:123456789012:repository/aq',
      logGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/ecs/aq',
    });
    expect(policy.Statement.map((s) => [actionsOf(s), resourcesOf(s)])).toEqual([
      [['ecr:GetAuthorizationToken'], ['*']],
      [
        ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        ['arn:aws:ecr:us-east-1:123456789012:repository/aq'],
      ],
      [
        ['logs:CreateLogStream', 'logs:PutLogEvents'],
        ['arn:aws:logs:us-east-1:123456789012:log-group:/ecs/aq:log-stream:*'],
      ],
    ]);
  });
});

describe('schedulerRolePolicy', () => {
  const policy = schedulerRolePolicy({
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:aq-nightly',
    deadLetterQueueArn: 'arn:aws:sqs:us-east-1:123456789012:aq-dlq',
  });

  it('starts the nightly state machine only, and sends to the DLQ', () => {
    expect(policy.Statement).toEqual([
      {
        Sid: 'StartRun',
        Effect: 'Allow',
        Action: 'states:StartExecution',
        Resource: 'arn:aws:states:us-east-1:123456789012:stateMachine:aq-nightly',
      },
      {
        Sid: 'DeadLetters',
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: 'arn:aws:sqs:us-east-1:123456789012:aq-dlq',
      },
    ]);
  });
});

describe('tableBucketPolicy', () => {
  it('denies non-TLS requests to the bucket and every table in it, allows nothing', () => {
    const policy = tableBucketPolicy(BUCKET);
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0]).toEqual({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3tables:*',
      Resource: [BUCKET, `${BUCKET}/table/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });
});

describe('assumeRolePolicy', () => {
  it('trusts one service, for one account when given', () => {
    expect(assumeRolePolicy('ecs-tasks.amazonaws.com').Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'ecs-tasks.amazonaws.com' },
        Action: 'sts:AssumeRole',
      },
    ]);
    expect(
      assumeRolePolicy('scheduler.amazonaws.com', '123456789012').Statement[0]?.Condition,
    ).toEqual({
      StringEquals: { 'aws:SourceAccount': '123456789012' },
    });
  });
});

describe('alertTopicPolicy', () => {
  it('lets exactly our rule and our alarms publish', () => {
    const policy = alertTopicPolicy({
      topicArn: 'arn:aws:sns:us-east-1:123456789012:aq-alerts',
      eventRuleArn: 'arn:aws:events:us-east-1:123456789012:rule/aq',
      alarmArns: [
        'arn:aws:cloudwatch:us-east-1:123456789012:alarm:aq',
        'arn:aws:cloudwatch:us-east-1:123456789012:alarm:aq-no-success',
      ],
      accountId: '123456789012',
    });
    expect(policy.Statement.map((s) => [s.Principal, s.Action, s.Condition?.ArnEquals])).toEqual([
      [
        { Service: 'events.amazonaws.com' },
        'sns:Publish',
        { 'aws:SourceArn': 'arn:aws:events:us-east-1:123456789012:rule/aq' },
      ],
      [
        { Service: 'cloudwatch.amazonaws.com' },
        'sns:Publish',
        {
          'aws:SourceArn': [
            'arn:aws:cloudwatch:us-east-1:123456789012:alarm:aq',
            'arn:aws:cloudwatch:us-east-1:123456789012:alarm:aq-no-success',
          ],
        },
      ],
    ]);
  });
});

describe('eventDeadLetterQueuePolicy', () => {
  it('lets only EventBridge, for our rule, send to the queue', () => {
    expect(
      eventDeadLetterQueuePolicy({
        queueArn: 'arn:aws:sqs:us-east-1:123456789012:aq-alerts-dlq',
        eventRuleArn: 'arn:aws:events:us-east-1:123456789012:rule/aq',
      }).Statement,
    ).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: 'arn:aws:sqs:us-east-1:123456789012:aq-alerts-dlq',
        Condition: {
          ArnEquals: { 'aws:SourceArn': 'arn:aws:events:us-east-1:123456789012:rule/aq' },
        },
      }),
    ]);
  });
});

describe('noSuccessAlarm', () => {
  it('breaches each hour without a successful nightly, and fires after `hours` of them', () => {
    expect(noSuccessAlarm(26)).toMatchObject({
      metricName: 'ExitCode',
      dimensions: { Command: 'nightly' },
      statistic: 'Minimum',
      period: 3600,
      evaluationPeriods: 26,
      datapointsToAlarm: 26,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'breaching',
    });
    expect(() => noSuccessAlarm(200)).toThrow('1–168 hours, got `200`');
  });

  it("watches the metric the job's EMF record emits for a nightly run", () => {
    const record = metricsRecord(
      {
        ...emptySummary('run-1', { from: '2024-01-01', to: '2024-01-01' }, 'test', false),
        exitCode: 0,
      },
      'nightly',
    ) as {
      _aws: {
        CloudWatchMetrics: {
          Namespace: string;
          Dimensions: string[][];
          Metrics: { Name: string }[];
        }[];
      };
    } & Record<string, unknown>;
    const [directive] = record._aws.CloudWatchMetrics;
    const alarm = noSuccessAlarm(26);
    expect(directive!.Namespace).toBe(alarm.namespace);
    expect(directive!.Metrics.map((m) => m.Name)).toContain(alarm.metricName);
    expect(directive!.Dimensions).toEqual([Object.keys(alarm.dimensions)]);
    expect(record).toMatchObject({ ...alarm.dimensions, [alarm.metricName]: 0 });
  });
});

describe('ecrLifecyclePolicy', () => {
  it('keeps the newest N superseded images', () => {
    expect(ecrLifecyclePolicy(3).rules).toEqual([
      expect.objectContaining({
        rulePriority: 1,
        selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 3 },
        action: { type: 'expire' },
      }),
    ]);
  });
  it('refuses to keep none', () => {
    expect(() => ecrLifecyclePolicy(0)).toThrow('`imageKeepCount` to be an integer >= 1, got `0`');
  });
});

describe('taskFailurePattern', () => {
  const pattern = taskFailurePattern({
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/aq',
    taskDefinitionArnWithoutRevision: 'arn:aws:ecs:us-east-1:123456789012:task-definition/aq-job',
  });

  it('matches our stopped tasks that exited non-zero or never started', () => {
    expect(pattern).toEqual({
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: {
        clusterArn: ['arn:aws:ecs:us-east-1:123456789012:cluster/aq'],
        taskDefinitionArn: [
          { prefix: 'arn:aws:ecs:us-east-1:123456789012:task-definition/aq-job:' },
        ],
        lastStatus: ['STOPPED'],
        $or: [
          { containers: { exitCode: [{ 'anything-but': 0 }] } },
          { stopCode: ['TaskFailedToStart'] },
        ],
      },
    });
  });
});
