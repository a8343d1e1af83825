import { join } from 'node:path';
import type { Logger } from 'pino';
import type { BackfillConfig } from './config.ts';
import { describeTarget } from './lake/catalogTarget.ts';
import { withDuckDBLake } from './lake/duckdbLake.ts';
import type { Lake } from './lake/lake.ts';
import { RetryCounter, nonZeroRetries } from './model/retryCounts.ts';
import type { SourceRequestCounter } from './model/sourceRequests.ts';
import { WarningDigest } from './output/warningDigest.ts';
import { emptySummary, type FeedSummary, type RunSummary } from './model/runSummary.ts';
import { HeldFiles, listPieces, type ListedPiece } from './listPieces.ts';
import { withRunFolder } from './runFolder.ts';
import { CommitPipeline } from './commitPipeline.ts';
import type { RunContext } from './runContext.ts';
import { secondsSince } from './secondsSince.ts';
import { loadPiece } from './loadPiece.ts';
import type { ArchiveStore } from './source/archiveStore.ts';
import { ParserPool } from './source/parserPool.ts';

export interface BackfillDependencies {
  readonly store: ArchiveStore;
  readonly logger: Logger;
  /**
   * Where the pieces come from. Default: the window's listing (listPieces). The notification feed
   * gives the pieces its messages name instead; the load after that is the same.
   */
  readonly pieces?: (held: HeldFiles) => AsyncGenerator<ListedPiece>;
  /** The feed's counts, reported in the summary (filled while the pieces are read). */
  readonly feed?: FeedSummary;
  /** Where retries are counted: give the store the same counter's onRetry. Default: a new one. */
  readonly retries?: RetryCounter;
  /** Where the store counts its requests (its onRequest), for the summary. Default: none counted. */
  readonly sourceRequests?: SourceRequestCounter;
  /**
   * Called after each table's commit of a chunk (`measurements`, `rejects`, `locations`, `files`),
   * with the chunk's number from 1: where tests stop a run to prove it resumes.
   */
  readonly onCommitStep?: (step: string, chunk: number) => void;
  /**
   * Opens the lake for the run's work. Default: DuckDB with the configured catalog attached
   * (withDuckDBLake); tests of the orchestration hand in a fake.
   */
  readonly openLake?: <T>(fn: (lake: Lake) => Promise<T>) => Promise<T>;
  /** Called as work progresses (files done so far), for a progress display. */
  readonly onProgress?: (progress: {
    stage: string;
    filesDone: number;
    filesTotal: number;
    rows: number;
  }) => void;
}

/**
 * The backfill: stream the window in pieces (a month of a slice of stations); for each, list it,
 * compare with the lake's ledger, fetch and parse only new and changed files, stage them, and
 * commit in large chunks. Re-running it, resuming it after a crash or running it concurrently with
 * another run leaves exactly one copy of each file's rows.
 */
export async function runBackfill(
  config: BackfillConfig,
  dependencies: BackfillDependencies,
): Promise<RunSummary> {
  // Per-file warnings are aggregated: the first few logged, the rest counted, one line at the end.
  const warnings = new WarningDigest(dependencies.logger);
  const deps = { ...dependencies, logger: warnings.logger };
  try {
    return await backfill(config, deps);
  } finally {
    warnings.flush();
  }
}

async function backfill(config: BackfillConfig, deps: BackfillDependencies): Promise<RunSummary> {
  const started = performance.now();
  const { logger } = deps;
  const summary = emptySummary(
    config.runId,
    config.window,
    describeTarget(config.target),
    config.dryRun,
  );
  summary.retries = (deps.retries ?? new RetryCounter()).counts;
  if (deps.sourceRequests) summary.sourceRequests = deps.sourceRequests.counts;

  if (deps.feed) summary.feed = deps.feed;

  const startedAt = new Date();
  return withRunFolder(config.runDir, async () => {
    const held = new HeldFiles();
    const pieces = deps.pieces ? deps.pieces(held) : listPieces(deps.store, config, held);
    // The first piece's listing needs no DuckDB: it runs while DuckDB starts and attaches.
    const firstPiece = pieces.next();
    firstPiece.catch(() => undefined); // awaited in loadWindow; never unhandled if the lake fails first
    const openLake =
      deps.openLake ??
      (<T>(fn: (lake: Lake) => Promise<T>) => withDuckDBLake(config.duckdb, config.target, fn));
    return openLake(async (lake) => {
      // A dry run creates, alters and commits nothing: it plans against the tables as they are.
      if (!config.dryRun) await ensureTablesLogged(lake, config.namespace, logger);
      try {
        await loadWindow(lake, config, deps, summary, { pieces, firstPiece, held });
      } catch (err) {
        summary.exitCode = 1;
        summary.filesHeldMax = held.max;
        summary.seconds.total = secondsSince(started);
        if (!config.dryRun) {
          const error = err instanceof Error ? err.message : String(err);
          await lake
            .recordRun(config.namespace, {
              command: config.command,
              startedAt,
              summary,
              error,
            })
            .catch((recordError: unknown) =>
              logger.warn({ recordError: String(recordError) }, 'could not record the failed run'),
            );
        }
        throw err;
      }
      finishSummary(summary, config.maxRejectRate, held.max, started);
      const retried = nonZeroRetries(summary.retries);
      if (Object.keys(retried).length > 0) logger.info({ retries: retried }, 'retries this run');
      if (!config.dryRun) {
        await lake.refreshCredentials();
        await lake.recordRun(config.namespace, {
          command: config.command,
          startedAt,
          summary,
        });
      }
      return summary;
    });
  });
}

