import { mkdir } from 'node:fs/promises';
import { pino } from 'pino';
import { runBackfill } from '../backfill.ts';
import type { BackfillConfig } from '../config.ts';
import type { FeedConfig, LoadSource } from '../feedConfig.ts';
import { runFeedLoad } from '../feedLoad.ts';
import { createSqsNotificationQueue } from '../source/sqsNotificationQueue.ts';
import { formatSummary } from '../formatSummary.ts';
import { metricsCommand, metricsRecord } from '../output/metricsRecord.ts';
import { ProgressLine } from '../output/progressLine.ts';
import { RetryCounter } from '../model/retryCounts.ts';
import { SourceRequestCounter } from '../model/sourceRequests.ts';
import { createS3ArchiveStore } from '../source/s3ArchiveStore.ts';
import type { Terminal } from './commandContext.ts';

export interface LoadOutput {
  readonly json: boolean;
  /** undefined: 'info', or 'warn' when a progress line is drawn on a terminal. */
  readonly logLevel: string | undefined;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

/** How a load command writes, from its global options. */
export const loadOutput = (
  args: { readonly json: boolean; readonly logLevel: string | undefined },
  terminal: Pick<Terminal, 'stdout' | 'stderr'>,
): LoadOutput => ({
  json: args.json,
  logLevel: args.logLevel,
  stdout: terminal.stdout,
  stderr: terminal.stderr,
});

/**
 * Runs backfill or nightly (from the listing, the notification feed, or both to reconcile) with
 * logs, progress, the summary and the metrics record.
 */
export async function runLoadCommand(
  config: BackfillConfig,
  output: LoadOutput,
  load: { readonly source: LoadSource; readonly feed: FeedConfig | undefined } = {
    source: 'listing',
    feed: undefined,
  },
): Promise<number> {
  const progress =
    output.stderr.isTTY && !output.json ? new ProgressLine(output.stderr) : undefined;
  const logger = pino(
    { level: output.logLevel ?? (progress ? 'warn' : 'info'), base: { runId: config.runId } },
    pino.destination(2),
  );
  await mkdir(config.workDir, { recursive: true });
  const retries = new RetryCounter();
  const sourceRequests = new SourceRequestCounter();
  const store = createS3ArchiveStore({
    ...config.source,
    maxSockets: config.concurrency,
    onRetry: retries.onRetry,
    onRequest: sourceRequests.onRequest,
  });
  const queue = load.feed ? createSqsNotificationQueue(load.feed.queue) : undefined;
  try {
    const deps = {
      store,
      logger,
      retries,
      sourceRequests,
      ...(progress
        ? { onProgress: (p: Parameters<ProgressLine['update']>[0]) => progress.update(p) }
        : {}),
    };
    const summary =
      load.source === 'listing'
        ? await runBackfill(config, deps)
        : await runFeedLoad(config, load.source, load.feed, {
            ...deps,
            ...(queue ? { queue } : {}),
          });
    progress?.finish();
    logger.info({ summary }, 'run finished');
    logger.info(metricsRecord(summary, metricsCommand(config.command, load.source)), 'metrics');
    output.stdout.write(
      `${output.json ? JSON.stringify(summary, null, 2) : formatSummary(summary)}\n`,
    );
    return summary.exitCode;
  } finally {
    progress?.finish();
    store.close();
    queue?.close();
    logger.flush();
  }
}
