import { join } from 'node:path';
import PQueue from 'p-queue';
import type { Logger } from 'pino';
import type { BackfillConfig } from './config.ts';
import { describeTarget } from './lake/catalogTarget.ts';
import { commitChunk } from './lake/commitChunk.ts';
import { ensureTables } from './lake/ensureTables.ts';
import { loadedFiles, windowRange } from './lake/lakeLedger.ts';
import { withLake, type LakeSession } from './lake/lakeSession.ts';
import { StagingArea } from './lake/stagingArea.ts';
import { recordRun } from './lake/recordRun.ts';
import { backoffMs } from './lake/retryRetryable.ts';
import { LakehouseError, classify } from './lakehouseError.ts';
import { chunkFiles, planLoad, type PlannedFile } from './plan.ts';
import { emptySummary, type RunSummary } from './runSummary.ts';
import { archiveDayToMs } from './source/archiveDay.ts';
import type { ArchiveStore } from './source/archiveStore.ts';
import { listConfiguredWindow } from './listConfiguredWindow.ts';
import type { WindowListing } from './source/listWindow.ts';
import { MeasurementColumns } from './source/measurementColumns.ts';
import { readArchiveFile } from './source/parseArchiveFile.ts';
import { TABLES } from './tables.ts';

export interface BackfillDependencies {
  readonly store: ArchiveStore;
  readonly logger: Logger;
  /** Called as work progresses (files done so far), for a progress display. */
  readonly onProgress?: (progress: {
    stage: string;
    filesDone: number;
    filesTotal: number;
    rows: number;
  }) => void;
}

const seconds = (startMs: number): number => (performance.now() - startMs) / 1000;

/**
 * The backfill: list the window, compare with the lake's lineage, fetch and parse only new and
 * changed files, stage them, and commit in large chunks. Re-running it, resuming it after a crash
 * or running it concurrently with another run leaves exactly one copy of each file's rows.
 */
export async function runBackfill(
  config: BackfillConfig,
  deps: BackfillDependencies,
): Promise<RunSummary> {
  const started = performance.now();
  const { logger } = deps;
  const summary = emptySummary(
    config.runId,
    config.window,
    describeTarget(config.target),
    config.dryRun,
  );

  const startedAt = new Date();
  // The listing needs no DuckDB: it runs while DuckDB starts, attaches and reads the lineage.
  const listing = timedListing(deps.store, config);
  listing.catch(() => undefined); // awaited in loadWindow; never left unhandled if the lake fails first
  return withLake(config.duckdb, config.target, async (session) => {
    const ensured = await ensureTables(session, config.namespace, TABLES);
    if (ensured.created.length + ensured.columnsAdded.length + ensured.partitioned.length > 0) {
      logger.info({ ...ensured }, 'tables brought in line with job/tables.ts');
    }
    try {
      await loadWindow(session, config, deps, summary, listing);
    } catch (err) {
      summary.exitCode = 1;
      summary.seconds.total = seconds(started);
      if (!config.dryRun) {
        const error = err instanceof Error ? err.message : String(err);
        await recordRun(session, config.namespace, {
          command: config.command,
          startedAt,
          summary,
          error,
        }).catch((recordError: unknown) =>
          logger.warn({ recordError: String(recordError) }, 'could not record the failed run'),
        );
      }
      throw err;
    }
    const rowsSeen = summary.rowsCommitted + summary.rowsRejected;
    summary.rejectRate = Math.max(
      rowsSeen > 0 ? summary.rowsRejected / rowsSeen : 0,
      summary.filesFetched > 0 ? summary.filesRejected / summary.filesFetched : 0,
    );
    if (summary.rejectRate > config.maxRejectRate) summary.exitCode = 3;
    summary.seconds.total = seconds(started);
    if (!config.dryRun) {
      await session.refreshCredentials();
      await recordRun(session, config.namespace, { command: config.command, startedAt, summary });
    }
    return summary;
  });
}

