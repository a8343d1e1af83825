/**
 * Pulumi composition root: reads the stack config, wires the components, exports what a user
 * needs. The tables come from `job/tables.ts`, the one definition the job uses too.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { NAMESPACE, TABLES } from './job/tables.ts';
import { Alerts, noSubscriberWarning } from './infra/Alerts.ts';
import { Backfill } from './infra/Backfill.ts';
import { resolveBackfillConfig } from './infra/backfillConfig.ts';
import { feedRuns } from './infra/feedRuns.ts';
import { NightlyRun } from './infra/NightlyRun.ts';
import { dockerRunCommand } from './infra/dockerRunCommand.ts';
import { ecrLoginCommand } from './infra/ecrLoginCommand.ts';
import { ecsRunTaskCommand } from './infra/ecsRunTaskCommand.ts';
import { JobImage } from './infra/JobImage.ts';
import { CONTAINER_NAME, JobTask } from './infra/JobTask.ts';
import { Lakehouse } from './infra/Lakehouse.ts';
import { NightlySchedule } from './infra/NightlySchedule.ts';
import { NotificationFeed } from './infra/NotificationFeed.ts';
import { OPENAQ_OBJECT_CREATED_TOPIC_ARN } from './infra/notificationFeedPolicies.ts';
import { resourceNames } from './infra/resourceNames.ts';
import { resolveStackConfig } from './infra/stackConfig.ts';

/** The public OpenAQ archive the job reads (the job's default `--source-bucket`). */
export const ARCHIVE_BUCKET = 'openaq-data-archive';
/** The image's platform: the task runs on Graviton. */
export const IMAGE_PLATFORM = 'linux/arm64';

const stackConfig = new pulumi.Config();
const config = resolveStackConfig((key) => stackConfig.get(key));
const backfillConfig = resolveBackfillConfig((key) => stackConfig.get(key));
const region = new pulumi.Config('aws').require('region');
const accountId = aws.getCallerIdentityOutput().accountId;
const names = resourceNames(config.namePrefix, pulumi.getStack(), config.tableBucketName);

const lakehouse = new Lakehouse('lakehouse', {
  tableBucketName: names.tableBucket,
  namespace: NAMESPACE,
  tables: TABLES,
  kmsKeyArn: config.kmsKeyArn,
  protect: config.protectTables,
  unreferencedDays: config.unreferencedDays,
  nonCurrentDays: config.nonCurrentDays,
  compactionTargetFileSizeMb: config.compactionTargetFileSizeMb,
  snapshotMaxAgeHours: config.snapshotMaxAgeHours,
  snapshotMinCount: config.snapshotMinCount,
});

const image = new JobImage('job-image', {
  repositoryName: names.repository,
  context: '.',
  dockerfile: './Dockerfile',
  platform: IMAGE_PLATFORM,
  keepCount: config.imageKeepCount,
});

// The feed's queue URLs are known before the queues exist (the task's environment needs them; the
// feed's alarm needs the alert topic, made after the task).
const feedUrls = config.notificationFeed
  ? {
      queueUrl: pulumi.interpolate`https://sqs.${region}.amazonaws.com/${accountId}/${names.feedQueue}`,
      deadLetterQueueUrl: pulumi.interpolate`https://sqs.${region}.amazonaws.com/${accountId}/${names.feedDeadLetterQueue}`,
    }
  : undefined;

const task = new JobTask('job', {
  clusterName: names.cluster,
  taskFamily: names.taskFamily,
  logGroupName: names.logGroup,
  logRetentionDays: config.logRetentionDays,
  imageUri: image.imageUri,
  repositoryArn: image.repositoryArn,
  size: config.task,
  region,
  tableBucketArn: lakehouse.tableBucketArn,
  tableArns: lakehouse.tableArns,
  namespace: NAMESPACE,
  archiveBucket: ARCHIVE_BUCKET,
  kmsKeyArn: config.kmsKeyArn,
  lookbackDays: config.lookbackDays,
  vpcId: config.vpcId,
  subnetIds: config.subnetIds,
  ...(feedUrls ? { feed: feedUrls } : {}),
});

