import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../job/config.ts';
import { NAMESPACE, TABLES } from '../../job/tables.ts';
import type { PolicyDocument } from '../../infra/policyDocument.ts';
import { actionsOf, resourcesOf } from '../../infra/policyDocument.ts';
import {
  ACCOUNT,
  REGION,
  SUBNET_IDS,
  VPC_ID,
  runProgram,
  type DeclaredResource,
  type ProgramRun,
} from './programUnderMocks.ts';

// A stack config with non-default values, so each assertion shows the value came from config.
const CONFIG = {
  'aws:region': REGION,
  'openaq-lakehouse:scheduleCron': 'cron(15 2 * * ? *)',
  'openaq-lakehouse:scheduleTimezone': 'Europe/Berlin',
  'openaq-lakehouse:scheduleRetryAttempts': '3',
  'openaq-lakehouse:taskCpu': '2048',
  'openaq-lakehouse:taskMemory': '8192',
  'openaq-lakehouse:lookbackDays': '5',
  'openaq-lakehouse:logRetentionDays': '14',
  'openaq-lakehouse:alertEmail': 'ops@example.com',
  'openaq-lakehouse:compactionTargetFileSizeMb': '256',
  'openaq-lakehouse:snapshotMaxAgeHours': '72',
  'openaq-lakehouse:unreferencedDays': '4',
};

const BUCKET_ARN = `arn:aws:s3tables:${REGION}:${ACCOUNT}:bucket/openaq-lakehouse-test`;

let run: ProgramRun;
const warnings: string[] = [];
beforeAll(async () => {
  // Recorded by assignment: vi.spyOn does not reach the object index.ts calls.
  (pulumi.log as { warn: typeof pulumi.log.warn }).warn = (message) => {
    warnings.push(message);
    return Promise.resolve();
  };
  run = await runProgram(CONFIG);
}, 20_000);

const policyOf = (resource: DeclaredResource, key: string): PolicyDocument =>
  JSON.parse(String(resource.inputs[key])) as PolicyDocument;

/** The inline policy attached to the role named `roleName` (Pulumi resource name). */
const rolePolicy = (roleName: string): PolicyDocument => {
  const role = run.ofType('aws:iam/role:Role').find((r) => r.name === roleName);
  const attached = run
    .ofType('aws:iam/rolePolicy:RolePolicy')
    .filter((p) => p.inputs.role === role?.name);
  expect(attached).toHaveLength(1);
  return policyOf(attached[0]!, 'policy');
};

/** The resource of `type` declared under the Pulumi name `name`. */
const named = (type: string, name: string): DeclaredResource => {
  const found = run.ofType(type).find((r) => r.name === name);
  if (!found) throw new Error(`test: no ${type} named ${name}`);
  return found;
};

const containerDefinitions = (): Record<string, unknown>[] =>
  JSON.parse(
    String(run.one('aws:ecs/taskDefinition:TaskDefinition').inputs.containerDefinitions),
  ) as Record<string, unknown>[];

