/** Where the notification feed's queue is: config resolves it, the source side reads it. */
export interface SqsQueueOptions {
  /** The queue the topic delivers to. */
  readonly queueUrl: string;
  /** Where unreadable messages go (the queue's redrive target). */
  readonly deadLetterQueueUrl: string;
  readonly region: string;
  /** An SQS-compatible endpoint such as the local ElasticMQ. Default: AWS SQS. */
  readonly endpoint?: string;
  /** Fixed keys (the local ElasticMQ); default: the AWS SDK's default chain (the task role). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}
