import { ConfigError, integer, url } from './config.ts';
import { localQueueUrl, resolveLocalLakehouse, sqsEndpointUrl } from './localLakehouse.ts';
import type { SqsQueueOptions } from './model/notificationQueueOptions.ts';

/** Where a load takes its files from. */
export type LoadSource =
  /** List every station's months of the window (the nightly as it always was). */
  | 'listing'
  /** The files OpenAQ's object-created notifications name (the queue's messages). */
  | 'notifications'
  /** The feed first (when a queue is configured), then the listing of the last --reconcile-days. */
  | 'reconcile';

/** How the notification queue is read. */
export interface FeedConfig {
  readonly queue: SqsQueueOptions;
  /** Long polling: seconds a receive waits for a first message; 0 to 20. Default 20. */
  readonly waitSeconds: number;
  /** Seconds received messages stay hidden while their files load; 1 to 43,200. Default 900. */
  readonly visibilitySeconds: number;
  /** Messages received per run at most; the run ends earlier once the queue is empty. Default 100,000. */
  readonly maxMessages: number;
}

export interface FeedOptions {
  readonly source?: string;
  readonly queueUrl?: string;
  readonly deadLetterQueueUrl?: string;
  readonly waitSeconds?: number;
  readonly visibilityTimeout?: number;
  readonly maxMessages?: number;
}

export const FEED_DEFAULTS = {
  waitSeconds: 20,
  visibilityTimeout: 900,
  maxMessages: 100_000,
  reconcileDays: 30,
} as const;

/**
 * The load source and, when the feed is read, its queue. `--source` defaults to notifications
 * when a queue URL is given (the deployed task gets OPENAQ_QUEUE_URL while the feed is on), else
 * listing. On the local target the local ElasticMQ queues are the default queues.
 */
export function resolveFeedConfig(
  options: FeedOptions,
  env: Readonly<Record<string, string | undefined>>,
  localTarget: boolean,
): { source: LoadSource; feed: FeedConfig | undefined } {
  const source = loadSource(options.source ?? (options.queueUrl ? 'notifications' : 'listing'));
  if (source === 'listing') return { source, feed: undefined };
  const local = resolveLocalLakehouse(env);
  const queueUrl = options.queueUrl
    ? url('--queue-url', options.queueUrl)
    : localTarget
      ? localQueueUrl(local, local.notificationQueue)
      : undefined;
  if (queueUrl === undefined) {
    if (source === 'reconcile') return { source, feed: undefined };
    throw new ConfigError(
      'Expected `--queue-url` (OPENAQ_QUEUE_URL) with `--source notifications`: the SQS queue subscribed to the archive topic (Pulumi output notificationQueueUrl)',
    );
  }
  const deadLetterQueueUrl = options.deadLetterQueueUrl
    ? url('--dead-letter-queue-url', options.deadLetterQueueUrl)
    : options.queueUrl === undefined
      ? localQueueUrl(local, local.deadLetterQueue)
      : undefined;
  if (deadLetterQueueUrl === undefined) {
    throw new ConfigError(
      `Expected \`--dead-letter-queue-url\` (OPENAQ_DEAD_LETTER_QUEUE_URL) with \`--queue-url\` ${queueUrl}: where unreadable notifications go (Pulumi output notificationDeadLetterQueueUrl)`,
    );
  }
  const onLocal = queueUrl.startsWith(`${sqsEndpointUrl(local)}/`);
  return {
    source,
    feed: {
      queue: {
        queueUrl,
        deadLetterQueueUrl,
        region: regionOf(queueUrl),
        ...(onLocal
          ? {
              endpoint: sqsEndpointUrl(local),
              credentials: {
                accessKeyId: local.accessKeyId,
                secretAccessKey: local.secretAccessKey,
              },
            }
          : {}),
      },
      waitSeconds: integer(
        '--wait-seconds',
        options.waitSeconds ?? FEED_DEFAULTS.waitSeconds,
        0,
        20,
      ),
      visibilitySeconds: integer(
        '--visibility-timeout',
        options.visibilityTimeout ?? FEED_DEFAULTS.visibilityTimeout,
        1,
        43_200,
      ),
      maxMessages: integer(
        '--max-messages',
        options.maxMessages ?? FEED_DEFAULTS.maxMessages,
        1,
        10_000_000,
      ),
    },
  };
}

function loadSource(value: string): LoadSource {
  if (value === 'listing' || value === 'notifications' || value === 'reconcile') return value;
  throw new ConfigError(
    `Expected \`--source\` to be listing, notifications or reconcile, got \`${value}\``,
  );
}

/** `https://sqs.eu-west-1.amazonaws.com/…` → eu-west-1; anything else → us-east-1. */
const regionOf = (queueUrl: string): string =>
  /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\//.exec(queueUrl)?.[1] ?? 'us-east-1';
