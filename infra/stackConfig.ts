import { fargateSize, type FargateSize } from './fargateSize.ts';
import { scheduleExpression, scheduleTimezone } from './scheduleExpression.ts';

/** Everything the program reads from stack config (`openaq-lakehouse:<key>`), resolved and checked. */
export interface StackConfig {
  /** Prefix of every physical name; names are `<namePrefix>-<stack>`. */
  readonly namePrefix: string;
  /** S3 Tables bucket name; default `<namePrefix>-<stack>`. */
  readonly tableBucketName?: string;
  /** SSE-KMS key for the table bucket; without it S3 Tables encrypts with SSE-S3 (AES256). */
  readonly kmsKeyArn?: string;
  /** Protect the table bucket, namespace and tables from replacement and deletion. */
  readonly protectTables: boolean;
  /** Unreferenced files are marked for deletion after this many days. */
  readonly unreferencedDays: number;
  /** Marked files are deleted after this many more days. */
  readonly nonCurrentDays: number;
  /** Compaction target file size, 64–512 MB. */
  readonly compactionTargetFileSizeMb: number;
  /** Snapshots older than this are expired… */
  readonly snapshotMaxAgeHours: number;
  /** …but at least this many are kept. */
  readonly snapshotMinCount: number;
  /** EventBridge Scheduler expression of the nightly run. */
  readonly scheduleCron: string;
  /** IANA time zone the cron is read in. */
  readonly scheduleTimezone: string;
  /** ENABLED or DISABLED schedule. */
  readonly scheduleEnabled: boolean;
  /** Scheduler retries of a failed RunTask call (0–185). */
  readonly scheduleRetryAttempts: number;
  /** Scheduler gives up retrying after this many seconds (60–86400). */
  readonly scheduleMaxEventAgeSeconds: number;
  /** Fargate task size. */
  readonly task: FargateSize;
  /** Archive days the nightly run re-reads, ending yesterday (OPENAQ_LOOKBACK_DAYS). */
  readonly lookbackDays: number;
  /** CloudWatch log retention of the job's logs. */
  readonly logRetentionDays: number;
  /** E-mail subscribed to the alert topic (the recipient must confirm it). */
  readonly alertEmail?: string;
  /** ECR keeps this many untagged (superseded) images. */
  readonly imageKeepCount: number;
  /** The VPC the task runs in; default: the account's default VPC. */
  readonly vpcId?: string;
  /** The task's subnets (in `vpcId`); default: that VPC's default-for-AZ subnets. */
  readonly subnetIds?: readonly string[];
  /** Subscribe a queue to OpenAQ's object-created topic and let the nightly read it (false: list only). */
  readonly notificationFeed: boolean;
  /** Receives of a notification before SQS moves it to the feed's dead-letter queue. */
  readonly notificationMaxReceiveCount: number;
  /** With the feed on: when the feed-driven run (`nightly --source notifications`) starts. */
  readonly feedScheduleCron: string;
  /** The feed-driven run's task is stopped after this many hours (starts meanwhile are skipped). */
  readonly feedTimeoutHours: number;
  /** With the feed on: when the reconciliation run (`nightly --source reconcile`) starts. */
  readonly reconcileCron: string;
  /** Archive days, ending yesterday, that the reconciliation run lists. */
  readonly reconcileDays: number;
  /** The reconciliation run's task is stopped after this many hours. */
  readonly reconcileTimeoutHours: number;
}

/** Defaults of every optional key, as they appear in the README and Pulumi.dev.yaml. */
export const STACK_CONFIG_DEFAULTS = {
  namePrefix: 'openaq-lakehouse',
  protectTables: true,
  unreferencedDays: 3,
  nonCurrentDays: 10,
  compactionTargetFileSizeMb: 512,
  snapshotMaxAgeHours: 120,
  snapshotMinCount: 1,
  scheduleCron: 'cron(30 3 * * ? *)',
  scheduleTimezone: 'UTC',
  scheduleEnabled: true,
  scheduleRetryAttempts: 2,
  scheduleMaxEventAgeSeconds: 3600,
  taskCpu: 1024,
  taskMemory: 4096,
  lookbackDays: 7,
  logRetentionDays: 30,
  imageKeepCount: 5,
  notificationFeed: false,
  notificationMaxReceiveCount: 5,
  feedScheduleCron: 'cron(5 * * * ? *)',
  feedTimeoutHours: 3,
  reconcileCron: 'cron(30 9 ? * SUN *)',
  reconcileDays: 30,
  reconcileTimeoutHours: 6,
} as const;

/** Every key the program reads (without the `openaq-lakehouse:` namespace). */
export const STACK_CONFIG_KEYS = [
  ...Object.keys(STACK_CONFIG_DEFAULTS),
  'tableBucketName',
  'kmsKeyArn',
  'alertEmail',
  'vpcId',
  'subnetIds',
] as const;

