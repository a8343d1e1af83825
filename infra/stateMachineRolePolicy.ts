import type { PolicyDocument, PolicyStatement } from './policyDocument.ts';

/** The managed EventBridge rule through which `runTask.sync` learns that a task stopped. */
export const SYNC_EVENTS_RULE = 'StepFunctionsGetEventsForECSTaskRule';

export interface StateMachineRolePolicyArgs {
  readonly region: string;
  readonly accountId: string;
  /** arn:aws:ecs:<r>:<a>:task-definition/<family> (any revision of it may run). */
  readonly taskDefinitionArnWithoutRevision: string;
  readonly clusterArn: string;
  readonly clusterName: string;
  /** The task role and the execution role: RunTask passes both to ECS. */
  readonly passRoleArns: readonly string[];
  readonly topicArn: string;
  /** The state machine's name: its Distributed Map starts, watches and stops child executions. */
  readonly childExecutionsOf?: string;
  /** Objects its ItemReader reads, e.g. `arn:aws:s3:::bucket/manifests/*`. */
  readonly readObjectsArn?: string;
  /** A state machine whose executions it lists (the nightly guard lists its own). */
  readonly listExecutionsOf?: string;
}

/**
 * A state machine's role, least privilege: run this task family on this cluster and watch or stop
 * those tasks, pass the task's two roles to ECS only, the managed events rule that `.sync` needs,
 * publish to the alert topic; and, as asked, read the manifests, drive its own map's child
 * executions, list its own executions.
 */
export function stateMachineRolePolicy(args: StateMachineRolePolicyArgs): PolicyDocument {
  const { region, accountId } = args;
  const statements: PolicyStatement[] = [
    {
      Sid: 'RunTask',
      Effect: 'Allow',
      Action: 'ecs:RunTask',
      Resource: `${args.taskDefinitionArnWithoutRevision}:*`,
      Condition: { ArnEquals: { 'ecs:cluster': args.clusterArn } },
    },
    {
      Sid: 'WatchTasks',
      Effect: 'Allow',
      Action: ['ecs:StopTask', 'ecs:DescribeTasks'],
      Resource: `arn:aws:ecs:${region}:${accountId}:task/${args.clusterName}/*`,
    },
    {
      Sid: 'PassTaskRoles',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: args.passRoleArns,
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    },
    {
      Sid: 'SyncEventsRule',
      Effect: 'Allow',
      Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      Resource: `arn:aws:events:${region}:${accountId}:rule/${SYNC_EVENTS_RULE}`,
    },
    { Sid: 'Notify', Effect: 'Allow', Action: 'sns:Publish', Resource: args.topicArn },
  ];
  if (args.readObjectsArn !== undefined) {
    statements.push({
      Sid: 'ReadManifests',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: args.readObjectsArn,
    });
  }
  if (args.childExecutionsOf !== undefined) {
    const machine = `arn:aws:states:${region}:${accountId}:stateMachine:${args.childExecutionsOf}`;
    const executions = `arn:aws:states:${region}:${accountId}:execution:${args.childExecutionsOf}/*`;
    statements.push(
      {
        Sid: 'StartChildExecutions',
        Effect: 'Allow',
        Action: 'states:StartExecution',
        Resource: machine,
      },
      {
        Sid: 'WatchChildExecutions',
        Effect: 'Allow',
        Action: ['states:DescribeExecution', 'states:StopExecution'],
        Resource: executions,
      },
    );
  }
  if (args.listExecutionsOf !== undefined) {
    statements.push({
      Sid: 'ListOwnExecutions',
      Effect: 'Allow',
      Action: 'states:ListExecutions',
      Resource: `arn:aws:states:${region}:${accountId}:stateMachine:${args.listExecutionsOf}`,
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}
