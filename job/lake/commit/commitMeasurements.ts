import { classify } from '../../lakehouseError.ts';
import { DroppedCommitError } from '../commitRetryKind.ts';
import { stringList, timestamptzValue } from '../duckdbTypes.ts';
import { IN_WINDOW, rangeParameters } from '../lakeLedger.ts';
import { inTransaction } from '../inTransaction.ts';
import type { LakeSession } from '../lakeSession.ts';
import { dayParameters, type ChunkCommitRequest, type ChunkTables } from './chunkTables.ts';

export type DataCommit =
  | { readonly kind: 'already-loaded'; readonly keys: readonly string[] }
  | {
      readonly kind: 'data-committed';
      readonly rowsInserted: number;
      readonly rowsReplaced: number;
      readonly rowsLeftover: number;
      /** Stations that lost rows no finished chunk counted (a crash's leftovers): recomputed. */
      readonly uncountedStations: readonly number[];
      /** Per station, the replaced rows that locations counted (their chunk finished). */
      readonly countedReplaced: ReadonlyMap<number, ReplacedRows>;
      /** Whether the staged files had rejects before (to be replaced even if none are staged). */
      readonly hadRejects: boolean;
      readonly snapshotId: string;
    };

/** Step 1: the measurements of the chunk, checked against the lineage in the same commit. */
export async function commitMeasurements(
  session: LakeSession,
  tables: ChunkTables,
  request: ChunkCommitRequest,
): Promise<DataCommit> {
  let written: Awaited<ReturnType<typeof writeMeasurements>>;
  try {
    written = await inTransaction(
      session,
      () => writeMeasurements(session, tables, request),
      (result) => result.kind === 'written',
    );
  } catch (err) {
    // A failed COMMIT is the catalog's answer to the commit: a conflict or an unknown outcome.
    throw classify(err, `commit ${tables.measurements} (run ${request.runId})`);
  }
  if (written.kind === 'already-loaded') return written;
  const { rowsInserted, lineage } = written;
  await assertRowsLanded(session, tables.measurements, request, rowsInserted);
  return {
    kind: 'data-committed',
    rowsInserted,
    // Rows a finished chunk counted (its ledger row names them) are a patched file's; the rest were
    // left by an unfinished one. This run's own, from an earlier try of unknown outcome, are neither.
    rowsReplaced: lineage
      .filter((row) => row.runId !== request.runId && row.counted)
      .reduce((sum, row) => sum + row.rows, 0),
    rowsLeftover: lineage
      .filter((row) => row.runId !== request.runId && !row.counted)
      .reduce((sum, row) => sum + row.rows, 0),
    uncountedStations: [
      ...new Set(
        lineage.flatMap((row) => (row.stationId === null || row.counted ? [] : [row.stationId])),
      ),
    ],
    countedReplaced: countedByStation(lineage),
    hadRejects: lineage.some((row) => row.stationId === null),
    snapshotId: await latestSnapshot(session, tables.measurements),
  };
}

/**
 * The transaction of step 1: nothing is written when another run has loaded some of the files
 * meanwhile (this version, or a newer one by LastModified, whose rows must stay whatever order the
 * runs commit in).
 */
async function writeMeasurements(
  session: LakeSession,
  tables: ChunkTables,
  request: ChunkCommitRequest,
): Promise<
  | { readonly kind: 'already-loaded'; readonly keys: readonly string[] }
  | { readonly kind: 'written'; readonly rowsInserted: number; readonly lineage: LineageRow[] }
