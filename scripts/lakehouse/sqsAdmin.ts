import { PurgeQueueCommand, SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
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

export async function purgeQueue(client: SQSClient, queueUrl: string): Promise<void> {
  await client.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
}

/** The local notification queue's and dead-letter queue's URLs. */
export const localQueues = (lake: LocalLakehouse) => ({
  queueUrl: localQueueUrl(lake, lake.notificationQueue),
  deadLetterQueueUrl: localQueueUrl(lake, lake.deadLetterQueue),
});
