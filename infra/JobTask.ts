import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { assumeRolePolicy } from './assumeRolePolicy.ts';
import { executionRolePolicy } from './executionRolePolicy.ts';
import type { FargateSize } from './fargateSize.ts';
import { jobEnvironment } from './jobEnvironment.ts';
import { taskRolePolicy } from './taskRolePolicy.ts';

/** The name of the job's container in the task definition (used by run-task overrides). */
export const CONTAINER_NAME = 'job';

export interface JobTaskArgs {
  readonly clusterName: string;
  readonly taskFamily: string;
  readonly logGroupName: string;
  readonly logRetentionDays: number;
  readonly imageUri: pulumi.Input<string>;
  readonly repositoryArn: pulumi.Input<string>;
  readonly size: FargateSize;
  readonly region: string;
  readonly tableBucketArn: pulumi.Input<string>;
  readonly tableArns: pulumi.Input<Record<string, string>>;
  readonly namespace: string;
  readonly archiveBucket: string;
  readonly kmsKeyArn?: string;
  readonly lookbackDays: number;
  /** Run in this VPC; default: the default VPC. */
  readonly vpcId?: string;
  /** Run in these subnets (of `vpcId`); default: the VPC's subnets (default VPC: default-for-AZ ones). */
  readonly subnetIds?: readonly string[];
  /** The notification feed's queue URLs, when the feed is on (see jobEnvironment). */
  readonly feed?: {
    readonly queueUrl: pulumi.Input<string>;
    readonly deadLetterQueueUrl: pulumi.Input<string>;
  };
}

/**
 * Where and as whom the job runs: an ECS cluster, an ARM64 (Graviton) Fargate task definition
 * whose default command is the image's `nightly`, its log group, a least-privilege task role, an
 * execution role that can only pull this image and write these logs, and a security group with no
 * inbound rules in the configured VPC and subnets, or the default VPC's public subnets.
 */
export class JobTask extends pulumi.ComponentResource {
  readonly clusterArn: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  /** The current revision: arn:aws:ecs:<r>:<a>:task-definition/<family>:<revision> */
  readonly taskDefinitionArn: pulumi.Output<string>;
  /** arn:aws:ecs:<r>:<a>:task-definition/<family> */
  readonly taskDefinitionArnWithoutRevision: pulumi.Output<string>;
  readonly taskFamily: pulumi.Output<string>;
  readonly taskRoleArn: pulumi.Output<string>;
  readonly executionRoleArn: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;
  /** The task's subnets: the configured ones, or the default VPC's default-for-AZ subnets. */
  readonly subnetIds: pulumi.Output<string[]>;
  readonly securityGroupId: pulumi.Output<string>;

