/** One message as received from the notification queue. */
export interface QueueMessage {
  readonly messageId: string;
  /** What deletes this receipt of the message (each receive gives a new one). */
  readonly receiptHandle: string;
  readonly body: string;
  /** How many times the queue has handed this message out, this receipt included. */
  readonly receiveCount: number;
}

export interface ReceiveRequest {
  /** 1 to 10 (SQS's limit per receive). */
  readonly maxMessages: number;
  /** Long polling: wait up to this many seconds (0 to 20) for a first message. */
  readonly waitSeconds: number;
  /** The received messages stay hidden from other receivers this long, unless deleted. */
  readonly visibilitySeconds: number;
}

/**
 * The queue OpenAQ's object-created topic delivers to, as the job sees it. The only
 * implementation that talks to SQS is sqsNotificationQueue.ts; tests wrap it.
 */
export interface NotificationQueue {
  /** Up to `maxMessages` messages; an empty list once the queue is empty for `waitSeconds`. */
  receive(request: ReceiveRequest): Promise<QueueMessage[]>;
  /** Deletes the messages (batches of 10). Returns the ones the queue refused (receipt expired). */
  delete(messages: readonly QueueMessage[]): Promise<QueueMessage[]>;
  /** Moves a message that cannot be read to the dead-letter queue, with the reason. */
  deadLetter(message: QueueMessage, reason: string): Promise<void>;
  /** Releases sockets. */
  close(): void;
}
