import type { PolicyDocument } from './policyDocument.ts';

export interface ExecutionRolePolicyArgs {
  /** arn:aws:ecr:<region>:<account>:repository/<name> */
  readonly repositoryArn: string;
  /** arn:aws:logs:<region>:<account>:log-group:<name> (without a trailing `:*`) */
  readonly logGroupArn: string;
}

/**
 * The ECS execution role: pull this image and write to this log group, nothing else (a narrowed
 * AmazonECSTaskExecutionRolePolicy). ecr:GetAuthorizationToken has no resource-level permissions,
 * so it alone takes Resource "*".
 */
export function executionRolePolicy(args: ExecutionRolePolicyArgs): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      {
        Sid: 'PullImage',
        Effect: 'Allow',
        Action: [
          'ecr:BatchCheckLayerAvailability',
          'ecr:BatchGetImage',
          'ecr:GetDownloadUrlForLayer',
        ],
        Resource: args.repositoryArn,
      },
      {
        Sid: 'WriteLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `${args.logGroupArn}:log-stream:*`,
      },
    ],
  };
}
