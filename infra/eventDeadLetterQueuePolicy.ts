import type { PolicyDocument } from './policyDocument.ts';

/** Who may write the alert dead-letter queue: EventBridge, for our failed-task rule only. */
export function eventDeadLetterQueuePolicy(args: {
  readonly queueArn: string;
  readonly eventRuleArn: string;
}): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'FailedTaskRuleDeadLetters',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: args.queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': args.eventRuleArn } },
      },
    ],
  };
}