  constructor(name: string, args: JobTaskArgs, opts?: pulumi.ComponentResourceOptions) {
    super('openaq-lakehouse:infra:JobTask', name, {}, opts);
    const parent = { parent: this };

    const cluster = new aws.ecs.Cluster(
      `${name}-cluster`,
      { name: args.clusterName, settings: [{ name: 'containerInsights', value: 'disabled' }] },
      parent,
    );

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: args.logGroupName, retentionInDays: args.logRetentionDays },
      parent,
    );

    const taskRole = new aws.iam.Role(
      `${name}-task-role`,
      {
        description: 'openaq-lakehouse job: read the OpenAQ archive, write the Iceberg tables',
        assumeRolePolicy: JSON.stringify(assumeRolePolicy('ecs-tasks.amazonaws.com')),
      },
      parent,
    );
    new aws.iam.RolePolicy(
      `${name}-task-policy`,
      {
        role: taskRole.id,
        policy: pulumi
          .all([args.tableBucketArn, args.tableArns])
          .apply(([tableBucketArn, tableArns]) =>
            JSON.stringify(
              taskRolePolicy({
                tableBucketArn,
                tableArns: Object.values(tableArns),
                archiveBucket: args.archiveBucket,
                kmsKeyArn: args.kmsKeyArn,
              }),
            ),
          ),
      },
      parent,
    );

    const executionRole = new aws.iam.Role(
      `${name}-execution-role`,
      {
        description: 'openaq-lakehouse job: pull its image, write its logs',
        assumeRolePolicy: JSON.stringify(assumeRolePolicy('ecs-tasks.amazonaws.com')),
      },
      parent,
    );
    new aws.iam.RolePolicy(
      `${name}-execution-policy`,
      {
        role: executionRole.id,
        policy: pulumi
          .all([args.repositoryArn, logGroup.arn])
          .apply(([repositoryArn, logGroupArn]) =>
            JSON.stringify(executionRolePolicy({ repositoryArn, logGroupArn })),
          ),
      },
      parent,
    );

    // The configured VPC and subnets, or the default VPC and its default-for-AZ subnets.
    const vpcId = args.vpcId ?? aws.ec2.getVpcOutput({ default: true }, parent).id;
    const subnetIds: pulumi.Output<string[]> = args.subnetIds
      ? pulumi.output([...args.subnetIds])
      : aws.ec2.getSubnetsOutput(
          {
            filters: [
              { name: 'vpc-id', values: [vpcId] },
              ...(args.vpcId ? [] : [{ name: 'default-for-az', values: ['true'] }]),
            ],
          },
          parent,
        ).ids;
    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        description: 'openaq-lakehouse job: no inbound; outbound HTTPS to AWS APIs and S3',
        vpcId,
        ingress: [],
        egress: [
          {
            description: 'HTTPS to ECR, CloudWatch Logs, S3 and S3 Tables',
            protocol: 'tcp',
            fromPort: 443,
            toPort: 443,
            cidrBlocks: ['0.0.0.0/0'],
          },
        ],
      },
      parent,
    );

    const taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-task`,
      {
        family: args.taskFamily,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'ARM64' },
        cpu: args.size.cpu,
        memory: args.size.memory,
        taskRoleArn: taskRole.arn,
        executionRoleArn: executionRole.arn,
        containerDefinitions: pulumi
          .all([
            args.imageUri,
            args.tableBucketArn,
            logGroup.name,
            args.feed?.queueUrl ?? '',
            args.feed?.deadLetterQueueUrl ?? '',
          ])
          .apply(([image, tableBucketArn, logGroupName, queueUrl, deadLetterQueueUrl]) =>
            JSON.stringify([
              {
                name: CONTAINER_NAME,
                image,
                essential: true,
                // No command: the image's CMD ["nightly"] runs.
                environment: jobEnvironment({
                  tableBucketArn,
                  namespace: args.namespace,
                  lookbackDays: args.lookbackDays,
                  cpu: Number(args.size.cpu),
                  memory: Number(args.size.memory),
                  region: args.region,
                  ...(args.feed ? { feed: { queueUrl, deadLetterQueueUrl } } : {}),
                }),
                logConfiguration: {
                  logDriver: 'awslogs',
                  options: {
                    'awslogs-group': logGroupName,
                    'awslogs-region': args.region,
                    'awslogs-stream-prefix': CONTAINER_NAME,
                  },
                },
              },
            ]),
          ),
      },
      parent,
    );

    this.clusterArn = cluster.arn;
    this.clusterName = cluster.name;
    this.taskDefinitionArn = taskDefinition.arn;
    this.taskDefinitionArnWithoutRevision = taskDefinition.arnWithoutRevision;
    this.taskFamily = taskDefinition.family;
    this.taskRoleArn = taskRole.arn;
    this.executionRoleArn = executionRole.arn;
    this.logGroupName = logGroup.name;
    this.subnetIds = subnetIds;
    this.securityGroupId = securityGroup.id;
    this.registerOutputs({
      clusterArn: this.clusterArn,
      taskDefinitionArn: this.taskDefinitionArn,
      taskRoleArn: this.taskRoleArn,
      executionRoleArn: this.executionRoleArn,
      logGroupName: this.logGroupName,
      subnetIds: this.subnetIds,
      securityGroupId: this.securityGroupId,
    });
  }
}
