import type { DuckDBTimestampTZValue } from '@duckdb/node-api';
import { classify } from '../lakehouseError.ts';
import type { OnRetry } from '../model/retryCounts.ts';
import { DroppedCommitError, commitRetryKind } from './commitRetryKind.ts';
import { FILES, LOCATIONS, MEASUREMENTS, REJECTS } from '../tables.ts';
import type { LakeSession } from './lakeSession.ts';
import { IN_WINDOW, rangeParameters, type WindowRange } from './lakeLedger.ts';
import { retryRetryable } from './retryRetryable.ts';
import { STAGING_ALIAS } from './stagingArea.ts';
import { timestamptzValue } from './duckdbTypes.ts';
import { qualifiedName } from './tableDdl.ts';

export interface ChunkCommitRequest {
  readonly namespace: string;
  readonly runId: string;
  /** The chunk's ingested_at (measurements), rejected_at (rejects) and committed_at (files). */
  readonly ingestedAt: Date;
  /** Bounds of the chunk's readings (see windowRange), for pruning. */
  readonly range: WindowRange;
  /** Told of each retry of the steps after the data commit. */
  readonly onRetry: OnRetry;
}

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
    }
  /** Another run committed some of these files (same ETag) since they were planned: drop and retry. */
  | { readonly kind: 'already-loaded'; readonly keys: readonly string[] };

/** Retries of the steps after the data commit; they cannot meet files another run loaded. */
const STEP_RETRIES = 6;

/**
 * Commits everything staged, as one Iceberg commit per table, in this order:
 * 1. measurements: the staged files' earlier rows deleted, the new rows inserted sorted for
 *    pruning. Reading the lineage first pins the snapshot the commit is checked against, so a
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
  const tables = chunkTables(session, request.namespace);
  const data = await commitMeasurements(session, tables, request);
  if (data.kind === 'already-loaded') return data;
  onStep('measurements');
  let commits = 1;

  const rejects = await readStagedRejects(session);
  if (data.hadRejects || rejects.rows + rejects.files > 0) {
    await retryStep(request, 'rejects', () => commitRejects(session, tables, request));
    commits += 1;
    onStep('rejects');
  }

  // After a failed try (its outcome may be unknown) every station of the chunk is recomputed.
  let exactForAll = false;
  await retryStep(request, 'locations', async () => {
    try {
      await commitLocations(session, tables, request, data.replacedStations, exactForAll);
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
  };
}

interface ChunkTables {
  readonly measurements: string;
  readonly rejects: string;
  readonly locations: string;
  readonly files: string;
}

const chunkTables = (session: LakeSession, namespace: string): ChunkTables => ({
  measurements: qualifiedName(session.catalog, namespace, MEASUREMENTS.name),
  rejects: qualifiedName(session.catalog, namespace, REJECTS.name),
  locations: qualifiedName(session.catalog, namespace, LOCATIONS.name),
  files: qualifiedName(session.catalog, namespace, FILES.name),
});

const STAGED_FILES = `${STAGING_ALIAS}.stage_files`;

type DataCommit =
  | { readonly kind: 'already-loaded'; readonly keys: readonly string[] }
  | {
      readonly kind: 'data-committed';
      readonly rowsInserted: number;
      readonly rowsReplaced: number;
      readonly rowsLeftover: number;
      readonly replacedStations: readonly number[];
      /** Whether the staged files had rejects before (to be replaced even if none are staged). */
      readonly hadRejects: boolean;
      readonly snapshotId: string;
    };

