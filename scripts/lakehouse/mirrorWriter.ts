import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { objectCreatedNotification, sequencerAt } from '../mirror/objectCreatedNotification.ts';
import { putObject } from './s3Admin.ts';
import { sendMessages } from './sqsAdmin.ts';

/**
 * Writes archive files into a mirror bucket the way OpenAQ's bucket behaves: each write is followed
 * by its object-created notification (the S3 event in the SNS envelope) on the queue, when one is
 * given. Notifications are sent in batches of 10; `flush` sends the rest.
 */
export class MirrorWriter {
  readonly #s3: S3Client;
  readonly #bucket: string;
  readonly #notify: { readonly sqs: SQSClient; readonly queueUrl: string } | undefined;
  #pending: string[] = [];
  #sent = 0;
  #writes = 0;

  constructor(
    s3: S3Client,
    bucket: string,
    notify?: { readonly sqs: SQSClient; readonly queueUrl: string },
  ) {
    this.#s3 = s3;
    this.#bucket = bucket;
    this.#notify = notify;
  }

  /** Notifications sent so far. */
  get notificationsSent(): number {
    return this.#sent;
  }

  /** Writes the object; returns its ETag. */
  async put(key: string, body: Uint8Array): Promise<string> {
    const etag = await putObject(this.#s3, this.#bucket, key, body);
    if (this.#notify) {
      this.#writes += 1;
      this.#pending.push(
        objectCreatedNotification({
          bucket: this.#bucket,
          key,
          size: body.byteLength,
          etag,
          sequencer: sequencerAt(new Date(), this.#writes),
        }),
      );
      if (this.#pending.length >= 10) await this.flush();
    }
    return etag;
  }

  async flush(): Promise<void> {
    if (!this.#notify || this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    await sendMessages(this.#notify.sqs, this.#notify.queueUrl, batch);
    this.#sent += batch.length;
  }
}
