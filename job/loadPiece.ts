import type { CommitPipeline } from './commitPipeline.ts';
import { commitStaged } from './commitStaged.ts';
import type { ListedPiece } from './listPieces.ts';
import { loadChunk } from './loadChunk.ts';
import { chunkFiles, planLoad } from './plan.ts';
import type { RunContext } from './runContext.ts';
import { secondsSince } from './secondsSince.ts';
import type { ListedFile } from './source/listWindow.ts';
import type { ParserPool } from './source/parserPool.ts';

/**
 * One piece: plan against the ledger, then fetch, stage and commit its chunks. Returns how many
 * files it planned to load (new or changed).
 */
export async function loadPiece(
  run: RunContext,
  listed: ListedPiece,
  load: PieceLoader | undefined,
): Promise<number> {
  const { work, chunks, where } = await planPiece(run, listed);
  run.progress.filesTotal += work.length;
  if (load === undefined) return work.length;
  await loadChunks(run, chunks, load);
  load.pipeline.afterCommits(() =>
    run.deps.logger.info({ ...where, files: work.length }, 'piece done'),
  );
  return work.length;
}

/** Lists' counts into the summary, then the piece planned against its ledger rows, in chunks. */
async function planPiece(
  { lake, config, summary, deps: { logger } }: RunContext,
  { piece, listing, seconds: listSeconds }: ListedPiece,
) {
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
  const loaded = await lake.readPieceLedger(config.namespace, piece, config.dryRun);
  const plan = planLoad(listing.files, loaded);
  const work = [...plan.newFiles, ...plan.changedFiles];
  const chunks = chunkFiles(work, config.commit);
  summary.seconds.plan += secondsSince(stageStart);
  summary.filesSkipped += plan.unchangedFiles.length;
  summary.filesNew += plan.newFiles.length;
  summary.filesChanged += plan.changedFiles.length;
  summary.bytesPlanned += work.reduce((sum, file) => sum + file.size, 0);
  summary.commitsPlanned += chunks.length;
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
  return { work, chunks, where };
}

/**
 * Each chunk is fetched, parsed and staged while the one before it (of this piece or the last)
 * commits; its own commit is started, not awaited: the pipeline's next user waits for it.
 */
async function loadChunks(
  run: RunContext,
  chunks: readonly (readonly ListedFile[])[],
  load: PieceLoader,
): Promise<void> {
  const { deps, summary, progress } = run;
  const { logger } = deps;
  for (const chunk of chunks) {
    const { staging, stop } = load.pipeline.nextStaging();
    await loadChunk(
      run,
      chunk,
      { staging, parser: load.parser },
      () => {
        progress.filesDone += 1;
        if (progress.filesDone % 50 === 0) logger.debug({ ...progress }, 'staging progress');
        deps.onProgress?.({
          stage: 'fetch',
          ...progress,
          rows: summary.rowsCommitted + staging.stagedRows,
        });
      },
      stop,
    );
    await load.pipeline.commit((filled) => commitStaged(run, filled, chunk));
  }
}

/** `2178` or `1000…2437 (120)`: a piece's stations in a log line. */
const describeStations = (stations: readonly number[]): string =>
  stations.length === 1
    ? String(stations[0])
    : `${stations[0]}…${stations.at(-1)} (${stations.length})`;

/** Where a piece's files go: parsed by the pool, staged and committed through the pipeline. */
export interface PieceLoader {
  readonly pipeline: CommitPipeline;
  readonly parser: ParserPool;
}
