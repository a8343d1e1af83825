import * as pulumi from '@pulumi/pulumi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGION, runProgram, type ProgramRun } from './programUnderMocks.ts';

// A stack in its own VPC and subnets, with no alert e-mail.
const VPC = 'vpc-0123456789abcdef0';
const SUBNETS = ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'];
const CONFIG = {
  'aws:region': REGION,
  'openaq-lakehouse:vpcId': VPC,
  'openaq-lakehouse:subnetIds': SUBNETS.join(','),
};

let run: ProgramRun;
const warnings: string[] = [];
// The SDK's log functions, replaced by assignment: vi.spyOn does not reach the object index.ts calls.
const log = pulumi.log as { warn: typeof pulumi.log.warn };
const originalWarn = log.warn;
beforeAll(async () => {
  log.warn = (message) => {
    warnings.push(message);
    return Promise.resolve();
  };
  run = await runProgram(CONFIG);
}, 20_000);
afterAll(() => {
  log.warn = originalWarn;
});

describe('a stack with its own VPC and subnets and no alert e-mail', () => {
  it('puts the security group in that VPC and runs the task in those subnets', () => {
    expect(run.one('aws:ec2/securityGroup:SecurityGroup').inputs.vpcId).toBe(VPC);
    // The nightly and the backfill state machines run the task there.
    for (const machine of run.ofType('aws:sfn/stateMachine:StateMachine')) {
      expect(String(machine.inputs.definition)).toContain(`"Subnets":${JSON.stringify(SUBNETS)}`);
    }
    expect(String(run.outputs.runTaskNightly)).toContain(`subnets=[${SUBNETS.join(',')}]`);
  });

  it('warns that the alerts reach nobody, naming the topic and the fix', () => {
    expect(warnings).toEqual([expect.stringContaining('no alertEmail is set')]);
    expect(warnings[0]).toContain('openaq-lakehouse-test-alerts');
    expect(warnings[0]).toContain('pulumi config set openaq-lakehouse:alertEmail');
    expect(run.ofType('aws:sns/topicSubscription:TopicSubscription')).toEqual([]);
  });
});