> {
  const { connection } = session;
  const ledger = await connection.runAndReadAll(
    `SELECT s.source_key FROM ${tables.stagedFiles} s JOIN ${tables.files} f USING (source_key)
     WHERE f.archive_day BETWEEN $from_day AND $to_day
       AND (f.source_etag = s.source_etag OR f.source_last_modified > s.source_last_modified)`,
    dayParameters(request),
  );
  const alreadyLoaded = (ledger.getRows() as [string][]).map(([key]) => key);
  if (alreadyLoaded.length > 0) return { kind: 'already-loaded', keys: alreadyLoaded };
  const lineage = await readChunkLineage(session, tables, request);
  const replacesRows = lineage.some((row) => row.stationId !== null);
  // Rows of a newer version whose chunk has not finished yet (no ledger row so far).
  const newer = replacesRows ? await newerVersionsHeld(session, tables, request) : [];
  if (newer.length > 0) return { kind: 'already-loaded', keys: newer };
  if (replacesRows) {
    await connection.run(
      `DELETE FROM ${tables.measurements}
       WHERE ${IN_WINDOW} AND source_key IN (SELECT source_key FROM ${tables.stagedFiles})`,
      rangeParameters(request.range),
    );
  }
  const inserted = await connection.runAndReadAll(
    `INSERT INTO ${tables.measurements}
     SELECT r.location_id, r.sensors_id, r.location, r.datetime, r.datetime_local::TIMESTAMP, r.utc_offset,
            r.lat, r.lon, r.parameter, r.units, r.value, r.value_flag, r.source_key, r.source_etag,
            r.source_line, $run_id, $now, f.source_last_modified
     FROM ${tables.stagedRows} r JOIN ${tables.stagedFiles} f USING (source_key, source_etag)`,
    { run_id: request.runId, now: timestamptzValue(request.ingestedAt) },
  );
  return { kind: 'written', rowsInserted: Number(inserted.getRows()[0]?.[0] ?? 0), lineage };
}

/** Rows of a station that a chunk replaces: how many, their time span and parameters. */
export interface ReplacedRows {
  readonly rows: number;
  /** Epoch microseconds of the earliest and latest reading. */
  readonly firstUs: bigint;
  readonly lastUs: bigint;
  readonly parameters: readonly string[];
}

interface LineageRow extends Partial<ReplacedRows> {
  /** Null for a reject. */
  readonly stationId: number | null;
  readonly runId: string;
  readonly rows: number;
  /** Whether the rows' chunk finished (its ledger row names them), so locations counted them. */
  readonly counted: boolean;
}

/**
 * What the tables hold for the staged files' keys, per station, loading run and whether a finished
 * chunk counted them: an earlier version of a patched file, or what a crash left of an unfinished
 * chunk. All of it is replaced. Every read is bounded by the chunk's days.
 */
async function readChunkLineage(
  session: LakeSession,
  tables: ChunkTables,
  request: ChunkCommitRequest,
): Promise<LineageRow[]> {
  const reader = await session.connection.runAndReadAll(
    `WITH replaced AS (
       SELECT location_id, run_id, ingested_at, source_key, count(*)::BIGINT AS n,
              epoch_us(min(datetime)) AS first_us, epoch_us(max(datetime)) AS last_us,
              list(DISTINCT parameter) AS params
       FROM ${tables.measurements}
       WHERE ${IN_WINDOW} AND source_key IN (SELECT source_key FROM ${tables.stagedFiles})
       GROUP BY ALL),
     ledger AS (
       SELECT source_key, run_id, committed_at FROM ${tables.files}
       WHERE archive_day BETWEEN $from_day AND $to_day
         AND source_key IN (SELECT source_key FROM ${tables.stagedFiles}))
     SELECT r.location_id, r.run_id, l.source_key IS NOT NULL AS counted, sum(r.n)::BIGINT,
            min(r.first_us), max(r.last_us), list_distinct(flatten(list(r.params)))
     FROM replaced r LEFT JOIN ledger l
       ON l.source_key = r.source_key AND l.run_id = r.run_id AND l.committed_at = r.ingested_at
     GROUP BY ALL
     UNION ALL
     SELECT DISTINCT NULL::BIGINT, run_id, true, 0::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::VARCHAR[]
     FROM ${tables.rejects}
     WHERE archive_day BETWEEN $from_day AND $to_day
       AND source_key IN (SELECT source_key FROM ${tables.stagedFiles})`,
    { ...rangeParameters(request.range), ...dayParameters(request) },
  );
  type Row = [bigint | null, string, boolean, bigint, bigint | null, bigint | null, unknown];
  return (reader.getRows() as Row[]).map(
    ([station, runId, counted, rows, firstUs, lastUs, parameters]) => ({
      stationId: station === null ? null : Number(station),
      runId,
      counted,
      rows: Number(rows),
      ...(station === null || firstUs === null || lastUs === null
        ? {}
        : { firstUs, lastUs, parameters: stringList(parameters) }),
    }),
  );
}

