import { classify } from '../lakehouseError.ts';
import { chunkTables, type ChunkCommitRequest } from './commit/chunkTables.ts';
import { commitLedger } from './commit/commitLedger.ts';
import { commitLocations } from './commit/commitLocations.ts';
import { commitMeasurements } from './commit/commitMeasurements.ts';
import { commitRejects, readStagedRejects } from './commit/commitRejects.ts';
import { commitRetryKind } from './commitRetryKind.ts';
import type { LakeSession } from './lakeSession.ts';
import { retryRetryable } from './retryRetryable.ts';

export type ChunkCommitResult =
  | {
      readonly kind: 'committed';
      readonly rowsInserted: number;
      readonly rowsReplaced: number;
      /** Rows an unfinished earlier load of these files left (no ledger row), replaced. */
      readonly rowsLeftover: number;
      readonly rowRejects: number;
      readonly fileRejects: number;
      /** The measurements table's snapshot after the chunk's data commit. */
      readonly snapshotId: string;
      /** Iceberg commits made: one per table written. */
      readonly commits: number;
      /** Stations whose locations row was recomputed from measurements (see commitLocations). */
      readonly stationsRecomputed: number;
    }
  /** Another run committed some of these files (same ETag) since they were planned: drop and retry. */
  | { readonly kind: 'already-loaded'; readonly keys: readonly string[] };

/** Retries of the steps after the data commit; they cannot meet files another run loaded. */
const STEP_RETRIES = 6;

/**
 * Commits everything staged, as one Iceberg commit per table, in this order:
 * 1. measurements: the staged files' earlier rows deleted, the new rows inserted in staging order
 *    (station by station: see chunkFiles). Reading the lineage first pins the snapshot the commit is checked against, so a
 *    concurrent writer makes it fail with a conflict instead of duplicating;
 * 2. rejects: the files' earlier rejects replaced by the new ones;
 * 3. locations upserted;
 * 4. the files ledger: the chunk's files, last.
 * One commit per table because Amazon S3 Tables has no multi-table transaction (DuckDB sends one
 * request per table), so a crash can stop between any two tables anyway. Until step 4 lands the
 * chunk's lineage does not count: the next run loads those files again and replaces whatever the
 * earlier steps left, and the locations of their stations are recomputed exactly.
 */
export async function commitChunk(
  session: LakeSession,
  request: ChunkCommitRequest,
  onStep: (step: string) => void = () => undefined,
): Promise<ChunkCommitResult> {
  const tables = chunkTables(session, request);
  const data = await commitMeasurements(session, tables, request);
  if (data.kind === 'already-loaded') return data;
  onStep('measurements');
  let commits = 1;

  const rejects = await readStagedRejects(session, tables);
  if (data.hadRejects || rejects.rows + rejects.files > 0) {
    await retryStep(request, 'rejects', () => commitRejects(session, tables, request));
    commits += 1;
    onStep('rejects');
  }

  // After a failed try (its outcome may be unknown) every station of the chunk is recomputed.
  let exactForAll = false;
  let stationsRecomputed = 0;
  await retryStep(request, 'locations', async () => {
    try {
      stationsRecomputed = await commitLocations(session, tables, request, data, exactForAll);
    } finally {
      exactForAll = true;
    }
  });
  commits += 1;
  onStep('locations');

  await retryStep(request, 'the files ledger', () => commitLedger(session, tables, request));
  commits += 1;
  onStep('files');
  return {
    kind: 'committed',
    rowsInserted: data.rowsInserted,
    rowsReplaced: data.rowsReplaced,
    rowsLeftover: data.rowsLeftover,
    rowRejects: rejects.rows,
    fileRejects: rejects.files,
    snapshotId: data.snapshotId,
    commits,
    stationsRecomputed,
  };
}

async function retryStep(
  request: ChunkCommitRequest,
  what: string,
  step: () => Promise<void>,
): Promise<void> {
  await retryRetryable(
    STEP_RETRIES,
    async () => {
      try {
        await step();
      } catch (err) {
        throw classify(err, `commit ${what} of ${request.namespace} (run ${request.runId})`);
      }
    },
    (error) => {
      request.onRetry(commitRetryKind(error));
      return Promise.resolve(false);
    },
  );
}
