import { join } from 'node:path';
import PQueue from 'p-queue';
import type { Logger } from 'pino';
import type { BackfillConfig } from './config.ts';
import { describeTarget } from './lake/catalogTarget.ts';
import { commitChunk } from './lake/commitChunk.ts';
import { commitRetryKind } from './lake/commitRetryKind.ts';
import { ensureTables } from './lake/ensureTables.ts';
import { existingTables } from './lake/existingTables.ts';
import { readFilesLedger, windowRange } from './lake/lakeLedger.ts';
import { withLake, type LakeSession } from './lake/lakeSession.ts';
import { StagingArea } from './lake/stagingArea.ts';
import { recordRun } from './lake/recordRun.ts';
import { backoffMs } from './lake/retryRetryable.ts';
import { LakehouseError, classify } from './lakehouseError.ts';
import { RetryCounter, nonZeroRetries, type RetryKind } from './model/retryCounts.ts';
import type { SourceRequestCounter } from './model/sourceRequests.ts';
import { chunkFiles, planLoad } from './plan.ts';
import type { ListedFile } from './source/listWindow.ts';
import { WarningDigest } from './output/warningDigest.ts';
import { emptySummary, type FeedSummary, type RunSummary } from './model/runSummary.ts';
import { HeldFiles, listPieces, type ListedPiece } from './listPieces.ts';
import type { Piece } from './planPieces.ts';
import { withRunFolder } from './runFolder.ts';
import { archiveDayToMs, type ArchiveDay } from './model/archiveDay.ts';
import type { ArchiveStore } from './source/archiveStore.ts';
import { ParserPool } from './source/parserPool.ts';
import { FILES, TABLES } from './tables.ts';

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
    return withLake(config.duckdb, config.target, async (session) => {
      // A dry run creates, alters and commits nothing: it plans against the tables as they are.
      const ensured = config.dryRun
        ? undefined
        : await ensureTables(session, config.namespace, TABLES);
      if (
        ensured &&
        ensured.created.length + ensured.columnsAdded.length + ensured.partitioned.length > 0
      ) {
        logger.info({ ...ensured }, 'tables brought in line with job/tables.ts');
      }
      try {
        await loadWindow(session, config, deps, summary, { pieces, firstPiece, held });
      } catch (err) {
        summary.exitCode = 1;
        summary.filesHeldMax = held.max;
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
      summary.filesHeldMax = held.max;
      summary.seconds.total = seconds(started);
      const retried = nonZeroRetries(summary.retries);
      if (Object.keys(retried).length > 0) logger.info({ retries: retried }, 'retries this run');
      if (!config.dryRun) {
        await session.refreshCredentials();
        await recordRun(session, config.namespace, {
          command: config.command,
          startedAt,
          summary,
        });
      }
      return summary;
    });
  });
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
  session: LakeSession,
  config: BackfillConfig,
  deps: BackfillDependencies,
  summary: RunSummary,
  stream: PieceStream,
): Promise<void> {
  // Two staging areas, each on a connection of its own: one fills while the other commits.
  const stagings = config.dryRun
    ? undefined
    : ([
        await StagingArea.open(
          await session.connect(),
          join(config.runDir, 'staging-a.duckdb'),
          'staging_a',
        ),
        await StagingArea.open(
          await session.connect(),
          join(config.runDir, 'staging-b.duckdb'),
          'staging_b',
        ),
      ] as const);
  const parser = ParserPool.create(config.dryRun ? 0 : config.parseThreads);
  try {
    const progress = { filesDone: 0, filesTotal: 0 };
    let next = await stream.firstPiece;
    while (!next.done) {
      const listed = next.value;
      const load = stagings && { stagings, parser };
      const loaded = await loadPiece(session, config, deps, summary, listed, load, progress);
      stream.held.release(listed.listing.files.length);
      if (!config.dryRun) await listed.done?.(loaded);
      next = await stream.pieces.next();
    }
  } finally {
    summary.seconds.parse = parser.busyMs / 1000;
    await parser.close();
    for (const staging of stagings ?? []) await staging.close();
  }
}

/**
 * One piece: plan against the ledger, then fetch, stage and commit its chunks. Returns how many
 * files it planned to load (new or changed).
 */