async function timedListing(
  store: ArchiveStore,
  config: BackfillConfig,
): Promise<{ listing: WindowListing; seconds: number }> {
  const started = performance.now();
  const listing = await listConfiguredWindow(store, config);
  return { listing, seconds: seconds(started) };
}

/** Read the lineage, plan against the listing, then fetch, stage and commit chunk by chunk. */
async function loadWindow(
  session: LakeSession,
  config: BackfillConfig,
  deps: BackfillDependencies,
  summary: RunSummary,
  pendingListing: Promise<{ listing: WindowListing; seconds: number }>,
): Promise<void> {
  const { logger } = deps;
  let stageStart = performance.now();
  const loaded = await readLineage(session, config.namespace, config.window);
  const lineageSeconds = seconds(stageStart);
  const { listing, seconds: listSeconds } = await pendingListing;
  summary.seconds.list = listSeconds;
  summary.filesListed = listing.files.length;
  summary.unmatchedKeys = listing.unmatchedKeys.length;
  if (listing.unmatchedKeys.length > 0) {
    logger.warn(
      { count: listing.unmatchedKeys.length, examples: listing.unmatchedKeys.slice(0, 5) },
      'keys that do not match the archive layout were ignored',
    );
  }
  logger.info(
    {
      files: listing.files.length,
      listRequests: listing.listRequests,
      seconds: summary.seconds.list,
    },
    'listed window',
  );

  stageStart = performance.now();
  const plan = planLoad(listing.files, loaded);
  const work = [...plan.newFiles, ...plan.changedFiles];
  const chunks = chunkFiles(work, config.commit);
  summary.seconds.plan = lineageSeconds + seconds(stageStart);
  summary.filesSkipped = plan.unchangedFiles.length;
  summary.filesNew = plan.newFiles.length;
  summary.filesChanged = plan.changedFiles.length;
  summary.bytesPlanned = work.reduce((sum, file) => sum + file.size, 0);
  summary.commitsPlanned = chunks.length;
  logger.info(
    {
      new: plan.newFiles.length,
      changed: plan.changedFiles.length,
      unchanged: plan.unchangedFiles.length,
      commits: chunks.length,
    },
    'planned',
  );
  if (config.dryRun) return;

  const staging = await StagingArea.open(
    session.connection,
    join(config.workDir, `staging-${config.runId}.duckdb`),
  );
  try {
    let filesDone = 0;
    for (const chunk of chunks) {
      await loadChunk(chunk, staging, config, deps, summary, () => {
        filesDone += 1;
        if (filesDone % 50 === 0)
          logger.debug({ filesDone, filesTotal: work.length }, 'staging progress');
        deps.onProgress?.({
          stage: 'fetch',
          filesDone,
          filesTotal: work.length,
          rows: summary.rowsCommitted + staging.stagedRows,
        });
      });
      deps.onProgress?.({
        stage: 'commit',
        filesDone,
        filesTotal: work.length,
        rows: summary.rowsCommitted + staging.stagedRows,
      });
      logger.info({ files: chunk.length, rows: staging.stagedRows }, 'committing');
      await commitWithRetries(session, staging, chunk, config, summary, logger);
      await staging.clear();
    }
  } finally {
    await staging.close();
  }
}

async function readLineage(
  session: LakeSession,
  namespace: string,
  window: BackfillConfig['window'],
) {
  try {
    return await loadedFiles(session, namespace, window);
  } catch (err) {
    throw classify(err, `read what ${namespace} already holds`);
  }
}

