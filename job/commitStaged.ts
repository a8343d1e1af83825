import type { Logger } from 'pino';
import type { ChunkCommitResult } from './lake/commitChunk.ts';
import { commitRetryKind } from './lake/commitRetryKind.ts';
import { windowRange } from './lake/lakeLedger.ts';
import type { LakeStaging } from './lake/lake.ts';
import { LakehouseError, classify } from './lakehouseError.ts';
import { archiveDayToMs, type ArchiveDay } from './model/archiveDay.ts';
import type { RetryKind } from './model/retryCounts.ts';
import { backoffMs, retryLoop } from './model/retryLoop.ts';
import type { RunSummary } from './model/runSummary.ts';
import type { RunContext } from './runContext.ts';
import { secondsSince } from './secondsSince.ts';
import type { ListedFile } from './source/listWindow.ts';

/** Commits one staged chunk (see commitWithRetries), then empties its staging area. */
export async function commitStaged(
  run: RunContext,
  staging: LakeStaging,
  chunk: readonly ListedFile[],
): Promise<void> {
  const { deps, summary, progress } = run;
  const { logger } = deps;
  deps.onProgress?.({
    stage: 'commit',
    ...progress,
    rows: summary.rowsCommitted + staging.stagedRows,
  });
  logger.info({ files: chunk.length, rows: staging.stagedRows }, 'committing');
  const chunkNumber = summary.commits + 1; // of the run, for onCommitStep
  await commitWithRetries(run, staging, chunk, (table) => deps.onCommitStep?.(table, chunkNumber));
  await staging.clear();
}

/**
 * Commits the staged chunk. A conflict (another writer committed first) is retried after
 * re-checking the files ledger; files another run loaded meanwhile are dropped from staging, not
 * loaded twice. After a commit of unknown outcome, the next try's read of the rows' lineage finds
 * what landed.
 */
async function commitWithRetries(
  { lake, config, summary, deps: { logger } }: RunContext,
  staging: LakeStaging,
  chunk: readonly ListedFile[],
  onStep: (table: string) => void,
): Promise<void> {
  const started = performance.now();
  const days = dayBounds(chunk);
  const range = windowRange(archiveDayToMs(days.from), archiveDayToMs(days.to));
  const commitOnce = async (attempt: number): Promise<void> => {
    for (;;) {
      await lake.refreshCredentials();
      const result = await staging.commit(
        {
          namespace: config.namespace,
          runId: config.runId,
          ingestedAt: new Date(),
          range,
          days,
          onRetry: (kind) => (summary.retries[kind] += 1),
        },
        (table) => {
          logger.debug({ table }, 'chunk step committed');
          onStep(table);
        },
      );
      if (result.kind === 'committed') {
        countCommitted(summary, result, logger, attempt);
        return;
      }
      logger.info(
        { files: result.keys.length },
        'another run loaded some of these files meanwhile; dropping them and retrying',
      );
      await staging.dropFiles(result.keys);
      countCommitRetry(summary, 'commitAlreadyLoaded');
    }
  };
  await retryLoop(
    (made) => commitOnce(made - 1),
    (err, made) => {
      const error = err instanceof LakehouseError ? err : classify(err, 'commit');
      if (!error.retryable || made > config.commitRetries) throw error;
      // The next try reads the lineage first: rows an unknown-outcome try left are this run's,
      // without a chunk marker, and are replaced rather than duplicated.
      countCommitRetry(summary, commitRetryKind(error));
      const waitMs = backoffMs(made - 1);
      logger.warn(
        {
          kind: error.kind,
          attempt: made - 1,
          backoffMs: Math.round(waitMs),
          error: error.message,
        },
        'commit failed; retrying',
      );
      return { retryAfterMs: waitMs };
    },
  );
  summary.seconds.commit += secondsSince(started);
}

/** The first and last day of a chunk's files (a loop: spreading ~200k values overflows the stack). */
function dayBounds(files: readonly ListedFile[]): { from: ArchiveDay; to: ArchiveDay } {
  let from = files[0]!.day;
  let to = from;
  for (const file of files) {
    if (file.day < from) from = file.day;
    if (file.day > to) to = file.day;
  }
  return { from, to };
}

/** A landed chunk in the summary and the log. */
function countCommitted(
  summary: RunSummary,
  result: Extract<ChunkCommitResult, { kind: 'committed' }>,
  logger: Logger,
  attempt: number,
): void {
  summary.commits += 1;
  summary.snapshotIds.push(result.snapshotId);
  summary.rowsCommitted += result.rowsInserted;
  summary.rowsReplaced += result.rowsReplaced;
  summary.rowsLeftover += result.rowsLeftover;
  summary.rowsRejected += result.rowRejects;
  summary.stationsRecomputed += result.stationsRecomputed;
  logger.info(
    {
      snapshotId: result.snapshotId,
      rows: result.rowsInserted,
      replaced: result.rowsReplaced,
      icebergCommits: result.commits,
      attempt,
    },
    'committed',
  );
}

function countCommitRetry(summary: RunSummary, kind: RetryKind): void {
  summary.retries[kind] += 1;
  summary.commitRetries += 1;
}