async function loadPiece(
  session: LakeSession,
  config: BackfillConfig,
  deps: BackfillDependencies,
  summary: RunSummary,
  { piece, listing, seconds: listSeconds }: ListedPiece,
  load: PieceLoader | undefined,
  progress: { filesDone: number; filesTotal: number },
): Promise<number> {
  const { logger } = deps;
  summary.pieces += 1;
  summary.seconds.list += listSeconds;
  summary.filesListed += listing.files.length;
  summary.unmatchedKeys += listing.unmatchedKeys.length;
  if (listing.unmatchedKeys.length > 0) {
    logger.warn(
      { count: listing.unmatchedKeys.length, examples: listing.unmatchedKeys.slice(0, 5) },
      'keys that do not match the archive layout were ignored',
    );
  }
  const where = {
    from: piece.from,
    to: piece.to,
    stations: describeStations(piece.stations),
  };
  logger.info(
    {
      ...where,
      files: listing.files.length,
      listRequests: listing.listRequests,
      seconds: listSeconds,
    },
    'listed piece',
  );

  const stageStart = performance.now();
  const loaded = await readPieceLedger(session, config.namespace, piece, config.dryRun);
  const plan = planLoad(listing.files, loaded);
  const work = [...plan.newFiles, ...plan.changedFiles];
  const chunks = chunkFiles(work, config.commit);
  summary.seconds.plan += seconds(stageStart);
  summary.filesSkipped += plan.unchangedFiles.length;
  summary.filesNew += plan.newFiles.length;
  summary.filesChanged += plan.changedFiles.length;
  summary.bytesPlanned += work.reduce((sum, file) => sum + file.size, 0);
  summary.commitsPlanned += chunks.length;
  progress.filesTotal += work.length;
  logger.info(
    {
      ...where,
      new: plan.newFiles.length,
      changed: plan.changedFiles.length,
      unchanged: plan.unchangedFiles.length,
      commits: chunks.length,
    },
    'planned',
  );
  if (load === undefined) return work.length;

  // Chunk N commits while chunk N + 1 is fetched, parsed and staged into the other staging area;
  // commits stay one at a time and in order. The piece is done when its last commit is.
  let [filling, spare] = load.stagings;
  let committing: Promise<void> | undefined;
  try {
    for (const chunk of chunks) {
      const commitFailed = new AbortController();
      committing?.catch(() => commitFailed.abort());
      const staging = filling;
      await loadChunk(
        chunk,
        { staging, parser: load.parser },
        config,
        deps,
        summary,
        () => {
          progress.filesDone += 1;
          if (progress.filesDone % 50 === 0) logger.debug({ ...progress }, 'staging progress');
          deps.onProgress?.({
            stage: 'fetch',
            ...progress,
            rows: summary.rowsCommitted + staging.stagedRows,
          });
        },
        commitFailed.signal,
      );
      await committing; // the previous chunk's: its error, if any, ends the run here
      committing = commitStaged(session, staging, chunk, config, deps, summary, progress);
      [filling, spare] = [spare, filling];
    }
  } finally {
    // Whatever failed, a commit in flight is let finish before the session closes under it.
    await committing?.catch(() => undefined);
  }
  await committing;
  logger.info({ ...where, files: work.length }, 'piece done');
  return work.length;
}

/** Commits one staged chunk (see commitWithRetries), then empties its staging area. */
async function commitStaged(
  session: LakeSession,
  staging: StagingArea,
  chunk: readonly ListedFile[],
  config: BackfillConfig,
  deps: BackfillDependencies,
  summary: RunSummary,
  progress: { filesDone: number; filesTotal: number },
): Promise<void> {
  const { logger } = deps;
  deps.onProgress?.({
    stage: 'commit',
    ...progress,
    rows: summary.rowsCommitted + staging.stagedRows,
  });
  logger.info({ files: chunk.length, rows: staging.stagedRows }, 'committing');
  const chunkNumber = summary.commits + 1; // of the run, for onCommitStep
  await commitWithRetries(session, staging, chunk, config, summary, logger, (table) =>
    deps.onCommitStep?.(table, chunkNumber),
  );
  await staging.clear();
}

/** `2178` or `1000…2437 (120)`: a piece's stations in a log line. */
const describeStations = (stations: readonly number[]): string =>
  stations.length === 1
    ? String(stations[0])
    : `${stations[0]}…${stations.at(-1)} (${stations.length})`;

async function readPieceLedger(
  session: LakeSession,
  namespace: string,
  piece: Piece,
  dryRun: boolean,
) {
  try {
    // A dry run did not ensure the tables: a missing files ledger means nothing is loaded yet.
    if (dryRun && !(await existingTables(session, namespace)).has(FILES.name)) return new Map();
    return await readFilesLedger(session, namespace, piece);
  } catch (err) {
    throw classify(err, `read what ${namespace} already holds`);
  }
}

/** Where a piece's files go: parsed by the pool, staged in one staging area or the other. */
interface PieceLoader {
  readonly stagings: readonly [StagingArea, StagingArea];
  readonly parser: ParserPool;
}

