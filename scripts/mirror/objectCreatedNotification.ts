import { randomUUID } from 'node:crypto';
import { encodeEventKey } from '../../job/source/objectCreatedEvent.ts';

/** OpenAQ's topic: what the envelope's TopicArn names. */
export const OPENAQ_OBJECT_CREATED_TOPIC =
  'arn:aws:sns:us-east-1:817926761842:openaq-data-archive-object_created';

export interface ObjectWritten {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** As S3 reports it (quotes are stripped). */
  readonly etag: string;
  /** Hex, increasing with each write of the same key. */
  readonly sequencer: string;
  readonly eventTime?: Date;
  readonly eventName?: string;
}

/**
 * The SQS message body AWS delivers for one written object: the S3 event (event version 2.1, the
 * key URL-encoded) as the `Message` string of an SNS notification envelope (raw delivery off).
 * Field for field as in AWS's documented examples; the signature is a placeholder (nothing here
 * verifies it, and the job does not: the queue policy admits only OpenAQ's topic).
 */
export function objectCreatedNotification(object: ObjectWritten): string {
  const eventTime = (object.eventTime ?? new Date()).toISOString();
  const event = {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime,
        eventName: object.eventName ?? 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:AROAEXAMPLEOPENAQEXPORT:open-data-export' },
        requestParameters: { sourceIPAddress: '10.0.0.1' },
        responseElements: {
          'x-amz-request-id': randomUUID().replaceAll('-', '').slice(0, 16).toUpperCase(),
          'x-amz-id-2': Buffer.from(randomUUID()).toString('base64'),
        },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'openaq-data-archive-object_created',
          bucket: {
            name: object.bucket,
            ownerIdentity: { principalId: 'A2OPENAQEXAMPLE' },
            arn: `arn:aws:s3:::${object.bucket}`,
          },
          object: {
            key: encodeEventKey(object.key),
            size: object.size,
            eTag: object.etag.replaceAll('"', ''),
            sequencer: object.sequencer,
          },
        },
      },
    ],
  };
  return JSON.stringify({
    Type: 'Notification',
    MessageId: randomUUID(),
    TopicArn: OPENAQ_OBJECT_CREATED_TOPIC,
    Subject: 'Amazon S3 Notification',
    Message: JSON.stringify(event),
    Timestamp: eventTime,
    SignatureVersion: '1',
    Signature:
      'EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=',
    SigningCertURL:
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
    UnsubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${OPENAQ_OBJECT_CREATED_TOPIC}:${randomUUID()}`,
  });
}

/** A sequencer for the n-th write of this process: fixed-width hex, so later compares greater. */
export function sequencerAt(time: Date, counter: number): string {
  return `${time.getTime().toString(16).toUpperCase().padStart(12, '0')}${counter.toString(16).toUpperCase().padStart(6, '0')}`;
}
