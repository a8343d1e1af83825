import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  SQSClient,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { localQueueUrl, sqsEndpointUrl, type LocalLakehouse } from '../../job/localLakehouse.ts';

/** Administrative SQS calls on the local ElasticMQ: publishing notifications, emptying queues. */
export function localSqsClient(lake: LocalLakehouse): SQSClient {
  return new SQSClient({
    endpoint: sqsEndpointUrl(lake),
    region: lake.region,
    credentials: { accessKeyId: lake.accessKeyId, secretAccessKey: lake.secretAccessKey },
  });
}

/** Sends message bodies in batches of 10 (SQS's limit); throws if any entry is refused. */
export async function sendMessages(
  client: SQSClient,
  queueUrl: string,
  bodies: readonly string[],
): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    const answer = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.slice(i, i + 10).map((body, index) => ({
          Id: String(index),
          MessageBody: body,
        })),
      }),
    );
    if ((answer.Failed ?? []).length > 0) {
      throw new Error(
        `lakehouse: the queue ${queueUrl} refused ${answer.Failed!.length} notifications: ${answer.Failed![0]!.Message ?? ''}`,
      );
    }
  }
}

/** Creates a queue (or finds it, with the same attributes); returns its URL. */
export async function createQueue(client: SQSClient, name: string): Promise<string> {
  const answer = await client.send(new CreateQueueCommand({ QueueName: name }));
  if (answer.QueueUrl === undefined) {
    throw new Error(`lakehouse: creating the queue ${name} returned no URL`);
  }
  return answer.QueueUrl;
}

export async function deleteQueue(client: SQSClient, queueUrl: string): Promise<void> {
  await client.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
}

/** Messages in the queue, visible and in flight (SQS's approximate counts). */
export async function queueDepth(client: SQSClient, queueUrl: string): Promise<number> {
  const answer = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const attributes = answer.Attributes ?? {};
  return (
    Number(attributes.ApproximateNumberOfMessages ?? 0) +
    Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

export async function purgeQueue(client: SQSClient, queueUrl: string): Promise<void> {
  await client.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
}

/** The local notification queue's and dead-letter queue's URLs. */
export const localQueues = (lake: LocalLakehouse) => ({
  queueUrl: localQueueUrl(lake, lake.notificationQueue),
  deadLetterQueueUrl: localQueueUrl(lake, lake.deadLetterQueue),
});