if (!config.alertEmail) void pulumi.log.warn(noSubscriberWarning(names.alertTopic));
// The feed's alarm is made after the alert topic, whose policy must already admit it: by name.
const feedAlarmName = `${names.feedQueue}-dead-letters`;
const alerts = new Alerts('alerts', {
  topicName: names.alertTopic,
  eventDeadLetterQueueName: names.alertDeadLetterQueue,
  email: config.alertEmail,
  accountId,
  clusterArn: task.clusterArn,
  taskDefinitionArnWithoutRevision: task.taskDefinitionArnWithoutRevision,
  // By name: the schedule (which owns the queue) starts the nightly, which notifies this topic.
  deadLetterQueueName: names.deadLetterQueue,
  ...(config.notificationFeed
    ? {
        otherAlarmArns: [
          pulumi.interpolate`arn:aws:cloudwatch:${region}:${accountId}:alarm:${feedAlarmName}`,
        ],
      }
    : {}),
});

/** What both state machines run: this task, in the default VPC's public subnets. */
const taskTarget = {
  region,
  accountId,
  clusterArn: task.clusterArn,
  clusterName: task.clusterName,
  taskDefinitionArn: task.taskDefinitionArn,
  taskDefinitionArnWithoutRevision: task.taskDefinitionArnWithoutRevision,
  containerName: CONTAINER_NAME,
  taskRoleArn: task.taskRoleArn,
  executionRoleArn: task.executionRoleArn,
  subnetIds: task.subnetIds,
  securityGroupId: task.securityGroupId,
  topicArn: alerts.topicArn,
};

const nightly = new NightlyRun('nightly-run', {
  ...taskTarget,
  stateMachineName: `${names.cluster}-nightly`,
  timeoutSeconds: backfillConfig.nightlyTimeoutHours * 3600,
  retries: 1,
});

const schedule = new NightlySchedule('nightly', {
  scheduleName: names.schedule,
  deadLetterQueue: { name: names.deadLetterQueue },
  scheduleExpression: config.scheduleCron,
  timezone: config.scheduleTimezone,
  enabled: config.scheduleEnabled,
  retryAttempts: config.scheduleRetryAttempts,
  maxEventAgeSeconds: config.scheduleMaxEventAgeSeconds,
  accountId,
  stateMachineArn: nightly.stateMachineArn,
});

const backfill = new Backfill('backfill', {
  ...taskTarget,
  stateMachineName: `${names.cluster}-backfill`,
  config: backfillConfig,
});

const feed = config.notificationFeed
  ? new NotificationFeed('feed', {
      queueName: names.feedQueue,
      deadLetterQueueName: names.feedDeadLetterQueue,
      topicArn: OPENAQ_OBJECT_CREATED_TOPIC_ARN,
      maxReceiveCount: config.notificationMaxReceiveCount,
      region,
      alarmTopicArn: alerts.topicArn,
      alarmName: feedAlarmName,
    })
  : undefined;
feed?.allowTask(task.taskRoleArn);

// With the feed on: the hourly feed-driven run and the weekly reconciliation, each a state machine
// with its own guard and timeout and a schedule parking failed starts in the nightly's queue.
const feedSchedules = Object.fromEntries(
  feedRuns(config).map((run) => {
    const name = run.kind === 'feed' ? names.feedRun : names.reconcileRun;
    const machine = new NightlyRun(`${run.kind}-run`, {
      ...taskTarget,
      stateMachineName: name,
      label: run.label,
      command: run.command,
      whenRunning: run.whenRunning,
      timeoutSeconds: run.timeoutSeconds,
      retries: run.retries,
    });
    const runSchedule = new NightlySchedule(`${run.kind}-schedule`, {
      scheduleName: name,
      label: run.kind,
      description: run.description,
      deadLetterQueue: { arn: schedule.deadLetterQueueArn },
      scheduleExpression: run.scheduleExpression,
      timezone: config.scheduleTimezone,
      enabled: config.scheduleEnabled,
      retryAttempts: config.scheduleRetryAttempts,
      maxEventAgeSeconds: config.scheduleMaxEventAgeSeconds,
      accountId,
      stateMachineArn: machine.stateMachineArn,
    });
    return [
      run.kind,
      { stateMachineArn: machine.stateMachineArn, scheduleArn: runSchedule.scheduleArn },
    ];
  }),
);