/** Where a chunk's files go: parsed by the pool, staged in the staging area. */
interface ChunkLoader {
  readonly staging: StagingArea;
  readonly parser: ParserPool;
}

/**
 * Fetches, parses and stages one chunk's files with bounded concurrency: the GETs and the staging
 * on this thread, the parsing on the pool's.
 */
async function loadChunk(
  files: readonly ListedFile[],
  { staging, parser }: ChunkLoader,
  config: BackfillConfig,
  deps: BackfillDependencies,
  summary: RunSummary,
  fileDone: () => void,
  /** Aborted when the commit running meanwhile failed: stop, staging nothing more. */
  stop: AbortSignal,
): Promise<void> {
  const started = performance.now();
  const queue = new PQueue({ concurrency: config.concurrency });
  let failure: Error | undefined;
  for (const file of files) {
    if (failure || stop.aborted) break;
    if (queue.size > config.concurrency * 2) await queue.onSizeLessThan(config.concurrency);
    queue
      .add(async () => {
        let got = await deps.store.get(file.key, file);
        if (got.kind === 'missing') {
          summary.filesMissing += 1;
          deps.logger.warn({ key: file.key }, 'listed file is gone (404); counted as missing');
          fileDone();
          return;
        }
        summary.filesFetched += 1;
        summary.bytesFetched += got.body.byteLength;
        let parsed = await parser.parse({ key: file.key, body: got.body });
        if (parsed.kind === 'rejected' && !got.verified) {
          // Bytes no checksum vouched for may have been damaged on the way: a file is rejected
          // whole only if a second download brings the same bytes.
          const again = await deps.store.get(file.key, file);
          if (again.kind === 'found' && !sameBytes(again.body, got.body)) {
            summary.retries.sourceCorruptBody += 1;
            got = again;
            parsed = await parser.parse({ key: file.key, body: got.body });
          }
        }
        if (stop.aborted) return;
        const stageStart = performance.now();
        // The ETag of the bytes actually read: if OpenAQ rewrote the file since the listing, the
        // rows' lineage (source_key, source_etag) and the ledger must name the new version.
        const staged = {
          key: file.key,
          etag: got.etag || file.etag,
          locationId: file.locationId,
          ...(got.lastModified ? { lastModified: got.lastModified } : {}),
        };
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
          staging.addParsedFile({ ...staged, outcome: 'loaded' }, parsed.rows, parsed.rejects);
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
  if (stop.aborted) return;
  staging.flush();
}

/**
 * Commits the staged chunk. A conflict (another writer committed first) is retried after
 * re-checking the files ledger; files another run loaded meanwhile are dropped from staging, not
 * loaded twice. After a commit of unknown outcome, the next try's read of the rows' lineage finds
 * what landed.
 */
async function commitWithRetries(
  session: LakeSession,
  staging: StagingArea,
  chunk: readonly ListedFile[],
  config: BackfillConfig,
  summary: RunSummary,
  logger: Logger,
  onStep: (table: string) => void,
): Promise<void> {
  const started = performance.now();
  const days = dayBounds(chunk);
  const range = windowRange(archiveDayToMs(days.from), archiveDayToMs(days.to));
  for (let attempt = 0; ; attempt += 1) {
    try {
      await session.refreshCredentials();
      const result = await commitChunk(
        session,
        {
          namespace: config.namespace,
          staging: staging.alias,
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
      if (result.kind === 'already-loaded') {
        logger.info(
          { files: result.keys.length },
          'another run loaded some of these files meanwhile; dropping them and retrying',
        );
        await staging.dropFiles(result.keys);
        countCommitRetry(summary, 'commitAlreadyLoaded');
        continue;
      }
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
      summary.seconds.commit += seconds(started);
      return;
    } catch (err) {
      const error = err instanceof LakehouseError ? err : classify(err, 'commit');
      if (!error.retryable || attempt >= config.commitRetries) throw error;
      // The next try reads the lineage first: rows an unknown-outcome try left are this run's,
      // without a chunk marker, and are replaced rather than duplicated.
      countCommitRetry(summary, commitRetryKind(error));
      const waitMs = backoffMs(attempt);
      logger.warn(
        { kind: error.kind, attempt, backoffMs: Math.round(waitMs), error: error.message },
        'commit failed; retrying',
      );
      await new Promise((wake) => setTimeout(wake, waitMs));
    }
  }
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

function countCommitRetry(summary: RunSummary, kind: RetryKind): void {
  summary.retries[kind] += 1;
  summary.commitRetries += 1;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(b);
