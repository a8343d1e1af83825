import { randomBytes } from 'node:crypto';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { pino } from 'pino';
import type { BackfillConfig } from '../../job/config.ts';
import { resolveFeedConfig, type FeedConfig } from '../../job/feedConfig.ts';
import { runFeedLoad } from '../../job/feedLoad.ts';
import { SourceRequestCounter } from '../../job/model/sourceRequests.ts';
import { createS3ArchiveStore } from '../../job/source/s3ArchiveStore.ts';
import { createSqsNotificationQueue } from '../../job/source/sqsNotificationQueue.ts';
import { localQueueUrl } from '../../job/localLakehouse.ts';
import {
  deleteQueue,
  localSqsClient,
  queueDepth as depthOf,
} from '../../scripts/lakehouse/sqsAdmin.ts';
import type { LocalRun } from './backfillHarness.ts';
import { CountingStore } from './countingStore.ts';
import { localLake } from './localLake.ts';

export interface TestQueues {
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
}

/** A queue and its dead-letter queue of their own for one test file, on the local ElasticMQ. */
export async function createTestQueues(prefix: string, maxReceiveCount = 3): Promise<TestQueues> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  const sqs = localSqsClient(localLake);
  try {
    await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
    await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: `arn:aws:sqs:${localLake.region}:000000000000:${name}-dlq`,
            maxReceiveCount,
          }),
        },
      }),
    );
  } finally {
    sqs.destroy();
  }
  return {
    queueUrl: localQueueUrl(localLake, name),
    deadLetterQueueUrl: localQueueUrl(localLake, `${name}-dlq`),
  };
}

export async function deleteTestQueues(queues: TestQueues): Promise<void> {
  const sqs = localSqsClient(localLake);
  try {
    for (const url of [queues.queueUrl, queues.deadLetterQueueUrl]) await deleteQueue(sqs, url);
  } finally {
    sqs.destroy();
  }
}

/** Messages in the queue, visible or in flight. */
export async function queueDepth(queueUrl: string): Promise<number> {
  const sqs = localSqsClient(localLake);
  try {
    return await depthOf(sqs, queueUrl);
  } finally {
    sqs.destroy();
  }
}

/** Receives (and leaves) what a queue holds now: the dead-letter queue's bodies, for a test. */
export async function peekBodies(queueUrl: string): Promise<string[]> {
  const sqs = localSqsClient(localLake);
  try {
    const answer = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    return (answer.Messages ?? []).map((message) => message.Body ?? '');
  } finally {
    sqs.destroy();
  }
}

export function testFeedConfig(queues: TestQueues, visibilityTimeout = 60): FeedConfig {
  const { feed } = resolveFeedConfig(
    { source: 'notifications', ...queues, waitSeconds: 1, visibilityTimeout },
    process.env,
    true,
  );
  return feed!;
}

/** Runs a feed-driven load in-process against the local lakehouse, counting the archive I/O. */
export async function runLocalFeed(
  config: BackfillConfig,
  feed: FeedConfig,
  mode: 'notifications' | 'reconcile' = 'notifications',
): Promise<LocalRun> {
  const sourceRequests = new SourceRequestCounter();
  const store = new CountingStore(
    createS3ArchiveStore({
      ...config.source,
      maxSockets: config.concurrency,
      onRequest: sourceRequests.onRequest,
    }),
  );
  const queue = createSqsNotificationQueue(feed.queue);
  try {
    const summary = await runFeedLoad(config, mode, feed, {
      store,
      queue,
      sourceRequests,
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }, pino.destination(2)),
    });
    return { summary, counts: store.counts };
  } finally {
    store.close();
    queue.close();
  }
}