/** Fetches, parses and stages one chunk's files with bounded concurrency. */
async function loadChunk(
  files: readonly PlannedFile[],
  staging: StagingArea,
  config: BackfillConfig,
  deps: BackfillDependencies,
  summary: RunSummary,
  fileDone: () => void,
): Promise<void> {
  const started = performance.now();
  const queue = new PQueue({ concurrency: config.concurrency });
  let failure: Error | undefined;
  // Each file is parsed into these and staged at once, with no await in between: the buffers are
  // free again for the next file, and no row outlives its file as a JS object.
  const rows = new MeasurementColumns();
  for (const file of files) {
    if (failure) break;
    if (queue.size > config.concurrency * 2) await queue.onSizeLessThan(config.concurrency);
    queue
      .add(async () => {
        const got = await deps.store.get(file.key);
        if (got.kind === 'missing') {
          summary.filesMissing += 1;
          deps.logger.warn({ key: file.key }, 'listed file is gone (404); counted as missing');
          fileDone();
          return;
        }
        summary.filesFetched += 1;
        summary.bytesFetched += got.body.byteLength;
        const parseStart = performance.now();
        const parsed = readArchiveFile({ key: file.key, body: got.body }, rows);
        const stageStart = performance.now();
        summary.seconds.parse += (stageStart - parseStart) / 1000;
        // The ETag of the bytes actually read: if OpenAQ rewrote the file since the listing, the
        // lineage must name the new version.
        const staged = { key: file.key, etag: got.etag || file.etag, locationId: file.locationId };
        if (parsed.kind === 'rejected') {
          summary.filesRejected += 1;
          deps.logger.warn({ key: file.key, reason: parsed.reason }, 'file rejected');
          staging.addRejectedFile(
            { ...staged, outcome: 'rejected' },
            parsed.reason,
            parsed.rawText,
          );
        } else {
          if (parsed.rejects.length > 0) {
            deps.logger.warn(
              {
                key: file.key,
                rejectedRows: parsed.rejects.length,
                first: parsed.rejects[0]?.reason,
              },
              'rows rejected',
            );
          }
          staging.addParsedFile({ ...staged, outcome: 'loaded' }, rows, parsed.rejects);
        }
        summary.seconds.stage += seconds(stageStart);
        fileDone();
      })
      .catch((err: unknown) => {
        failure ??= err instanceof Error ? err : new Error(String(err));
        queue.clear();
      });
  }
  await queue.onIdle();
  summary.seconds.fetch += seconds(started);
  if (failure) throw failure;
  staging.flush();
}

/**
 * Commits the staged chunk. A conflict (another writer committed first) is retried after
 * re-checking the lineage; files another run loaded meanwhile are dropped from staging, not
 * loaded twice. After a commit of unknown outcome, the next try's lineage read finds what landed.
 */
async function commitWithRetries(
  session: LakeSession,
  staging: StagingArea,
  chunk: readonly PlannedFile[],
  config: BackfillConfig,
  summary: RunSummary,
  logger: Logger,
): Promise<void> {
  const started = performance.now();
  const days = chunk.map((file) => archiveDayToMs(file.day));
  const range = windowRange(Math.min(...days), Math.max(...days));
  for (let attempt = 0; ; attempt += 1) {
    try {
      await session.refreshCredentials();
      const result = await commitChunk(
        session,
        {
          namespace: config.namespace,
          runId: config.runId,
          ingestedAt: new Date(),
          range,
        },
        (table) => logger.debug({ table }, 'chunk step committed'),
      );
      if (result.kind === 'already-loaded') {
        logger.info(
          { files: result.keys.length },
          'another run loaded some of these files meanwhile; dropping them and retrying',
        );
        await staging.dropFiles(result.keys);
        summary.commitRetries += 1;
        continue;
      }
      summary.commits += 1;
      summary.snapshotIds.push(result.snapshotId);
      summary.rowsCommitted += result.rowsInserted;
      summary.rowsReplaced += result.rowsReplaced;
      summary.rowsRejected += result.rowRejects;
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
      summary.seconds.commit += seconds(started);
      return;
    } catch (err) {
      const error = err instanceof LakehouseError ? err : classify(err, 'commit');
      if (!error.retryable || attempt >= config.commitRetries) throw error;
      // The next try reads the lineage first: rows an unknown-outcome try left are this run's,
      // without a chunk marker, and are replaced rather than duplicated.
      summary.commitRetries += 1;
      const waitMs = backoffMs(attempt);
      logger.warn(
        { kind: error.kind, attempt, backoffMs: Math.round(waitMs), error: error.message },
        'commit failed; retrying',
      );
      await new Promise((wake) => setTimeout(wake, waitMs));
    }
  }
}
