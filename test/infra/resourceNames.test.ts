import { describe, expect, it } from 'vitest';
import { resourceNames } from '../../infra/resourceNames.ts';

describe('resourceNames', () => {
  it('derives every name from the prefix and the stack', () => {
    expect(resourceNames('openaq-lakehouse', 'dev')).toEqual({
      tableBucket: 'openaq-lakehouse-dev',
      repository: 'openaq-lakehouse-dev',
      cluster: 'openaq-lakehouse-dev',
      taskFamily: 'openaq-lakehouse-dev-job',
      logGroup: '/ecs/openaq-lakehouse-dev',
      schedule: 'openaq-lakehouse-dev-nightly',
      deadLetterQueue: 'openaq-lakehouse-dev-schedule-dlq',
      alertTopic: 'openaq-lakehouse-dev-alerts',
      alertDeadLetterQueue: 'openaq-lakehouse-dev-alerts-dlq',
      feedQueue: 'openaq-lakehouse-dev-feed',
      feedDeadLetterQueue: 'openaq-lakehouse-dev-feed-dlq',
      feedRun: 'openaq-lakehouse-dev-feed-run',
      reconcileRun: 'openaq-lakehouse-dev-reconcile',
    });
  });

  it('lower-cases the stack name and lets the table bucket have its own name', () => {
    const names = resourceNames('aq', 'Prod', 'my-aq-tables');
    expect(names.cluster).toBe('aq-prod');
    expect(names.tableBucket).toBe('my-aq-tables');
  });

  it.each([
    ['aq', 'dev', 'My_Bucket'],
    ['aq', 'dev', 'ab'],
    ['aq', 'dev', '-aq-'],
    ['aq', 'dev', 'x'.repeat(64)],
  ])('refuses the table bucket name of %s/%s/%s', (prefix, stack, bucket) => {
    expect(() => resourceNames(prefix, stack, bucket)).toThrow(`got \`${bucket}\``);
  });

  it('refuses a prefix that makes names too long or invalid', () => {
    expect(() => resourceNames('x'.repeat(50), 'dev')).toThrow('at most 51 characters');
    expect(() => resourceNames('open aq', 'dev')).toThrow('got `open aq-dev`');
  });
});