async function ensureTablesLogged(lake: Lake, namespace: string, logger: Logger): Promise<void> {
  const ensured = await lake.ensureTables(namespace);
  if (ensured.created.length + ensured.columnsAdded.length + ensured.partitioned.length > 0) {
    logger.info({ ...ensured }, 'tables brought in line with job/tables.ts');
  }
}

/** The run's reject rate (of rows, or of files if higher) and exit code, and its totals. */
function finishSummary(
  summary: RunSummary,
  maxRejectRate: number,
  filesHeldMax: number,
  started: number,
): void {
  const rowsSeen = summary.rowsCommitted + summary.rowsRejected;
  summary.rejectRate = Math.max(
    rowsSeen > 0 ? summary.rowsRejected / rowsSeen : 0,
    summary.filesFetched > 0 ? summary.filesRejected / summary.filesFetched : 0,
  );
  if (summary.rejectRate > maxRejectRate) summary.exitCode = 3;
  summary.filesHeldMax = filesHeldMax;
  summary.seconds.total = secondsSince(started);
}

interface PieceStream {
  readonly pieces: AsyncGenerator<ListedPiece>;
  /** The first `pieces.next()`, started before DuckDB. */
  readonly firstPiece: Promise<IteratorResult<ListedPiece>>;
  readonly held: HeldFiles;
}

/**
 * Piece by piece (see listPieces): plan the piece against the ledger read for its days and
 * stations, then fetch, stage and commit it chunk by chunk, and let it go before the next. What
 * the process holds is bounded by the pieces, never by the window.
 */
async function loadWindow(
  lake: Lake,
  config: BackfillConfig,
  deps: BackfillDependencies,
  summary: RunSummary,
  stream: PieceStream,
): Promise<void> {
  // Two staging areas, each on a connection of its own: one fills while the other commits.
  const stagings = config.dryRun
    ? undefined
    : ([
        await lake.openStaging(join(config.runDir, 'staging-a.duckdb'), 'staging_a'),
        await lake.openStaging(join(config.runDir, 'staging-b.duckdb'), 'staging_b'),
      ] as const);
  const parser = ParserPool.create(config.dryRun ? 0 : config.parseThreads);
  const pipeline = stagings && new CommitPipeline(stagings);
  try {
    const run: RunContext = {
      lake,
      config,
      deps,
      summary,
      progress: { filesDone: 0, filesTotal: 0 },
    };
    let next = await stream.firstPiece;
    while (!next.done) {
      const listed = next.value;
      const load = pipeline && { pipeline, parser };
      if (listed.overlapsEarlierPieces) await pipeline?.drain();
      const loaded = await loadPiece(run, listed, load);
      // The piece is let go (and the feed's messages deleted) once its last commit has landed.
      const release = async (): Promise<void> => {
        stream.held.release(listed.listing.files.length);
        if (!config.dryRun) await listed.done?.(loaded);
      };
      if (pipeline) pipeline.afterCommits(release);
      else await release();
      next = await stream.pieces.next();
    }
    await pipeline?.drain();
  } finally {
    // Whatever failed, a commit in flight is let finish before the session closes under it.
    await pipeline?.settle();
    summary.seconds.parse = parser.busyMs / 1000;
    await parser.close();
    for (const staging of stagings ?? []) await staging.close();
  }
}