/** Step 1: the measurements of the chunk, checked against the lineage in the same commit. */
async function commitMeasurements(
  session: LakeSession,
  tables: ChunkTables,
  request: ChunkCommitRequest,
): Promise<DataCommit> {
  const { connection } = session;
  const range = rangeParameters(request.range);
  let rowsInserted: number;
  let lineage: LineageRow[];
  await connection.run('BEGIN TRANSACTION');
  try {
    const ledger = await connection.runAndReadAll(
      `SELECT source_key FROM ${tables.files} JOIN ${STAGED_FILES} USING (source_key, source_etag)`,
    );
    const alreadyLoaded = (ledger.getRows() as [string][]).map(([key]) => key);
    if (alreadyLoaded.length > 0) {
      await connection.run('ROLLBACK');
      return { kind: 'already-loaded', keys: alreadyLoaded };
    }
    lineage = await readChunkLineage(session, tables, request);
    if (lineage.some((row) => row.stationId !== null)) {
      await connection.run(
        `DELETE FROM ${tables.measurements}
         WHERE ${IN_WINDOW} AND source_key IN (SELECT source_key FROM ${STAGED_FILES})`,
        range,
      );
    }
    const inserted = await connection.runAndReadAll(
      `INSERT INTO ${tables.measurements}
       SELECT location_id, sensors_id, location, datetime, datetime_local::TIMESTAMP, utc_offset, lat, lon, parameter,
              units, value, value_flag, source_key, source_etag, source_line, $run_id, $now
       FROM ${STAGING_ALIAS}.stage_rows ORDER BY location_id, datetime, sensors_id`,
      { run_id: request.runId, now: timestamptzValue(request.ingestedAt) },
    );
    rowsInserted = Number(inserted.getRows()[0]?.[0] ?? 0);
    await connection.run('COMMIT');
  } catch (err) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw classify(err, `commit ${tables.measurements} (run ${request.runId})`);
  }
  await assertRowsLanded(session, tables.measurements, request, rowsInserted);
  return {
    kind: 'data-committed',
    rowsInserted,
    // Rows of a finished load (a ledger row exists) are a patched file's; the rest were left by
    // an unfinished one. This run's own, from an earlier try of unknown outcome, are neither.
    rowsReplaced: lineage
      .filter((row) => row.runId !== request.runId && row.finished)
      .reduce((sum, row) => sum + row.rows, 0),
    rowsLeftover: lineage
      .filter((row) => row.runId !== request.runId && !row.finished)
      .reduce((sum, row) => sum + row.rows, 0),
    replacedStations: [
      ...new Set(lineage.flatMap((row) => (row.stationId === null ? [] : [row.stationId]))),
    ],
    hadRejects: lineage.some((row) => row.stationId === null),
    snapshotId: await latestSnapshot(session, tables.measurements),
  };
}

interface LineageRow {
  /** Null for a reject. */
  readonly stationId: number | null;
  readonly runId: string;
  /** Whether the files ledger holds the key: the rows are a finished load's. */
  readonly finished: boolean;
  readonly rows: number;
}

/**
 * What the tables hold for the staged files' keys, per station and loading run: an earlier
 * version of a patched file, or what a crash left of an unfinished chunk. All of it is replaced.
 */
