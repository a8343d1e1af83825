import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { assumeRolePolicy } from './assumeRolePolicy.ts';
import { backfillDefinition } from './backfillDefinition.ts';
import type { BackfillStackConfig } from './backfillConfig.ts';
import type { JobTaskInputs, TaskTarget } from './runTaskState.ts';
import { startExecutionCommand } from './startExecutionCommand.ts';
import { stateMachineRolePolicy } from './stateMachineRolePolicy.ts';

/** Where plan-backfill writes manifests in the manifest bucket. */
export const MANIFEST_PREFIX = 'manifests/';

export interface BackfillArgs extends JobTaskInputs {
  readonly stateMachineName: string;
  readonly region: string;
  readonly accountId: pulumi.Input<string>;
  readonly config: BackfillStackConfig;
}

/**
 * The multi-year backfill on Step Functions: a private bucket for manifests (the job's task role
 * may write and read `manifests/`), and a Standard state machine that runs each shard of a
 * manifest as a Fargate task through a Distributed Map, checks the ledger covers the manifest,
 * and notifies the alert topic. Its role can do that and nothing else.
 */
export class Backfill extends pulumi.ComponentResource {
  readonly stateMachineArn: pulumi.Output<string>;
  readonly manifestBucket: pulumi.Output<string>;
  /** The `aws stepfunctions start-execution` of a window's manifest ($FROM, $TO). */
  readonly startExecution: pulumi.Output<string>;
  /** The state machine's definition, as deployed (JSON). */
  readonly definition: pulumi.Output<string>;

  constructor(name: string, args: BackfillArgs, opts?: pulumi.ComponentResourceOptions) {
    super('openaq-lakehouse:infra:Backfill', name, {}, opts);
    const parent = { parent: this };

    const bucket = new aws.s3.Bucket(
      `${name}-manifests`,
      // Auto-named (bucket names are global); manifests are cheap to re-plan.
      { forceDestroy: true },
      parent,
    );
    new aws.s3.BucketPublicAccessBlock(
      `${name}-manifests-private`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      parent,
    );
    // The job's task writes manifests (plan-backfill) and reads them (verify-backfill): a managed
    // policy attached to its role, apart from the role's own inline policy.
    const manifestAccess = new aws.iam.Policy(
      `${name}-task-manifests`,
      {
        description: 'openaq-lakehouse job: write and read backfill manifests',
        policy: bucket.arn.apply((arn) =>
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'Manifests',
                Effect: 'Allow',
                Action: ['s3:PutObject', 's3:GetObject'],
                Resource: `${arn}/${MANIFEST_PREFIX}*`,
              },
            ],
          }),
        ),
      },
      parent,
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-task-manifests`,
      {
        role: pulumi.output(args.taskRoleArn).apply((arn) => arn.split('/').pop()!),
        policyArn: manifestAccess.arn,
      },
      parent,
    );

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: 'openaq-lakehouse: Step Functions runs the backfill shards on Fargate',
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
            bucket.arn,
          ])
          .apply(
            ([
              accountId,
              family,
              clusterArn,
              clusterName,
              taskRole,
              executionRole,
              topic,
              bucketArn,
            ]) =>
              JSON.stringify(
                stateMachineRolePolicy({
                  region: args.region,
                  accountId,
                  taskDefinitionArnWithoutRevision: family,
                  clusterArn,
                  clusterName,
                  passRoleArns: [taskRole, executionRole],
                  topicArn: topic,
                  childExecutionsOf: args.stateMachineName,
                  readObjectsArn: `${bucketArn}/${MANIFEST_PREFIX}*`,
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
      ])
      .apply(([clusterArn, taskDefinitionArn, subnetIds, securityGroupId, topicArn]) => {
        const task: TaskTarget = {
          clusterArn,
          taskDefinitionArn,
          containerName: args.containerName,
          subnetIds,
          securityGroupId,
        };
        return JSON.stringify(
          backfillDefinition({
            task,
            maxConcurrency: args.config.maxConcurrency,
            toleratedFailurePercentage: args.config.toleratedFailurePercent,
            shardTimeoutSeconds: args.config.shardTimeoutHours * 3600,
            shardRetry: {
              maxAttempts: args.config.shardRetries,
              intervalSeconds: 60,
              backoffRate: 2,
            },
            verifyTimeoutSeconds: 3600,
            topicArn,
          }),
        );
      });

    const machine = new aws.sfn.StateMachine(
      `${name}-machine`,
      { name: args.stateMachineName, type: 'STANDARD', roleArn: role.arn, definition },
      // The role's permissions must exist before the first execution.
      { parent: this, dependsOn: [policy] },
    );

    this.stateMachineArn = machine.arn;
    this.manifestBucket = bucket.bucket;
    this.definition = definition;
    this.startExecution = pulumi
      .all([machine.arn, bucket.bucket])
      .apply(([stateMachineArn, manifestBucket]) =>
        startExecutionCommand({ region: args.region, stateMachineArn, manifestBucket }),
      );
    this.registerOutputs({
      stateMachineArn: this.stateMachineArn,
      manifestBucket: this.manifestBucket,
      startExecution: this.startExecution,
    });
  }
}
