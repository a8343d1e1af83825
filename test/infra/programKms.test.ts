import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, resourcesOf, type PolicyDocument } from '../../infra/policyDocument.ts';
import { STACK_CONFIG_DEFAULTS } from '../../infra/stackConfig.ts';
import { ACCOUNT, REGION, runProgram, type ProgramRun } from './programUnderMocks.ts';

// A stack with a KMS key, unprotected tables (ready for tear-down), no alert e-mail, the schedule
// paused, and defaults for everything else.
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const CONFIG = {
  'aws:region': REGION,
  'openaq-lakehouse:kmsKeyArn': KEY,
  'openaq-lakehouse:protectTables': 'false',
  'openaq-lakehouse:scheduleEnabled': 'false',
};

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram(CONFIG);
}, 20_000);

describe('a stack with a KMS key and protection off', () => {
  it('encrypts the table bucket with SSE-KMS and that key', () => {
    expect(run.one('aws:s3tables/tableBucket:TableBucket').inputs.encryptionConfiguration).toEqual({
      sseAlgorithm: 'aws:kms',
      kmsKeyArn: KEY,
    });
  });

  it('lets the task use that key, and only that key, for the tables', () => {
    const taskRole = run.ofType('aws:iam/role:Role').find((r) => r.name === 'job-task-role');
    const policy = JSON.parse(
      String(
        run.ofType('aws:iam/rolePolicy:RolePolicy').find((p) => p.inputs.role === taskRole?.name)
          ?.inputs.policy,
      ),
    ) as PolicyDocument;
    const kms = policy.Statement.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    expect(kms).toHaveLength(1);
    expect(actionsOf(kms[0]!)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(resourcesOf(kms[0]!)).toEqual([KEY]);
  });

  it('leaves bucket, namespace and tables unprotected and the bucket force-destroyable', () => {
    for (const type of [
      'aws:s3tables/tableBucket:TableBucket',
      'aws:s3tables/namespace:Namespace',
      'aws:s3tables/table:Table',
    ]) {
      for (const resource of run.ofType(type)) expect(resource.protect, type).toBe(false);
    }
    expect(run.one('aws:s3tables/tableBucket:TableBucket').inputs.forceDestroy).toBe(true);
  });

  it('pauses the schedule, on the default cron and time zone', () => {
    expect(run.one('aws:scheduler/schedule:Schedule').inputs).toMatchObject({
      state: 'DISABLED',
      scheduleExpression: STACK_CONFIG_DEFAULTS.scheduleCron,
      scheduleExpressionTimezone: STACK_CONFIG_DEFAULTS.scheduleTimezone,
    });
  });

  it('still alerts, with no e-mail subscription', () => {
    expect(run.ofType('aws:sns/topic:Topic')).toHaveLength(1);
    expect(run.ofType('aws:sns/topicSubscription:TopicSubscription')).toEqual([]);
  });
});
