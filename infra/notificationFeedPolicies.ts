import type { PolicyDocument } from './policyDocument.ts';

/** OpenAQ's object-created topic ("About Open Data on AWS"); any account's SQS queue can subscribe. */
export const OPENAQ_OBJECT_CREATED_TOPIC_ARN =
  'arn:aws:sns:us-east-1:817926761842:openaq-data-archive-object_created';

/** SQS retains a message at most 14 days. */
export const FOURTEEN_DAYS_SECONDS = 14 * 24 * 3600;

/**
 * The queue policy a cross-account subscription needs: SNS may send to our queue, only on behalf
 * of that one topic (aws:SourceArn), so no other topic or account can fill it.
 */
export function notificationQueuePolicy(queueArn: string, topicArn: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OpenAQObjectCreatedTopic',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
      },
    ],
  };
}

/**
 * The subscription's filter, applied to the message body (FilterPolicyScope MessageBody): the body
 * SNS filters is what S3 published, the S3 event JSON, and payload-based filtering matches nested
 * keys, so only events whose `Records[].s3.object.key` starts with `records/csv.gz/` are delivered
 * (the key is URL-encoded, but this prefix has no characters that encoding changes). Test events
 * have no Records and are not delivered either. The job checks each key again.
 */
export const RECORDS_FILTER_POLICY = {
  Records: { s3: { object: { key: [{ prefix: 'records/csv.gz/' }] } } },
} as const;

/** The job may receive, delete and extend messages of the feed's queue, and send to its DLQ only. */
export function notificationTaskPolicy(
  queueArn: string,
  deadLetterQueueArn: string,
): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadTheFeed',
        Effect: 'Allow',
        Action: [
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueAttributes',
        ],
        Resource: queueArn,
      },
      {
        Sid: 'SetAsideUnreadable',
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: deadLetterQueueArn,
      },
    ],
  };
}