/** The counted replaced rows of each station, summed over the runs that loaded them. */
function countedByStation(lineage: readonly LineageRow[]): Map<number, ReplacedRows> {
  const byStation = new Map<number, ReplacedRows>();
  for (const row of lineage) {
    if (row.stationId === null || !row.counted || row.firstUs === undefined) continue;
    const before = byStation.get(row.stationId);
    const parameters = row.parameters ?? [];
    byStation.set(
      row.stationId,
      before === undefined
        ? { rows: row.rows, firstUs: row.firstUs, lastUs: row.lastUs!, parameters }
        : {
            rows: before.rows + row.rows,
            firstUs: row.firstUs < before.firstUs ? row.firstUs : before.firstUs,
            lastUs: row.lastUs! > before.lastUs ? row.lastUs! : before.lastUs,
            parameters: [...new Set([...before.parameters, ...parameters])],
          },
    );
  }
  return byStation;
}

/**
 * A catalog can answer 200 and still drop a commit: Iceberg's own REST test server does when two
 * commits overlap. So the rows are counted back after the data commit (by run and commit time,
 * which data-file statistics prune on, whatever the readings' dates); a dropped commit is retried
 * like a conflict, after re-planning against what the table now holds. Fewer rows than inserted,
 * but some, means the commit landed and another run has since replaced some of these files: that
 * is normal, and the later steps recompute those stations exactly.
 */
async function assertRowsLanded(
  session: LakeSession,
  measurements: string,
  request: ChunkCommitRequest,
  rowsInserted: number,
): Promise<void> {
  if (rowsInserted === 0) return;
  const counted = await session.connection.runAndReadAll(
    `SELECT count(*)::BIGINT FROM ${measurements} WHERE run_id = $run_id AND ingested_at = $ingested_at`,
    { run_id: request.runId, ingested_at: timestamptzValue(request.ingestedAt) },
  );
  const landed = Number(counted.getRows()[0]?.[0] ?? 0);
  if (landed > 0) return;
  throw new DroppedCommitError(
    `lake: the catalog accepted the commit of run ${request.runId} to ${measurements} ` +
      `but the table does not hold its ${rowsInserted} rows (a concurrent commit replaced it); ` +
      'it is re-planned and retried',
  );
}

/**
 * Staged keys whose rows in measurements are of a newer version (by LastModified) than the staged
 * one: another run loaded it and has not finished its chunk yet.
 */
async function newerVersionsHeld(
  session: LakeSession,
  tables: ChunkTables,
  request: ChunkCommitRequest,
): Promise<string[]> {
  const reader = await session.connection.runAndReadAll(
    `SELECT DISTINCT m.source_key FROM ${tables.measurements} m JOIN ${tables.stagedFiles} s USING (source_key)
     WHERE ${IN_WINDOW} AND m.source_last_modified > s.source_last_modified`,
    rangeParameters(request.range),
  );
  return (reader.getRows() as [string][]).map(([key]) => key);
}

async function latestSnapshot(session: LakeSession, table: string): Promise<string> {
  const snapshot = await session.connection.runAndReadAll(
    `SELECT snapshot_id::VARCHAR FROM iceberg_snapshots(${table}) ORDER BY sequence_number DESC LIMIT 1`,
  );
  return String(snapshot.getRows()[0]?.[0] ?? '');
}
