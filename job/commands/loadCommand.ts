import { mkdir } from 'node:fs/promises';
import { pino } from 'pino';
import { runBackfill } from '../backfill.ts';
import type { BackfillConfig } from '../config.ts';
import { formatSummary } from '../formatSummary.ts';
import { metricsRecord } from '../output/metricsRecord.ts';
import { ProgressLine } from '../output/progressLine.ts';
import { RetryCounter } from '../model/retryCounts.ts';
import { createS3ArchiveStore } from '../source/s3ArchiveStore.ts';

export interface LoadOutput {
  readonly json: boolean;
  /** undefined: 'info', or 'warn' when a progress line is drawn on a terminal. */
  readonly logLevel: string | undefined;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

/** Runs backfill or nightly with logs, progress, the summary and the metrics record. */
export async function runLoadCommand(config: BackfillConfig, output: LoadOutput): Promise<number> {
  const progress =
    output.stderr.isTTY && !output.json ? new ProgressLine(output.stderr) : undefined;
  const logger = pino(
    { level: output.logLevel ?? (progress ? 'warn' : 'info'), base: { runId: config.runId } },
    pino.destination(2),
  );
  await mkdir(config.workDir, { recursive: true });
  const retries = new RetryCounter();
  const store = createS3ArchiveStore({
    ...config.source,
    maxSockets: config.concurrency,
    onRetry: retries.onRetry,
  });
  try {
    const summary = await runBackfill(config, {
      store,
      logger,
      retries,
      ...(progress
        ? { onProgress: (p: Parameters<ProgressLine['update']>[0]) => progress.update(p) }
        : {}),
    });
    progress?.finish();
    logger.info({ summary }, 'run finished');
    logger.info(metricsRecord(summary, config.command), 'metrics');
    output.stdout.write(
      `${output.json ? JSON.stringify(summary, null, 2) : formatSummary(summary)}\n`,
    );
    return summary.exitCode;
  } finally {
    progress?.finish();
    store.close();
    logger.flush();
  }
}