async function readChunkLineage(
  session: LakeSession,
  tables: ChunkTables,
  request: ChunkCommitRequest,
): Promise<LineageRow[]> {
  const reader = await session.connection.runAndReadAll(
    `SELECT location_id, run_id, source_key IN (SELECT source_key FROM ${tables.files}), count(*)::BIGINT
     FROM ${tables.measurements}
     WHERE ${IN_WINDOW} AND source_key IN (SELECT source_key FROM ${STAGED_FILES})
     GROUP BY ALL
     UNION ALL
     SELECT DISTINCT NULL, run_id, true, 0 FROM ${tables.rejects}
     WHERE source_key IN (SELECT source_key FROM ${STAGED_FILES})`,
    rangeParameters(request.range),
  );
  return (reader.getRows() as [bigint | null, string, boolean, bigint][]).map(
    ([station, runId, finished, rows]) => ({
      stationId: station === null ? null : Number(station),
      runId,
      finished,
      rows: Number(rows),
    }),
  );
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

/** Step 2: the files' earlier rejects replaced by the staged ones. */
async function commitRejects(
  session: LakeSession,
  tables: ChunkTables,
  request: ChunkCommitRequest,
): Promise<void> {
  await replaceStagedKeys(
    session,
    tables.rejects,
    `SELECT source_key, source_etag, line_number, scope, reason, raw_text, $run_id, $now
     FROM ${STAGING_ALIAS}.stage_rejects`,
    { run_id: request.runId, now: timestamptzValue(request.ingestedAt) },
  );
}

/** Replaces a table's rows of the staged files' keys with `select`: idempotent, so retried. */
async function replaceStagedKeys(
  session: LakeSession,
  table: string,
  select: string,
  parameters: Record<string, string | DuckDBTimestampTZValue>,
): Promise<void> {
  await inTransaction(session, async (connection) => {
    await connection.run(
      `DELETE FROM ${table} WHERE source_key IN (SELECT source_key FROM ${STAGED_FILES})`,
    );
    await connection.run(`INSERT INTO ${table} ${select}`, parameters);
  });
}

async function readStagedRejects(session: LakeSession): Promise<{ rows: number; files: number }> {
  const counts = await session.connection.runAndReadAll(
    `SELECT count(*) FILTER (WHERE scope = 'row')::BIGINT, count(*) FILTER (WHERE scope = 'file')::BIGINT
     FROM ${STAGING_ALIAS}.stage_rejects`,
  );
  const [rows, files] = (counts.getRows()[0] ?? [0n, 0n]) as [bigint, bigint];
  return { rows: Number(rows), files: Number(files) };
}

/** Step 3: locations upserted; see upsertLocationsSql. */
async function commitLocations(
  session: LakeSession,
  tables: ChunkTables,
  request: ChunkCommitRequest,
  replacedStations: readonly number[],
  exactForAll: boolean,
): Promise<void> {
  await inTransaction(session, async (connection) => {
    // Stations whose staged files' rows in the table are no longer this chunk's: another run
    // loaded them again since step 1, so an increment from the staged rows could count them twice.
    // (Read apart from the MERGE: DuckDB 1.5.5 misreads the target's Parquet when the MERGE source
    // also scans measurements with these filters.)
    const overtaken = await connection.runAndReadAll(
      `SELECT DISTINCT location_id FROM ${tables.measurements}
       WHERE ${IN_WINDOW} AND source_key IN (SELECT source_key FROM ${STAGED_FILES})
         AND NOT (run_id = $run_id AND ingested_at = $now)
       ${exactForAll ? `UNION SELECT DISTINCT location_id FROM ${STAGING_ALIAS}.stage_rows` : ''}`,
      {
        ...rangeParameters(request.range),
        run_id: request.runId,
        now: timestamptzValue(request.ingestedAt),
      },
    );
    const exact = new Set(replacedStations);
    for (const [station] of overtaken.getRows() as [bigint][]) exact.add(Number(station));
    await connection.run(upsertLocationsSql(tables, [...exact]), {
      now: timestamptzValue(request.ingestedAt),
    });
    if (exact.size > 0) {
      // DuckDB's Iceberg MERGE takes a single UPDATE/DELETE action, so a station whose only file
      // was replaced by an empty one is removed here.
      await connection.run(`DELETE FROM ${tables.locations} WHERE measurement_count = 0`);
    }
  });
}

/**
 * Locations stay equal to an aggregate of measurements. Stations that only gained rows are updated
 * incrementally from the staged rows; the exact stations (those that lost rows to a replaced file
 * or to another run, or every station of the chunk after a failed try) are recomputed from the
 * table as committed.
 */
function upsertLocationsSql(tables: ChunkTables, exactStations: readonly number[]): string {
  const exact = `[${exactStations.map((id) => String(Math.trunc(id))).join(', ')}]::BIGINT[]`;
  const aggregate = (from: string): string =>
    `SELECT location_id, count(*)::BIGINT AS n, min(datetime) AS first_seen, max(datetime) AS last_seen,
            arg_max(location, datetime) AS name, arg_max(lat, datetime) AS lat, arg_max(lon, datetime) AS lon,
            list_sort(list(DISTINCT parameter)) AS params
     FROM ${from} GROUP BY location_id`;
  return `
    MERGE INTO ${tables.locations} AS t USING (
      SELECT *, false AS exact FROM (${aggregate(`${STAGING_ALIAS}.stage_rows`)}) WHERE NOT list_contains(${exact}, location_id)
      UNION ALL
      SELECT r.location_id, coalesce(a.n, 0) AS n, a.first_seen, a.last_seen, a.name, a.lat, a.lon, a.params, true AS exact
      FROM (SELECT unnest(${exact}) AS location_id) r
      LEFT JOIN (${aggregate(`(SELECT * FROM ${tables.measurements} WHERE list_contains(${exact}, location_id))`)}) a USING (location_id)
    ) AS s ON t.location_id = s.location_id
    WHEN MATCHED THEN UPDATE SET
      name = CASE WHEN s.exact OR t.last_seen IS NULL OR s.last_seen >= t.last_seen THEN s.name ELSE t.name END,
      lat = CASE WHEN s.exact OR t.last_seen IS NULL OR s.last_seen >= t.last_seen THEN s.lat ELSE t.lat END,
      lon = CASE WHEN s.exact OR t.last_seen IS NULL OR s.last_seen >= t.last_seen THEN s.lon ELSE t.lon END,
      first_seen = CASE WHEN s.exact THEN s.first_seen ELSE least(t.first_seen, s.first_seen) END,
      last_seen = CASE WHEN s.exact THEN s.last_seen ELSE greatest(t.last_seen, s.last_seen) END,
      measurement_count = CASE WHEN s.exact THEN s.n ELSE t.measurement_count + s.n END,
      parameters = CASE WHEN s.exact THEN array_to_string(s.params, ',') ELSE array_to_string(list_sort(list_distinct(
        list_filter(string_split(coalesce(t.parameters, ''), ','), p -> p <> '') || s.params)), ',') END,
      updated_at = $now
    WHEN NOT MATCHED AND s.n > 0 THEN INSERT
      (location_id, name, lat, lon, first_seen, last_seen, measurement_count, parameters, updated_at)
      VALUES (s.location_id, s.name, s.lat, s.lon, s.first_seen, s.last_seen, s.n, array_to_string(s.params, ','), $now)`;
}

/** Step 4: the staged files' rows in the ledger, replacing any earlier ones. */
async function commitLedger(
  session: LakeSession,
  tables: ChunkTables,
  request: ChunkCommitRequest,
): Promise<void> {
  await replaceStagedKeys(
    session,
    tables.files,
    `SELECT f.source_key, f.source_etag, -- the key ends in YYYYMMDD.csv.gz (checked when listed)
            strptime(substr(f.source_key, length(f.source_key) - 14, 8), '%Y%m%d')::DATE,
            f.location_id, f.outcome, coalesce(r.n, 0), $run_id, $now
     FROM ${STAGED_FILES} f
     LEFT JOIN (SELECT source_key, count(*)::BIGINT AS n FROM ${STAGING_ALIAS}.stage_rows GROUP BY ALL) r
     USING (source_key)`,
    { run_id: request.runId, now: timestamptzValue(request.ingestedAt) },
  );
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

async function inTransaction(
  session: LakeSession,
  work: (connection: LakeSession['connection']) => Promise<void>,
): Promise<void> {
  await session.connection.run('BEGIN TRANSACTION');
  try {
    await work(session.connection);
    await session.connection.run('COMMIT');
  } catch (err) {
    await session.connection.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

async function latestSnapshot(session: LakeSession, table: string): Promise<string> {
  const snapshot = await session.connection.runAndReadAll(
    `SELECT snapshot_id::VARCHAR FROM iceberg_snapshots(${table}) ORDER BY sequence_number DESC LIMIT 1`,
  );
  return String(snapshot.getRows()[0]?.[0] ?? '');
}
