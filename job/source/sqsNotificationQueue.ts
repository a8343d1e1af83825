import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSClientConfig } from '@aws-sdk/client-sqs';
import { classify } from '../lakehouseError.ts';
import type { NotificationQueue, QueueMessage, ReceiveRequest } from './notificationQueue.ts';
import type { SqsQueueOptions } from '../model/notificationQueueOptions.ts';

/** The notification queue over the AWS SDK v3 (SQS JSON protocol); SDK standard retries. */
export function createSqsNotificationQueue(options: SqsQueueOptions): NotificationQueue {
  return new SqsNotificationQueue(options);
}

class SqsNotificationQueue implements NotificationQueue {
  readonly #options: SqsQueueOptions;
  readonly #client: SQSClient;

  constructor(options: SqsQueueOptions) {
    this.#options = options;
    const config: SQSClientConfig = {
      region: options.region,
      maxAttempts: 5,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    };
    this.#client = new SQSClient(config);
  }

  async receive(request: ReceiveRequest): Promise<QueueMessage[]> {
    try {
      const answer = await this.#client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.#options.queueUrl,
          MaxNumberOfMessages: request.maxMessages,
          WaitTimeSeconds: request.waitSeconds,
          VisibilityTimeout: request.visibilitySeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
      return (answer.Messages ?? []).flatMap((message) =>
        message.MessageId && message.ReceiptHandle
          ? [
              {
                messageId: message.MessageId,
                receiptHandle: message.ReceiptHandle,
                body: message.Body ?? '',
                receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 1),
              },
            ]
          : [],
      );
    } catch (err) {
      throw this.#fail(err, 'receive notifications');
    }
  }

  async delete(messages: readonly QueueMessage[]): Promise<QueueMessage[]> {
    const refused: QueueMessage[] = [];
    for (let i = 0; i < messages.length; i += 10) {
      const batch = messages.slice(i, i + 10);
      try {
        const answer = await this.#client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.#options.queueUrl,
            Entries: batch.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.receiptHandle,
            })),
          }),
        );
        for (const failed of answer.Failed ?? []) refused.push(batch[Number(failed.Id)]!);
      } catch (err) {
        throw this.#fail(err, 'delete notifications');
      }
    }
    return refused;
  }

  async deadLetter(message: QueueMessage, reason: string): Promise<void> {
    try {
      await this.#client.send(
        new SendMessageCommand({
          QueueUrl: this.#options.deadLetterQueueUrl,
          MessageBody: message.body,
          MessageAttributes: {
            reason: { DataType: 'String', StringValue: reason.slice(0, 1000) },
            sourceMessageId: { DataType: 'String', StringValue: message.messageId },
          },
        }),
      );
    } catch (err) {
      throw this.#fail(err, `move message ${message.messageId} to the dead-letter queue`);
    }
    // If its receipt expired, the queue hands it out again and the next run moves it again: a
    // duplicate in the dead-letter queue is harmless.
    await this.delete([message]);
  }

  close(): void {
    this.#client.destroy();
  }

  #fail(err: unknown, action: string) {
    return classify(err, `${action} (queue ${this.#options.queueUrl})`);
  }
}
