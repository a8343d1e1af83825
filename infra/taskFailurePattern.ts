/**
 * EventBridge pattern for a failed run of our task: an "ECS Task State Change" to STOPPED on our
 * cluster and task family where a container exited non-zero, or the task never started (image pull,
 * network or capacity errors leave no exit code, only stopCode TaskFailedToStart).
 */
export function taskFailurePattern(args: {
  readonly clusterArn: string;
  /** arn:aws:ecs:<region>:<account>:task-definition/<family> (no revision) */
  readonly taskDefinitionArnWithoutRevision: string;
}): Record<string, unknown> {
  return {
    source: ['aws.ecs'],
    'detail-type': ['ECS Task State Change'],
    detail: {
      clusterArn: [args.clusterArn],
      taskDefinitionArn: [{ prefix: `${args.taskDefinitionArnWithoutRevision}:` }],
      lastStatus: ['STOPPED'],
      $or: [
        { containers: { exitCode: [{ 'anything-but': 0 }] } },
        { stopCode: ['TaskFailedToStart'] },
      ],
    },
  };
}

/** The readable alert the rule sends to SNS (EventBridge input transformer). */
export const TASK_FAILURE_MESSAGE = {
  inputPaths: {
    task: '$.detail.taskArn',
    stopCode: '$.detail.stopCode',
    reason: '$.detail.stoppedReason',
    exitCode: '$.detail.containers[0].exitCode',
  },
  inputTemplate:
    '"openaq-lakehouse: task <task> stopped (<stopCode>, exit code <exitCode>): <reason>. Exit 1 = failed, 3 = too many rejects; the logs are in CloudWatch."',
} as const;
