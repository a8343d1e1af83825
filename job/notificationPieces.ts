import type { Logger } from 'pino';
import type { HeldFiles, ListedPiece } from './listPieces.ts';
import type { FeedSummary } from './model/runSummary.ts';
import { parseArchiveKey } from './source/archiveKey.ts';
import type { ArchiveStore } from './source/archiveStore.ts';
import { listNotifiedKeys, type NotifiedKey } from './source/listNotifiedKeys.ts';
import type { NotificationQueue, QueueMessage } from './source/notificationQueue.ts';
import { parseNotification } from './source/objectCreatedEvent.ts';
import { secondsSince } from './secondsSince.ts';

/** How the feed is read; see FeedConfig in config.ts for each field's default. */
export interface FeedReading {
  /** The archive bucket: records about any other bucket are reported, not loaded. */
  readonly bucket: string;
  readonly waitSeconds: number;
  readonly visibilitySeconds: number;
  /** Messages received per run at most; the run ends earlier when the queue is empty. */
  readonly maxMessages: number;
  /** Distinct keys per piece (one batch of messages), about. */
  readonly batchFiles: number;
  /** Listings in flight at once. */
  readonly concurrency: number;
  /** Receive and plan, but delete nothing and move nothing to the dead-letter queue. */
  readonly dryRun: boolean;
}

/** SQS hands out at most 10 messages per receive. */
const RECEIVE_MAX = 10;

/**
 * The pieces the notification feed names: receive messages in batches (long polling, up to 10 per
 * receive) until `batchFiles` distinct keys are collected or the queue is empty; unwrap each
 * (SNS envelope → S3 event records), keep the keys of the archive layout in the archive bucket,
 * collapse repeats, list the keys' station-months for their current ETags, and yield them as one
 * piece. The piece's `done` deletes its messages: only after its files' ledger rows landed. A
 * message that cannot be read goes to the dead-letter queue; one naming nothing to load (test
 * events, other keys, objects since deleted) is deleted at once.
 */
export async function* notificationPieces(
  queue: NotificationQueue,
  store: ArchiveStore,
  reading: FeedReading,
  held: HeldFiles,
  feed: FeedSummary,
  logger: Logger,
): AsyncGenerator<ListedPiece> {
  let drained = false;
  while (!drained && feed.messages < reading.maxMessages) {
    await held.reservePiece(); // a batch is received once the one before the last has committed
    const started = performance.now();
    const batch = await receiveBatch(queue, reading, feed, logger);
    drained = batch.drained;
    const listing = await listNotifiedKeys(store, [...batch.keys.values()], reading.concurrency);
    feed.keys += batch.keys.size;
    feed.gone += listing.gone.length;
    if (listing.gone.length > 0) {
      logger.warn(
        { count: listing.gone.length, examples: listing.gone.slice(0, 5) },
        'notified keys are no longer in the archive; nothing to load for them',
      );
    }
    const acknowledge = () => deleteMessages(queue, batch.toDelete, reading, feed, logger);
    if (listing.files.length === 0) {
      held.release(0);
      await acknowledge();
      continue;
    }
    held.add(listing.files.length);
    const stations = [...new Set(listing.files.map((file) => file.locationId))].sort(
      (a, b) => a - b,
    );
    yield {
      piece: { from: listing.files[0]!.day, to: listing.files.at(-1)!.day, stations },
      listing: {
        files: listing.files,
        unmatchedKeys: [],
        stationsListed: stations.length,
        listRequests: listing.listRequests,
      },
      seconds: secondsSince(started),
      done: acknowledge,
    };
  }
}

interface Batch {
  /** The distinct archive keys the batch's messages name. */
  readonly keys: Map<string, NotifiedKey>;
  /** Its readable messages: deleted once the piece is loaded. */
  readonly toDelete: QueueMessage[];
  /** The queue answered empty. */
  readonly drained: boolean;
}

/** Messages until `batchFiles` distinct keys are named or the queue is empty. */
async function receiveBatch(
  queue: NotificationQueue,
  reading: FeedReading,
  feed: FeedSummary,
  logger: Logger,
): Promise<Batch> {
  const keys = new Map<string, NotifiedKey>();
  const toDelete: QueueMessage[] = [];
  while (keys.size < reading.batchFiles && feed.messages < reading.maxMessages) {
    const messages = await queue.receive({
      maxMessages: Math.min(RECEIVE_MAX, reading.maxMessages - feed.messages),
      waitSeconds: reading.waitSeconds,
      visibilitySeconds: reading.visibilitySeconds,
    });
    if (messages.length === 0) return { keys, toDelete, drained: true };
    feed.messages += messages.length;
    for (const message of messages) {
      const parsed = parseNotification(message.body);
      if (parsed.kind === 'malformed') {
        feed.deadLettered += 1;
        logger.warn(
          { messageId: message.messageId, reason: parsed.reason },
          'unreadable notification moved to the dead-letter queue',
        );
        if (!reading.dryRun) await queue.deadLetter(message, parsed.reason);
        continue;
      }
      toDelete.push(message);
      if (parsed.kind === 'test') feed.ignored += 1;
      else addNotifiedKeys(parsed.records, keys, reading, feed, logger);
    }
  }
  return { keys, toDelete, drained: false };
}

/** A message's records into `keys`: created objects of the archive layout in the archive bucket. */
function addNotifiedKeys(
  records: readonly { eventName: string; bucket: string; key: string }[],
  keys: Map<string, NotifiedKey>,
  reading: FeedReading,
  feed: FeedSummary,
  logger: Logger,
): void {
  for (const record of records) {
    feed.records += 1;
    if (!record.eventName.startsWith('ObjectCreated:')) {
      feed.ignored += 1;
      continue;
    }
    const named = record.bucket === reading.bucket ? parseArchiveKey(record.key) : undefined;
    if (named === undefined) {
      feed.unmatched += 1;
      logger.warn(
        { bucket: record.bucket, key: record.key },
        'notified key is outside the archive layout or bucket; reported, not loaded',
      );
      continue;
    }
    if (keys.has(record.key)) feed.repeats += 1;
    else keys.set(record.key, { key: record.key, ...named });
  }
}

/** Deletes a loaded piece's messages (not on a dry run); a refused delete changes nothing. */
async function deleteMessages(
  queue: NotificationQueue,
  messages: readonly QueueMessage[],
  reading: FeedReading,
  feed: FeedSummary,
  logger: Logger,
): Promise<void> {
  if (reading.dryRun || messages.length === 0) return;
  const refused = await queue.delete([...messages]);
  feed.deleted += messages.length - refused.length;
  if (refused.length > 0) {
    logger.warn(
      { count: refused.length },
      'some notifications could not be deleted (receipt expired); they come back and change nothing',
    );
  }
}
