import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsRecord } from '../../job/output/metricsRecord.ts';
import { formatArchiveKey, parseArchiveKey } from '../../job/source/archiveKey.ts';
import { MirrorWriter } from '../../scripts/lakehouse/mirrorWriter.ts';
import { localS3Client } from '../../scripts/lakehouse/s3Admin.ts';
import { localSqsClient, sendMessages } from '../../scripts/lakehouse/sqsAdmin.ts';
import {
  generateArchive,
  generateArchiveFile,
  generateStations,
  type GeneratedFile,
} from '../../scripts/mirror/generateArchive.ts';
import {
  objectCreatedNotification,
  sequencerAt,
} from '../../scripts/mirror/objectCreatedNotification.ts';
import {
  backfillConfig,
  createMirrorBucket,
  expectedRowsDigest,
  tableRowsDigest,
} from '../helpers/backfillHarness.ts';
import {
  createTestQueues,
  deleteTestQueues,
  peekBodies,
  queueDepth,
  runLocalFeed,
  testFeedConfig,
  type TestQueues,
} from '../helpers/feedHarness.ts';
import { killCliAt } from '../helpers/killCliAt.ts';
import { dropNamespace, localLake, uniqueNamespace } from '../helpers/localLake.ts';
import { runCli } from '../helpers/runCli.ts';

// Archive days years before any nightly lookback: only the feed can bring their rewrites in.
const WINDOW = { from: '2024-03-01', to: '2024-03-04' } as const;
const SEED = 21;
const STATIONS = 4;
const namespace = uniqueNamespace('it_feed');
let bucket: string;
let queues: TestQueues;
/** What the archive holds now, by key: the expected content of the lake. */
const current = new Map<string, GeneratedFile>();
const s3 = localS3Client(localLake);
const sqs = localSqsClient(localLake);

const config = () => backfillConfig({ ...WINDOW, namespace, sourceBucket: bucket });
const expected = () => expectedRowsDigest(current.values());
const station = (index: number) => generateStations({ count: STATIONS, seed: SEED })[index]!;
/**
 * Another version of a station-day's file: same key, other readings (the first seed from `seed` on
 * whose generated station has a file that day: coverage is drawn per seed).
 */
function version(index: number, day: string, seed: number): GeneratedFile {
  for (let s = seed; s < seed + 100; s += 1) {
    const file = generateArchiveFile(station(index), day as `${number}-${number}-${number}`, {
      seed: s,
    });
    if (file !== undefined) return file;
  }
  throw new Error(`test: no seed from ${seed} gives station ${index} a file on ${day}`);
}

let sequence = 0;
/** The file written without a notification; returns its notification, to be sent when the test says. */
async function writeQuietly(file: GeneratedFile): Promise<string> {
  const etag = await new MirrorWriter(s3, bucket).put(file.key, file.body);
  current.set(file.key, file);
  sequence += 1;
  return objectCreatedNotification({
    bucket,
    key: file.key,
    size: file.body.byteLength,
    etag,
    sequencer: sequencerAt(new Date(), sequence),
  });
}

