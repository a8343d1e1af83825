import PQueue from 'p-queue';
import type { LocalLakehouse } from '../../job/localLakehouse.ts';
import { parseArchiveDay } from '../../job/model/archiveDay.ts';
import { generateArchive } from '../mirror/generateArchive.ts';
import { MirrorWriter } from './mirrorWriter.ts';
import { ensureArchiveBucket, localS3Client } from './s3Admin.ts';
import { localQueues, localSqsClient } from './sqsAdmin.ts';

export interface SeedOptions {
  readonly from: string;
  readonly to: string;
  readonly stations: number;
  readonly seed: number;
  /** Send each file's object-created notification to the local queue, as OpenAQ's bucket does. */
  readonly notify: boolean;
}

export interface SeedSummary {
  readonly files: number;
  readonly notifications: number;
  readonly rows: number;
  readonly bytes: number;
}

/** Uploads a generated archive window into the mirror bucket, keyed exactly like the real archive. */
export async function seedMirror(
  lake: LocalLakehouse,
  options: SeedOptions,
  log: (line: string) => void,
): Promise<SeedSummary> {
  if (!Number.isInteger(options.stations) || options.stations < 1) {
    throw new Error(
      `seed: Expected \`--stations\` to be an integer >= 1, got \`${options.stations}\``,
    );
  }
  const from = parseArchiveDay(options.from);
  const to = parseArchiveDay(options.to);
  if (from > to) throw new Error(`seed: \`--from\` ${from} is after \`--to\` ${to}`);
  const client = localS3Client(lake);
  const sqs = options.notify ? localSqsClient(lake) : undefined;
  const writer = new MirrorWriter(
    client,
    lake.archiveBucket,
    sqs ? { sqs, queueUrl: localQueues(lake).queueUrl } : undefined,
  );
  const queue = new PQueue({ concurrency: 32 });
  let files = 0;
  let rows = 0;
  let bytes = 0;
  let failure: Error | undefined;
  try {
    await ensureArchiveBucket(client, lake.archiveBucket);
    for (const file of generateArchive({
      from,
      to,
      stations: options.stations,
      seed: options.seed,
    })) {
      // Back-pressure: keep the generator at most a few batches ahead of the uploads.
      if (queue.size > 256) await queue.onSizeLessThan(128);
      files += 1;
      rows += file.rows.length;
      bytes += file.body.byteLength;
      if (failure) break;
      queue
        .add(() => writer.put(file.key, file.body))
        .catch((err: unknown) => (failure ??= err instanceof Error ? err : new Error(String(err))));
      if (files % 5000 === 0) log(`seed: ${files} files`);
    }
    await queue.onIdle();
    if (failure) throw failure;
    await writer.flush();
  } finally {
    client.destroy();
    sqs?.destroy();
  }
  return { files, notifications: writer.notificationsSent, rows, bytes };
}
