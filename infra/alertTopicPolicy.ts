import type { PolicyDocument } from './policyDocument.ts';

export interface AlertTopicPolicyArgs {
  readonly topicArn: string;
  /** The EventBridge rule that reports failed tasks. */
  readonly eventRuleArn: string;
  /** Our CloudWatch alarms (schedule dead letters, no successful run). */
  readonly alarmArns: readonly string[];
  readonly accountId: string;
}

/** Who may publish to the alert topic: our failed-task rule and our alarms, only. */
export function alertTopicPolicy(args: AlertTopicPolicyArgs): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'FailedTaskRule',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: args.topicArn,
        Condition: { ArnEquals: { 'aws:SourceArn': args.eventRuleArn } },
      },
      {
        Sid: 'Alarms',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: args.topicArn,
        Condition: {
          ArnEquals: { 'aws:SourceArn': [...args.alarmArns] },
          StringEquals: { 'aws:SourceAccount': args.accountId },
        },
      },
    ],
  };
}