describe('loading from the object-created notification feed', () => {
  beforeAll(async () => {
    bucket = await createMirrorBucket('it-feed');
    queues = await createTestQueues('it-feed');
    const writer = new MirrorWriter(s3, bucket, { sqs, queueUrl: queues.queueUrl });
    for (const file of generateArchive({ ...WINDOW, stations: STATIONS, seed: SEED })) {
      await writer.put(file.key, file.body);
      current.set(file.key, file);
    }
    await writer.flush();
  });

  afterAll(async () => {
    await dropNamespace(namespace);
    await deleteTestQueues(queues);
    s3.destroy();
    sqs.destroy();
  });

  it('loads every notified file in one commit and deletes the messages only then', async () => {
    const { summary, counts } = await runLocalFeed(await config(), testFeedConfig(queues));
    expect(summary).toMatchObject({
      filesNew: current.size,
      filesFetched: current.size,
      commits: 1,
      exitCode: 0,
    });
    expect(summary.feed).toMatchObject({
      messages: current.size,
      keys: current.size,
      deleted: current.size,
      deadLettered: 0,
      unmatched: 0,
    });
    // One listing per station-month, not per file.
    expect(counts.listObjects).toBe(STATIONS);
    expect(await tableRowsDigest(namespace)).toEqual(expected());
    expect(await queueDepth(queues.queueUrl)).toBe(0);
  });

  it('a rewrite of a file older than any lookback replaces exactly its rows', async () => {
    const [first] = [...current.values()];
    const before = first!.rows.length;
    const { locationId, day } = parseArchiveKey(first!.key)!;
    const index = generateStations({ count: STATIONS, seed: SEED }).findIndex(
      (s) => s.locationId === locationId,
    );
    const patched = version(index, day, SEED + 1000);
    await sendMessages(sqs, queues.queueUrl, [await writeQuietly(patched)]);
    const { summary, counts } = await runLocalFeed(await config(), testFeedConfig(queues));
    expect(summary).toMatchObject({
      filesChanged: 1,
      filesNew: 0,
      filesFetched: 1,
      rowsReplaced: before,
      rowsCommitted: patched.rows.length,
      commits: 1,
    });
    expect(counts.get).toBe(1);
    // What S3 is asked, as the summary reports it: the file's station-month listed once, one GET.
    expect(summary.sourceRequests).toEqual({ list: 1, get: 1 });
    expect(await tableRowsDigest(namespace)).toEqual(expected());
    expect(await queueDepth(queues.queueUrl)).toBe(0);
  });

  it('the same notification twice and an older one after a newer one change nothing', async () => {
    const key = formatArchiveKey(station(1).locationId, '2024-03-02');
    expect(current.has(key)).toBe(true);
    const older = await writeQuietly(version(1, '2024-03-02', SEED + 2000));
    const newer = await writeQuietly(version(1, '2024-03-02', SEED + 3000));
    // Delivered newest first, then the older event, then the newest again.
    await sendMessages(sqs, queues.queueUrl, [newer, older, newer]);
    const { summary } = await runLocalFeed(await config(), testFeedConfig(queues));
    expect(summary.feed).toMatchObject({ messages: 3, keys: 1, repeats: 2, deleted: 3 });
    expect(summary).toMatchObject({ filesChanged: 1, filesFetched: 1, commits: 1 });
    const digest = await tableRowsDigest(namespace);
    expect(digest).toEqual(expected());

    // The older event alone, after the newer rows landed: the object as it is now is unchanged.
    await sendMessages(sqs, queues.queueUrl, [older, older]);
    const again = await runLocalFeed(await config(), testFeedConfig(queues));
    expect(again.summary).toMatchObject({ filesSkipped: 1, filesFetched: 0, commits: 0 });
    expect(again.summary.feed).toMatchObject({ messages: 2, deleted: 2 });
    expect(again.counts.get).toBe(0);
    expect(await tableRowsDigest(namespace)).toEqual(digest);
    expect(await queueDepth(queues.queueUrl)).toBe(0);
  });

  it('a malformed message ends in the dead-letter queue and the counts; a key outside the layout is reported, not loaded', async () => {
    const outside = (key: string, inBucket = bucket) =>
      objectCreatedNotification({ bucket: inBucket, key, size: 10, etag: 'abc', sequencer: '01' });
    await sendMessages(sqs, queues.queueUrl, [
      '{"Type":"Notification","Message":"not an S3 event"}',
      outside('records/csv.gz/loc-2178-20240301.csv.gz'),
      outside(formatArchiveKey(station(0).locationId, '2024-03-01'), 'some-other-bucket'),
    ]);
    const { summary, counts } = await runLocalFeed(await config(), testFeedConfig(queues));
    expect(summary.feed).toMatchObject({
      messages: 3,
      deadLettered: 1,
      unmatched: 2,
      keys: 0,
      deleted: 2,
    });
    expect(summary).toMatchObject({ commits: 0, filesFetched: 0 });
    expect(counts.listObjects).toBe(0);
    expect(metricsRecord(summary, 'nightly')).toMatchObject({
      NotificationsDeadLettered: 1,
      NotificationsOutsideLayout: 2,
    });
    expect(await peekBodies(queues.deadLetterQueueUrl)).toEqual([
      '{"Type":"Notification","Message":"not an S3 event"}',
    ]);
    expect(await queueDepth(queues.queueUrl)).toBe(0);
    expect(await tableRowsDigest(namespace)).toEqual(expected());
  });

  it('killed after the commit and before the delete, a re-run redelivers, loads nothing twice and empties the queue', async () => {
    const patched = version(2, '2024-03-03', SEED + 4000);
    await sendMessages(sqs, queues.queueUrl, [await writeQuietly(patched)]);
    const workDir = await mkdtemp(join(tmpdir(), 'feed-kill-'));
    const args = [
      'nightly',
      '--source',
      'notifications',
      '--queue-url',
      queues.queueUrl,
      '--dead-letter-queue-url',
      queues.deadLetterQueueUrl,
      '--source-bucket',
      bucket,
      '--namespace',
      namespace,
      '--work-dir',
      workDir,
      '--wait-seconds',
      '1',
      '--visibility-timeout',
      '3',
    ];
    const killed = await killCliAt('committed', args);
    expect(killed.killed).toBe(true);
    // The message was received and not deleted: it is in flight, and comes back.
    expect(await queueDepth(queues.queueUrl)).toBe(1);
    expect(await tableRowsDigest(namespace)).toEqual(expected());

    // Long polling waits for the message to come back (no sleep in the test).
    const rerun = await runCli([...args.slice(0, -4), '--wait-seconds', '10', '--json']);
    expect(rerun.code, rerun.stderr).toBe(0);
    const summary = JSON.parse(rerun.stdout) as {
      filesSkipped: number;
      filesFetched: number;
      commits: number;
      feed: { deleted: number };
    };
    expect(summary).toMatchObject({ filesSkipped: 1, filesFetched: 0, commits: 0 });
    expect(summary.feed.deleted).toBe(1);
    expect(await queueDepth(queues.queueUrl)).toBe(0);
    expect(await tableRowsDigest(namespace)).toEqual(expected());
  });

  it('reconciliation reads the feed, then lists the window, and counts the files the feed did not deliver', async () => {
    // One rewrite whose notification was lost, one delivered.
    await writeQuietly(version(3, '2024-03-04', SEED + 5000));
    const delivered = await writeQuietly(version(0, '2024-03-04', SEED + 6000));
    await sendMessages(sqs, queues.queueUrl, [delivered]);
    const { summary } = await runLocalFeed(await config(), testFeedConfig(queues), 'reconcile');
    expect(summary.feed).toMatchObject({
      messages: 1,
      deleted: 1,
      notDelivered: 1,
      reconciled: WINDOW,
    });
    expect(summary.filesNew + summary.filesChanged).toBe(2);
    expect(summary.commits).toBe(2);
    expect(metricsRecord(summary, 'nightly')).toMatchObject({ FilesNotDelivered: 1 });
    expect(await tableRowsDigest(namespace)).toEqual(expected());
  });
});