/** The S3 Tables bucket: the job's `--table-bucket-arn` (OPENAQ_TABLE_BUCKET_ARN). */
export const tableBucketArn = lakehouse.tableBucketArn;
export const namespace = lakehouse.namespace;
export const tableArns = lakehouse.tableArns;
export const awsRegion = region;
export const repositoryUrl = image.repositoryUrl;
/** The image the task runs, pinned by digest. */
export const imageUri = image.imageUri;
export const clusterName = task.clusterName;
export const taskFamily = task.taskFamily;
export const taskDefinitionArn = task.taskDefinitionArn;
export const logGroupName = task.logGroupName;
export const scheduleArn = schedule.scheduleArn;
export const deadLetterQueueUrl = schedule.deadLetterQueueUrl;
export const alertTopicArn = alerts.topicArn;
export const nightlyStateMachineArn = nightly.stateMachineArn;
export const backfillStateMachineArn = backfill.stateMachineArn;
/** Where plan-backfill writes manifests (under manifests/). */
export const manifestBucket = backfill.manifestBucket;
/** The queue subscribed to OpenAQ's object-created topic (the job's --queue-url), when on. */
export const notificationQueueUrl = feed?.queueUrl;
export const notificationDeadLetterQueueUrl = feed?.deadLetterQueueUrl;
/** The hourly feed-driven run (`nightly --source notifications`), when the feed is on. */
export const feedRunScheduleArn = feedSchedules.feed?.scheduleArn;
export const feedRunStateMachineArn = feedSchedules.feed?.stateMachineArn;
/** The periodic reconciliation (`nightly --source reconcile`), when the feed is on. */
export const reconcileScheduleArn = feedSchedules.reconcile?.scheduleArn;
export const reconcileStateMachineArn = feedSchedules.reconcile?.stateMachineArn;

/** Log in to the registry, so that `docker run` can pull the image. */
export const ecrLogin = image.repositoryUrl.apply((url) => ecrLoginCommand(region, url));
/** Backfill $FROM..$TO from this machine into the deployed catalog, with the nightly image. */
export const dockerRun = pulumi
  .all([image.imageUri, lakehouse.tableBucketArn])
  .apply(([uri, arn]) => dockerRunCommand({ imageUri: uri, tableBucketArn: arn, region }));

const runTask = (command?: readonly string[]) =>
  pulumi
    .all([task.clusterName, task.taskFamily, task.subnetIds, task.securityGroupId])
    .apply(([cluster, family, subnetIds, securityGroupId]) =>
      ecsRunTaskCommand({
        region,
        cluster,
        taskFamily: family,
        subnetIds,
        securityGroupId,
        containerName: CONTAINER_NAME,
        command,
      }),
    );
/** Run the nightly command now, on Fargate. */
export const runTaskNightly = runTask();
/** Backfill $FROM..$TO on Fargate. */
export const runTaskBackfill = runTask(['backfill', '--from', '$FROM', '--to', '$TO']);
/**
 * A multi-year backfill, step 1: plan $FROM..$TO on Fargate into $MANIFEST
 * (s3://<manifestBucket>/$MANIFEST_KEY), shards of at most $MAX_FILES files.
 */
export const runTaskPlanBackfill = runTask([
  'plan-backfill',
  ...['--from', '$FROM', '--to', '$TO'],
  ...['--max-files-per-shard', '$MAX_FILES', '--out', '$MANIFEST'],
]);
/** Step 2: run every shard of s3://<manifestBucket>/$MANIFEST_KEY, MaxConcurrency at once. */
export const startBackfillExecution = backfill.startExecution;
