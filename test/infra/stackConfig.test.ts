import { describe, expect, it } from 'vitest';
import {
  STACK_CONFIG_DEFAULTS,
  STACK_CONFIG_KEYS,
  resolveStackConfig,
} from '../../infra/stackConfig.ts';

const resolveWith = (values: Record<string, string>) => resolveStackConfig((key) => values[key]);

describe('resolveStackConfig', () => {
  it('gives every optional key its documented default', () => {
    expect(resolveWith({})).toEqual({
      namePrefix: 'openaq-lakehouse',
      tableBucketName: undefined,
      kmsKeyArn: undefined,
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
      task: { cpu: '1024', memory: '4096' },
      lookbackDays: 7,
      logRetentionDays: 30,
      alertEmail: undefined,
      imageKeepCount: 5,
      notificationFeed: false,
      notificationMaxReceiveCount: 5,
      feedScheduleCron: 'cron(5 * * * ? *)',
      feedTimeoutHours: 3,
      reconcileCron: 'cron(30 9 ? * SUN *)',
      reconcileDays: 30,
      reconcileTimeoutHours: 6,
    });
  });

  it('reads strings, numbers and booleans as Pulumi config stores them', () => {
    const config = resolveWith({
      protectTables: 'false',
      lookbackDays: '3',
      taskCpu: '512',
      taskMemory: '2048',
      scheduleTimezone: 'America/Los_Angeles',
      alertEmail: 'ops@example.com',
    });
    expect(config).toMatchObject({
      protectTables: false,
      lookbackDays: 3,
      task: { cpu: '512', memory: '2048' },
      scheduleTimezone: 'America/Los_Angeles',
      alertEmail: 'ops@example.com',
    });
  });

  it.each([
    [
      { lookbackDays: '0' },
      'config: Expected `lookbackDays` to be an integer from 1 to 366, got `0`',
    ],
    [
      { lookbackDays: 'seven' },
      'config: Expected `lookbackDays` to be an integer from 1 to 366, got `seven`',
    ],
    [{ protectTables: 'yes' }, 'config: Expected `protectTables` to be true or false, got `yes`'],
    [
      { logRetentionDays: '10' },
      'config: Expected `logRetentionDays` to be one of 1, 3, 5, 7, 14, 30',
    ],
    [
      { compactionTargetFileSizeMb: '1024' },
      '`compactionTargetFileSizeMb` to be an integer from 64 to 512',
    ],
    [{ scheduleRetryAttempts: '186' }, '`scheduleRetryAttempts` to be an integer from 0 to 185'],
    [
      { taskMemory: '1024' },
      'config: Expected `taskMemory` for taskCpu 1024 to be one of 2048, 3072',
    ],
    [{ scheduleCron: '30 3 * * *' }, 'config: Expected `scheduleCron` to be cron(…) or rate(…)'],
    [
      { reconcileCron: 'weekly' },
      'config: Expected `reconcileCron` to be cron(…) or rate(…), e.g. cron(30 3 * * ? *), got `weekly`',
    ],
    [
      { feedScheduleCron: 'cron(5 * * * * *)' },
      'config: Expected `feedScheduleCron` to be a six-field cron',
    ],
    [{ reconcileDays: '0' }, '`reconcileDays` to be an integer from 1 to 3653, got `0`'],
    [{ feedTimeoutHours: '25' }, '`feedTimeoutHours` to be an integer from 1 to 24, got `25`'],
    [{ scheduleTimezone: 'CET+1' }, 'config: Expected `scheduleTimezone` to be an IANA time zone'],
    [{ kmsKeyArn: 'alias/mine' }, 'config: Expected `kmsKeyArn` to be a KMS key ARN'],
    [{ alertEmail: 'ops' }, 'config: Expected `alertEmail` to be an e-mail address, got `ops`'],
    [
      { vpcId: 'default' },
      'config: Expected `vpcId` to be a VPC id like vpc-0abc1234, got `default`',
    ],
    [
      { vpcId: 'vpc-0abc1234', subnetIds: 'subnet-0abc1234;subnet-0def5678' },
      'config: Expected `subnetIds` to be comma-separated subnet ids',
    ],
    [
      { subnetIds: 'subnet-0abc1234' },
      "config: Expected `vpcId` with `subnetIds` (the task's security group belongs to that VPC)",
    ],
  ])('refuses %j, naming the key and the value', (values, message) => {
    expect(() => resolveWith(values)).toThrow(message);
  });

  it('reads an optional VPC and its subnets, comma-separated', () => {
    expect(
      resolveWith({ vpcId: 'vpc-0abc1234', subnetIds: 'subnet-0abc1234, subnet-0def5678' }),
    ).toMatchObject({ vpcId: 'vpc-0abc1234', subnetIds: ['subnet-0abc1234', 'subnet-0def5678'] });
    expect(resolveWith({})).not.toHaveProperty('vpcId');
  });

  it('lists exactly the keys it reads', () => {
    const read = new Set<string>();
    resolveStackConfig((key) => {
      read.add(key);
      return undefined;
    });
    expect([...read].sort()).toEqual([...STACK_CONFIG_KEYS].sort());
    expect(Object.keys(STACK_CONFIG_DEFAULTS).every((key) => read.has(key))).toBe(true);
  });
});