describe('the nightly task', () => {
  it('is an ARM64 (Graviton) Fargate task of the configured size', () => {
    expect(run.one('aws:ecs/taskDefinition:TaskDefinition').inputs).toMatchObject({
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'ARM64' },
      cpu: '2048',
      memory: '8192',
    });
  });

  it('runs the image built for linux/arm64 from the Dockerfile, pinned by digest, with its default command', () => {
    const image = run.one('awsx:ecr:Image');
    expect(image.inputs.platform).toBe('linux/arm64');
    expect(existsSync(resolve(String(image.inputs.context), String(image.inputs.dockerfile)))).toBe(
      true,
    );
    const [container, ...others] = containerDefinitions();
    expect(others).toEqual([]);
    expect(container?.image).toBe(run.outputs.imageUri);
    expect(String(container?.image)).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(container).not.toHaveProperty('command');
  });

  it('gets the table bucket, the look-back window and DuckDB sizing from the stack', () => {
    const environment = Object.fromEntries(
      (containerDefinitions()[0]?.environment as { name: string; value: string }[]).map((e) => [
        e.name,
        e.value,
      ]),
    );
    expect(environment).toEqual({
      OPENAQ_TABLE_BUCKET_ARN: BUCKET_ARN,
      OPENAQ_NAMESPACE: NAMESPACE,
      OPENAQ_LOOKBACK_DAYS: '5',
      OPENAQ_MEMORY_LIMIT: '4915MiB',
      OPENAQ_THREADS: '2',
      OPENAQ_PARSE_THREADS: '1',
      AWS_REGION: REGION,
    });
  });

  it('logs to a log group that expires after the configured retention', () => {
    const logGroup = run.one('aws:cloudwatch/logGroup:LogGroup');
    expect(logGroup.inputs.retentionInDays).toBe(14);
    expect(containerDefinitions()[0]?.logConfiguration).toEqual({
      logDriver: 'awslogs',
      options: {
        'awslogs-group': logGroup.inputs.name,
        'awslogs-region': REGION,
        'awslogs-stream-prefix': 'job',
      },
    });
  });

  it('accepts no inbound traffic and sends only HTTPS out', () => {
    const group = run.one('aws:ec2/securityGroup:SecurityGroup');
    expect(group.inputs.ingress ?? []).toEqual([]);
    expect(group.inputs.egress).toEqual([
      expect.objectContaining({ protocol: 'tcp', fromPort: 443, toPort: 443 }),
    ]);
  });
});

describe('the task role', () => {
  const tableArns = () => run.ofType('aws:s3tables/table:Table').map((t) => String(t.state.arn));

  it('grants no wildcard action and nothing outside our bucket, our tables and the OpenAQ bucket', () => {
    const policy = rolePolicy('job-task-role');
    const allowed = new Set([
      BUCKET_ARN,
      ...tableArns(),
      `arn:aws:s3:::${DEFAULTS.sourceBucket}`,
      `arn:aws:s3:::${DEFAULTS.sourceBucket}/*`,
    ]);
    expect(policy.Statement.length).toBeGreaterThan(0);
    for (const statement of policy.Statement) {
      expect(statement.Effect).toBe('Allow');
      for (const action of actionsOf(statement)) expect(action).not.toContain('*');
      for (const resource of resourcesOf(statement)) expect(allowed).toContain(resource);
    }
  });

  it('can read the archive and write the tables, but not create, delete or rename anything', () => {
    const actions = rolePolicy('job-task-role').Statement.flatMap(actionsOf);
    expect(actions).toEqual(
      expect.arrayContaining([
        's3:GetObject',
        's3:ListBucket',
        's3tables:GetTableMetadataLocation',
        's3tables:PutTableData',
        's3tables:UpdateTableMetadataLocation',
      ]),
    );
    for (const action of actions) {
      expect(action).not.toMatch(/^s3:(Put|Delete)|^s3tables:(Create|Delete|Rename|Put.*Policy)/);
      // The storage identity cannot delete objects: table data is s3tables:GetTableData /
      // PutTableData (no delete), and nothing else touches objects but the archive's s3:GetObject.
      expect(action).not.toMatch(/Delete|Abort|\*/);
    }
  });

  it('covers every table, each by its exact ARN', () => {
    const tables = rolePolicy('job-task-role').Statement.find((s) => s.Sid === 'Tables');
    expect([...resourcesOf(tables!)].sort()).toEqual(tableArns().sort());
    expect(tableArns()).toHaveLength(TABLES.length);
  });

  it('is the role the task definition runs as', () => {
    const role = run.ofType('aws:iam/role:Role').find((r) => r.name === 'job-task-role');
    expect(run.one('aws:ecs/taskDefinition:TaskDefinition').inputs.taskRoleArn).toBe(
      role?.state.arn,
    );
  });
});

describe('the execution role', () => {
  it('can pull only this image and write only these logs', () => {
    const repository = run.one('aws:ecr/repository:Repository');
    const logGroup = run.one('aws:cloudwatch/logGroup:LogGroup');
    for (const statement of rolePolicy('job-execution-role').Statement) {
      for (const action of actionsOf(statement)) expect(action).not.toContain('*');
      const resources = resourcesOf(statement);
      if (resources.includes('*')) {
        // The one action without resource-level permissions.
        expect(actionsOf(statement)).toEqual(['ecr:GetAuthorizationToken']);
      } else {
        for (const resource of resources) {
          expect([repository.state.arn, `${String(logGroup.state.arn)}:log-stream:*`]).toContain(
            resource,
          );
        }
      }
    }
  });
});