/** CloudWatch Logs' allowed retention periods, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

/** Reads stack config through `get` (e.g. `(key) => new pulumi.Config().get(key)`), checks all of it. */
export function resolveStackConfig(get: (key: string) => string | undefined): StackConfig {
  const d = STACK_CONFIG_DEFAULTS;
  const { text, int, bool } = configReader(get);
  return {
    namePrefix: text('namePrefix') ?? d.namePrefix,
    tableBucketName: text('tableBucketName'),
    kmsKeyArn: matching(
      text,
      'kmsKeyArn',
      /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/,
      'a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/…',
    ),
    protectTables: bool('protectTables', d.protectTables),
    unreferencedDays: int('unreferencedDays', d.unreferencedDays, 1, 36500),
    nonCurrentDays: int('nonCurrentDays', d.nonCurrentDays, 1, 36500),
    compactionTargetFileSizeMb: int(
      'compactionTargetFileSizeMb',
      d.compactionTargetFileSizeMb,
      64,
      512,
    ),
    snapshotMaxAgeHours: int('snapshotMaxAgeHours', d.snapshotMaxAgeHours, 1, 876000),
    snapshotMinCount: int('snapshotMinCount', d.snapshotMinCount, 1, 10000),
    ...scheduleConfig(text, int, bool),
    task: fargateSize(
      int('taskCpu', d.taskCpu, 256, 16384),
      int('taskMemory', d.taskMemory, 512, 122880),
    ),
    lookbackDays: int('lookbackDays', d.lookbackDays, 1, 366),
    logRetentionDays: logRetention(int('logRetentionDays', d.logRetentionDays, 1, 3653)),
    alertEmail: matching(text, 'alertEmail', /^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'an e-mail address'),
    imageKeepCount: int('imageKeepCount', d.imageKeepCount, 1, 1000),
    ...networkConfig(text),
  };
}

type Text = (key: string) => string | undefined;
type Int = (key: string, fallback: number, min: number, max: number) => number;
type Bool = (key: string, fallback: boolean) => boolean;

/** Typed reads of stack config keys: blank counts as unset; a bad value names its key. */
function configReader(get: (key: string) => string | undefined): {
  text: Text;
  int: Int;
  bool: Bool;
} {
  const text: Text = (key) => {
    const value = get(key)?.trim();
    return value === '' ? undefined : value;
  };
  const int: Int = (key, fallback, min, max) => {
    const raw = text(key);
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(
        `config: Expected \`${key}\` to be an integer from ${min} to ${max}, got \`${raw}\``,
      );
    }
    return value;
  };
  const bool: Bool = (key, fallback) => {
    const raw = text(key);
    if (raw === undefined) return fallback;
    if (raw !== 'true' && raw !== 'false') {
      throw new Error(`config: Expected \`${key}\` to be true or false, got \`${raw}\``);
    }
    return raw === 'true';
  };
  return { text, int, bool };
}

/** An optional key whose value must match `pattern`, described as `what` when it does not. */
function matching(text: Text, key: string, pattern: RegExp, what: string): string | undefined {
  const value = text(key);
  if (value !== undefined && !pattern.test(value)) {
    throw new Error(`config: Expected \`${key}\` to be ${what}, got \`${value}\``);
  }
  return value;
}

function logRetention(days: number): number {
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(days)) {
    throw new Error(
      `config: Expected \`logRetentionDays\` to be one of ${LOG_RETENTION_DAYS.join(', ')}, got \`${days}\``,
    );
  }
  return days;
}

/** The nightly's, the feed's and the reconciliation's schedules. */
function scheduleConfig(text: Text, int: Int, bool: Bool) {
  const d = STACK_CONFIG_DEFAULTS;
  return {
    scheduleCron: scheduleExpression(text('scheduleCron') ?? d.scheduleCron),
    scheduleTimezone: scheduleTimezone(text('scheduleTimezone') ?? d.scheduleTimezone),
    scheduleEnabled: bool('scheduleEnabled', d.scheduleEnabled),
    scheduleRetryAttempts: int('scheduleRetryAttempts', d.scheduleRetryAttempts, 0, 185),
    scheduleMaxEventAgeSeconds: int(
      'scheduleMaxEventAgeSeconds',
      d.scheduleMaxEventAgeSeconds,
      60,
      86400,
    ),
    notificationFeed: bool('notificationFeed', d.notificationFeed),
    notificationMaxReceiveCount: int(
      'notificationMaxReceiveCount',
      d.notificationMaxReceiveCount,
      1,
      1000,
    ),
    feedScheduleCron: scheduleExpression(
      text('feedScheduleCron') ?? d.feedScheduleCron,
      'feedScheduleCron',
    ),
    feedTimeoutHours: int('feedTimeoutHours', d.feedTimeoutHours, 1, 24),
    reconcileCron: scheduleExpression(text('reconcileCron') ?? d.reconcileCron, 'reconcileCron'),
    reconcileDays: int('reconcileDays', d.reconcileDays, 1, 3653),
    reconcileTimeoutHours: int('reconcileTimeoutHours', d.reconcileTimeoutHours, 1, 24),
  };
}

/** Your own VPC and subnets, or none (the default VPC's default subnets). */
function networkConfig(text: Text): { vpcId?: string; subnetIds?: string[] } {
  const vpcId = matching(text, 'vpcId', /^vpc-[0-9a-f]{8,17}$/, 'a VPC id like vpc-0abc1234');
  const subnetText = text('subnetIds');
  const subnetIds = subnetText?.split(',').map((id) => id.trim());
  if (subnetIds?.some((id) => !/^subnet-[0-9a-f]{8,17}$/.test(id))) {
    throw new Error(
      `config: Expected \`subnetIds\` to be comma-separated subnet ids like subnet-0abc1234,subnet-0def5678, got \`${subnetText}\``,
    );
  }
  if (subnetIds && !vpcId) {
    throw new Error(
      `config: Expected \`vpcId\` with \`subnetIds\` (the task's security group belongs to that VPC), got subnetIds \`${subnetText}\` and no vpcId`,
    );
  }
  return { ...(vpcId ? { vpcId } : {}), ...(subnetIds ? { subnetIds } : {}) };
}
