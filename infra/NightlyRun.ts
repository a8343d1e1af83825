import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { assumeRolePolicy } from './assumeRolePolicy.ts';
import { nightlyDefinition } from './nightlyDefinition.ts';
import type { JobTaskInputs, TaskTarget } from './runTaskState.ts';
import { stateMachineRolePolicy } from './stateMachineRolePolicy.ts';

export interface NightlyRunArgs extends JobTaskInputs {
  readonly stateMachineName: string;
  /** The run's name in states, errors and notifications (see nightlyDefinition). Default `Nightly`. */
  readonly label?: string;
  /** The container command; default the image's CMD (`nightly`). */
  readonly command?: readonly string[];
  /** A start while another execution runs: notify and fail (default), or succeed quietly. */
  readonly whenRunning?: 'notify' | 'skip';
  readonly region: string;
  readonly accountId: pulumi.Input<string>;
  readonly timeoutSeconds: number;
  readonly retries: number;
}

/**
 * A scheduled run as a Standard state machine (what a schedule starts): the nightly by default, or
 * the job with `command` (the feed's hourly and reconciliation runs). One execution at a time (a
 * second is refused and notified, or skipped), the task stopped after `timeoutSeconds`, retried
 * with backoff, failures notified.
 */
export class NightlyRun extends pulumi.ComponentResource {
  readonly stateMachineArn: pulumi.Output<string>;
  /** The state machine's definition, as deployed (JSON). */
  readonly definition: pulumi.Output<string>;

  constructor(name: string, args: NightlyRunArgs, opts?: pulumi.ComponentResourceOptions) {
    super('openaq-lakehouse:infra:NightlyRun', name, {}, opts);
    const parent = { parent: this };
    const lower = (args.label ?? 'Nightly').toLowerCase();
    const ownArn = pulumi.interpolate`arn:aws:states:${args.region}:${args.accountId}:stateMachine:${args.stateMachineName}`;

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `openaq-lakehouse: Step Functions runs the ${lower} task, one at a time`,
        assumeRolePolicy: pulumi
          .output(args.accountId)
          .apply((account) => JSON.stringify(assumeRolePolicy('states.amazonaws.com', account))),
      },
      parent,
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: role.id,
        policy: pulumi
          .all([
            args.accountId,
            args.taskDefinitionArnWithoutRevision,
            args.clusterArn,
            args.clusterName,
            args.taskRoleArn,
            args.executionRoleArn,
            args.topicArn,
          ])
          .apply(([accountId, family, clusterArn, clusterName, taskRole, executionRole, topic]) =>
            JSON.stringify(
              stateMachineRolePolicy({
                region: args.region,
                accountId,
                taskDefinitionArnWithoutRevision: family,
                clusterArn,
                clusterName,
                passRoleArns: [taskRole, executionRole],
                topicArn: topic,
                listExecutionsOf: args.stateMachineName,
              }),
            ),
          ),
      },
      parent,
    );

    const definition = pulumi
      .all([
        args.clusterArn,
        args.taskDefinitionArn,
        args.subnetIds,
        args.securityGroupId,
        args.topicArn,
        ownArn,
      ])
      .apply(([clusterArn, taskDefinitionArn, subnetIds, securityGroupId, topicArn, arn]) => {
        const task: TaskTarget = {
          clusterArn,
          taskDefinitionArn,
          containerName: args.containerName,
          subnetIds,
          securityGroupId,
        };
        return JSON.stringify(
          nightlyDefinition({
            task,
            stateMachineArn: arn,
            timeoutSeconds: args.timeoutSeconds,
            retry: { maxAttempts: args.retries, intervalSeconds: 60, backoffRate: 2 },
            topicArn,
            ...(args.label ? { label: args.label } : {}),
            ...(args.command ? { command: args.command } : {}),
            ...(args.whenRunning ? { whenRunning: args.whenRunning } : {}),
          }),
        );
      });

    const machine = new aws.sfn.StateMachine(
      `${name}-machine`,
      { name: args.stateMachineName, type: 'STANDARD', roleArn: role.arn, definition },
      { parent: this, dependsOn: [policy] },
    );
    this.stateMachineArn = machine.arn;
    this.definition = definition;
    this.registerOutputs({ stateMachineArn: this.stateMachineArn });
  }
}