describe('the schedule', () => {
  it('takes its cron expression and time zone from the stack config', () => {
    expect(run.one('aws:scheduler/schedule:Schedule').inputs).toMatchObject({
      scheduleExpression: 'cron(15 2 * * ? *)',
      scheduleExpressionTimezone: 'Europe/Berlin',
      state: 'ENABLED',
    });
  });

  it('is the only schedule and the feed runs do not exist while the feed is off', () => {
    expect(run.ofType('aws:scheduler/schedule:Schedule')).toHaveLength(1);
    expect(
      run.ofType('aws:sfn/stateMachine:StateMachine').map((m) => String(m.inputs.name)),
    ).toEqual(expect.not.arrayContaining([expect.stringMatching(/-(feed-run|reconcile)$/)]));
    expect(run.outputs.feedRunScheduleArn).toBeUndefined();
    expect(run.outputs.reconcileScheduleArn).toBeUndefined();
  });

  it('runs in the default VPC when no vpcId is configured, and warns of nothing', () => {
    expect(run.one('aws:ec2/securityGroup:SecurityGroup').inputs.vpcId).toBe(VPC_ID);
    expect(warnings).toEqual([]);
  });

  it('starts the nightly state machine, which runs the task', () => {
    const schedule = run.one('aws:scheduler/schedule:Schedule');
    const nightly = run
      .ofType('aws:sfn/stateMachine:StateMachine')
      .find((m) => String(m.inputs.name).endsWith('-nightly'))!;
    expect(schedule.inputs.target).toMatchObject({ arn: nightly.state.arn, input: '{}' });
  });

  it('retries a failed invocation and then parks it in an SQS dead-letter queue', () => {
    const target = run.one('aws:scheduler/schedule:Schedule').inputs.target as Record<
      string,
      unknown
    >;
    expect(target.retryPolicy).toEqual({ maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 });
    expect(target.deadLetterConfig).toEqual({
      arn: named('aws:sqs/queue:Queue', 'nightly-dlq').state.arn,
    });
  });

  it('has a role that can only start the nightly state machine and write the DLQ', () => {
    const policy = rolePolicy('nightly-role');
    const roles = run.ofType('aws:iam/role:Role');
    const nightly = run
      .ofType('aws:sfn/stateMachine:StateMachine')
      .find((m) => String(m.inputs.name).endsWith('-nightly'))!;
    expect(policy.Statement.map((s) => [actionsOf(s), resourcesOf(s)])).toEqual([
      [['states:StartExecution'], [nightly.state.arn]],
      [['sqs:SendMessage'], [named('aws:sqs/queue:Queue', 'nightly-dlq').state.arn]],
    ]);
    const trust = policyOf(
      roles.find((r) => r.name === 'nightly-role')!,
      'assumeRolePolicy',
    );
    expect(trust.Statement[0]).toMatchObject({
      Principal: { Service: 'scheduler.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
    });
  });
});

describe('the lakehouse', () => {
  it('declares every table of job/tables.ts, with the same schema, in the namespace', () => {
    const tables = run.ofType('aws:s3tables/table:Table');
    expect(tables.map((t) => String(t.inputs.name)).sort()).toEqual(
      TABLES.map((t) => t.name).sort(),
    );
    for (const definition of TABLES) {
      const table = tables.find((t) => t.inputs.name === definition.name)!;
      expect(table.inputs).toMatchObject({
        namespace: NAMESPACE,
        tableBucketArn: BUCKET_ARN,
        format: 'ICEBERG',
      });
      expect(table.inputs.metadata).toEqual({
        iceberg: {
          schema: {
            fields: definition.columns.map((c) => ({
              name: c.name,
              type: c.type,
              required: c.required,
            })),
          },
        },
      });
    }
    expect(run.one('aws:s3tables/namespace:Namespace').inputs).toEqual(
      expect.objectContaining({ namespace: NAMESPACE, tableBucketArn: BUCKET_ARN }),
    );
  });

  it('sets compaction and snapshot expiry from config', () => {
    for (const table of run.ofType('aws:s3tables/table:Table')) {
      expect(table.inputs.maintenanceConfiguration).toEqual({
        icebergCompaction: { status: 'enabled', settings: { targetFileSizeMb: 256 } },
        icebergSnapshotManagement: {
          status: 'enabled',
          settings: { maxSnapshotAgeHours: 72, minSnapshotsToKeep: 1 },
        },
      });
    }
  });

  it('protects what holds data, and keeps a schema change in code from replacing a table', () => {
    for (const table of run.ofType('aws:s3tables/table:Table')) {
      expect(table.protect).toBe(true);
      expect(table.ignoreChanges).toEqual(
        expect.arrayContaining(['metadata', 'encryptionConfiguration']),
      );
    }
    expect(run.one('aws:s3tables/tableBucket:TableBucket').protect).toBe(true);
    expect(run.one('aws:s3tables/namespace:Namespace').protect).toBe(true);
    expect(run.one('aws:s3tables/tableBucket:TableBucket').inputs.forceDestroy).toBe(false);
  });

  it('is encrypted with SSE-S3 by default and removes unreferenced files', () => {
    const bucket = run.one('aws:s3tables/tableBucket:TableBucket');
    // No encryptionConfiguration: S3 Tables' default, SSE-S3 (AES256).
    expect(bucket.inputs.encryptionConfiguration).toBeUndefined();
    expect(bucket.inputs.maintenanceConfiguration).toEqual({
      icebergUnreferencedFileRemoval: {
        status: 'enabled',
        settings: { unreferencedDays: 4, nonCurrentDays: 10 },
      },
    });
  });

  it('denies every request that does not use TLS, on the bucket and its tables', () => {
    const policy = run.one('aws:s3tables/tableBucketPolicy:TableBucketPolicy');
    expect(policy.inputs.tableBucketArn).toBe(BUCKET_ARN);
    expect(policyOf(policy, 'resourcePolicy').Statement).toEqual([
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3tables:*',
        Resource: [BUCKET_ARN, `${BUCKET_ARN}/table/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
  });
});

describe('alerting', () => {
  const topicArn = () => run.one('aws:sns/topic:Topic').state.arn;

  it('turns a task that stopped non-zero or failed to start into a message on the topic', () => {
    const rule = run.one('aws:cloudwatch/eventRule:EventRule');
    const pattern = JSON.parse(String(rule.inputs.eventPattern)) as {
      detail: Record<string, unknown>;
    };
    expect(pattern).toMatchObject({
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: {
        clusterArn: [run.one('aws:ecs/cluster:Cluster').state.arn],
        lastStatus: ['STOPPED'],
        $or: [
          { containers: { exitCode: [{ 'anything-but': 0 }] } },
          { stopCode: ['TaskFailedToStart'] },
        ],
      },
    });
    const target = run.one('aws:cloudwatch/eventTarget:EventTarget');
    expect(target.inputs).toMatchObject({ rule: rule.state.name, arn: topicArn() });
  });

  it('parks a message EventBridge cannot deliver to the topic in a dead-letter queue only that rule may write', () => {
    const queue = named('aws:sqs/queue:Queue', 'alerts-event-dlq');
    expect(queue.inputs.name).toBe('openaq-lakehouse-test-alerts-dlq');
    expect(run.one('aws:cloudwatch/eventTarget:EventTarget').inputs.deadLetterConfig).toEqual({
      arn: queue.state.arn,
    });
    const policy = policyOf(run.one('aws:sqs/queuePolicy:QueuePolicy'), 'policy');
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queue.state.arn,
        Condition: {
          ArnEquals: { 'aws:SourceArn': run.one('aws:cloudwatch/eventRule:EventRule').state.arn },
        },
      }),
    ]);
  });

  it('alarms into the topic when no nightly run succeeded for 26 hours', () => {
    expect(
      named('aws:cloudwatch/metricAlarm:MetricAlarm', 'alerts-no-success').inputs,
    ).toMatchObject({
      namespace: 'OpenAQLakehouse',
      metricName: 'ExitCode',
      dimensions: { Command: 'nightly' },
      evaluationPeriods: 26,
      treatMissingData: 'breaching',
      alarmActions: [topicArn()],
    });
  });

  it('alarms on the dead-letter queue into the same topic', () => {
    expect(
      named('aws:cloudwatch/metricAlarm:MetricAlarm', 'alerts-dead-letters').inputs,
    ).toMatchObject({
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: named('aws:sqs/queue:Queue', 'nightly-dlq').state.name },
      comparisonOperator: 'GreaterThanThreshold',
      threshold: 0,
      alarmActions: [topicArn()],
    });
  });

  it('lets only that rule and those alarms publish, and mails the configured address', () => {
    const policy = policyOf(run.one('aws:sns/topicPolicy:TopicPolicy'), 'policy');
    expect(policy.Statement.map((s) => s.Condition?.ArnEquals?.['aws:SourceArn'])).toEqual([
      run.one('aws:cloudwatch/eventRule:EventRule').state.arn,
      [
        named('aws:cloudwatch/metricAlarm:MetricAlarm', 'alerts-dead-letters').state.arn,
        named('aws:cloudwatch/metricAlarm:MetricAlarm', 'alerts-no-success').state.arn,
      ],
    ]);
    expect(run.one('aws:sns/topicSubscription:TopicSubscription').inputs).toMatchObject({
      protocol: 'email',
      endpoint: 'ops@example.com',
      topic: topicArn(),
    });
  });
});

describe('the container registry', () => {
  it('scans on push, expires superseded images and can be deleted with its images', () => {
    expect(run.one('aws:ecr/repository:Repository').inputs).toMatchObject({
      imageScanningConfiguration: { scanOnPush: true },
      forceDelete: true,
    });
    const lifecycle = run.one('aws:ecr/lifecyclePolicy:LifecyclePolicy');
    expect(JSON.parse(String(lifecycle.inputs.policy))).toMatchObject({
      rules: [{ selection: { tagStatus: 'untagged', countNumber: 5 } }],
    });
  });
});

describe('the program', () => {
  it('puts every cloud resource inside one of its components', () => {
    const custom = run.resources.filter(
      (r) => !r.type.startsWith('openaq-lakehouse:') && r.type !== 'pulumi:pulumi:Stack',
    );
    expect(custom.length).toBeGreaterThan(20);
    for (const resource of custom) {
      expect(resource.parent, `${resource.type} ${resource.name}`).toMatch(
        /::openaq-lakehouse:infra:[A-Za-z]+::/,
      );
    }
  });

  it('exports the bucket ARN and the exact docker run and run-task commands', () => {
    const { outputs } = run;
    expect(outputs.tableBucketArn).toBe(BUCKET_ARN);
    expect(outputs.dockerRun).toBe(
      'docker run --rm --platform linux/arm64 -v "$HOME/.aws:/home/node/.aws:ro" ' +
        '-e AWS_PROFILE -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN ' +
        `-e AWS_REGION=${REGION} -e OPENAQ_TABLE_BUCKET_ARN=${BUCKET_ARN} ` +
        `${String(outputs.imageUri)} backfill --from "$FROM" --to "$TO"`,
    );
    const network = `'awsvpcConfiguration={subnets=[${SUBNET_IDS.join(',')}],securityGroups=[sg-0job],assignPublicIp=ENABLED}'`;
    expect(outputs.runTaskNightly).toBe(
      `aws ecs run-task --region ${REGION} --cluster openaq-lakehouse-test ` +
        `--task-definition openaq-lakehouse-test-job --launch-type FARGATE --platform-version LATEST ` +
        `--network-configuration ${network}`,
    );
    expect(outputs.runTaskBackfill).toBe(
      `${String(outputs.runTaskNightly)} --overrides "{\\"containerOverrides\\":[{\\"name\\":\\"job\\",` +
        `\\"command\\":[\\"backfill\\",\\"--from\\",\\"$FROM\\",\\"--to\\",\\"$TO\\"]}]}"`,
    );
    expect(outputs.ecrLogin).toBe(
      `aws ecr get-login-password --region ${REGION} | docker login --username AWS --password-stdin ${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`,
    );
  });

  it('reads the same archive bucket the job reads by default', () => {
    expect(run.outputs.ARCHIVE_BUCKET).toBe(DEFAULTS.sourceBucket);
  });
});
