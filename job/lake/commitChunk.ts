import { DuckDBTimestampTZValue } from '@duckdb/node-api';
import { LakehouseError, classify } from '../lakehouseError.ts';
import { LOCATIONS, MEASUREMENTS, REJECTS } from '../tables.ts';
import type { LakeSession } from './lakeSession.ts';
import { IN_WINDOW, rangeParameters, type WindowRange } from './lakeLedger.ts';
import { STAGING_ALIAS } from './stagingArea.ts';
import { qualifiedName } from './tableDdl.ts';

export interface ChunkCommitRequest {
  readonly namespace: string;
  readonly runId: string;
  readonly ingestedAt: Date;
  /** Bounds of the chunk's readings (see windowRange), for pruning. */
  readonly range: WindowRange;
}

export type ChunkCommitResult =
  | {
      readonly kind: 'committed';
      readonly rowsInserted: number;
      readonly rowsReplaced: number;
      readonly rowRejects: number;
      readonly fileRejects: number;
      /** The measurements table's snapshot after the commit. */
      readonly snapshotId: string;
    }
  /** Another run committed some of these files (same ETag) since they were planned: drop and retry. */
  | { readonly kind: 'already-loaded'; readonly keys: readonly string[] };

/**
 * Commits everything staged as ONE Iceberg transaction: the staged files' earlier rows and rejects
 * (a patched file's previous version) are deleted, the new rows and rejects inserted (sorted for
 * pruning) and the locations upserted. Reading the lineage first pins the snapshot the commit is
 * checked against, so a concurrent writer makes it fail with a conflict instead of duplicating.
 */
export async function commitChunk(
  session: LakeSession,
  request: ChunkCommitRequest,
): Promise<ChunkCommitResult> {
  const { connection, catalog } = session;
  const measurements = qualifiedName(catalog, request.namespace, MEASUREMENTS.name);
  const rejects = qualifiedName(catalog, request.namespace, REJECTS.name);
  const locations = qualifiedName(catalog, request.namespace, LOCATIONS.name);
  const stagedFiles = `${STAGING_ALIAS}.stage_files`;
  const range = rangeParameters(request.range);
  const now = timestampValue(request.ingestedAt);

  await connection.run('BEGIN TRANSACTION');
  try {
    const lineage = await connection.runAndReadAll(
      `WITH loaded AS (
         SELECT source_key, source_etag, location_id, count(*) AS n FROM ${measurements}
         WHERE ${IN_WINDOW} AND source_key IN (SELECT source_key FROM ${stagedFiles})
         GROUP BY ALL
         UNION ALL
         SELECT source_key, source_etag, NULL, 0 FROM ${rejects}
         WHERE source_key IN (SELECT source_key FROM ${stagedFiles}) GROUP BY ALL)
       SELECT l.source_key, l.source_etag = f.source_etag AS same_etag, l.location_id, l.n::BIGINT
       FROM loaded l JOIN ${stagedFiles} f USING (source_key)`,
      range,
    );
    const rows = lineage.getRows() as [string, boolean, bigint | null, bigint][];
    const alreadyLoaded = [...new Set(rows.filter(([, same]) => same).map(([key]) => key))];
    if (alreadyLoaded.length > 0) {
      await connection.run('ROLLBACK');
      return { kind: 'already-loaded', keys: alreadyLoaded };
    }
    const rowsReplaced = rows.reduce((sum, [, , , n]) => sum + Number(n), 0);
    const replacedStations = [
      ...new Set(rows.flatMap(([, , station]) => (station === null ? [] : [Number(station)]))),
    ];

    if (rows.length > 0) {
      await connection.run(
        `DELETE FROM ${measurements} WHERE ${IN_WINDOW} AND source_key IN (SELECT source_key FROM ${stagedFiles})`,
        range,
      );
      await connection.run(
        `DELETE FROM ${rejects} WHERE source_key IN (SELECT source_key FROM ${stagedFiles})`,
      );
    }
    const inserted = await connection.runAndReadAll(
      `INSERT INTO ${measurements}
       SELECT location_id, sensors_id, location, datetime, datetime_local::TIMESTAMP, utc_offset, lat, lon, parameter,
              units, value, value_flag, source_key, source_etag, source_line, $run_id, $now
       FROM ${STAGING_ALIAS}.stage_rows ORDER BY location_id, datetime, sensors_id`,
      { run_id: request.runId, now },
    );
    const rejectCounts = await connection.runAndReadAll(
      `SELECT count(*) FILTER (WHERE scope = 'row')::BIGINT, count(*) FILTER (WHERE scope = 'file')::BIGINT
       FROM ${STAGING_ALIAS}.stage_rejects`,
    );
    await connection.run(
      `INSERT INTO ${rejects}
       SELECT source_key, source_etag, line_number, scope, reason, raw_text, $run_id, $now FROM ${STAGING_ALIAS}.stage_rejects`,
      { run_id: request.runId, now },
    );
    await connection.run(upsertLocationsSql(locations, measurements, replacedStations), { now });
    if (replacedStations.length > 0) {
      // DuckDB's Iceberg MERGE takes a single UPDATE/DELETE action, so a station whose only file
      // was replaced by an empty one is removed here.
      await connection.run(`DELETE FROM ${locations} WHERE measurement_count = 0`);
    }
    await connection.run('COMMIT');
    const rowsInserted = Number(inserted.getRows()[0]?.[0] ?? 0);
    await assertCommitLanded(session, measurements, request, rowsInserted);
    const snapshot = await connection.runAndReadAll(
      `SELECT snapshot_id::VARCHAR FROM iceberg_snapshots(${measurements}) ORDER BY sequence_number DESC LIMIT 1`,
    );
    return {
      kind: 'committed',
      rowsInserted,
      rowsReplaced,
      rowRejects: Number(rejectCounts.getRows()[0]?.[0] ?? 0),
      fileRejects: Number(rejectCounts.getRows()[0]?.[1] ?? 0),
      snapshotId: String(snapshot.getRows()[0]?.[0] ?? ''),
    };
  } catch (err) {
    if (err instanceof LakehouseError) throw err;
    await connection.run('ROLLBACK').catch(() => undefined);
    throw classify(err, `commit ${request.namespace} (run ${request.runId})`);
  }
}

/**
 * A catalog can answer 200 and still drop a commit: Iceberg's own REST test server does when two
 * multi-table commits overlap. So the rows are counted back after every commit; a dropped commit
 * is retried like a conflict, after re-planning against what the table now holds.
 */
async function assertCommitLanded(
  session: LakeSession,
  measurements: string,
  request: ChunkCommitRequest,
  rowsInserted: number,
): Promise<void> {
  if (rowsInserted === 0) return;
  const counted = await session.connection.runAndReadAll(
    `SELECT count(*)::BIGINT FROM ${measurements}
     WHERE ${IN_WINDOW} AND run_id = $run_id AND ingested_at = $ingested_at`,
    {
      ...rangeParameters(request.range),
      run_id: request.runId,
      ingested_at: timestampValue(request.ingestedAt),
    },
  );
  const landed = Number(counted.getRows()[0]?.[0] ?? 0);
  if (landed === rowsInserted) return;
  if (landed === 0) {
    throw new LakehouseError(
      'commit-conflict',
      `lake: the catalog accepted the commit of run ${request.runId} to ${request.namespace} ` +
        `but the table does not hold its ${rowsInserted} rows (a concurrent commit replaced it); ` +
        'it is re-planned and retried',
    );
  }
  throw new LakehouseError(
    'unsupported',
    `lake: after the commit of run ${request.runId}, ${measurements} holds ${landed} of its ` +
      `${rowsInserted} rows: the catalog did not apply the commit atomically. Stop concurrent ` +
      'runs and re-run this window: lineage replaces the files it names.',
  );
}

const timestampValue = (at: Date): DuckDBTimestampTZValue =>
  new DuckDBTimestampTZValue(BigInt(at.getTime()) * 1000n);

/**
 * Locations stay equal to an aggregate of measurements. Stations that only gained rows are updated
 * incrementally from the staged rows (no scan of the table); stations that lost rows to a
 * replaced file are recomputed from the table as it stands inside this transaction.
 */
function upsertLocationsSql(
  locations: string,
  measurements: string,
  replacedStations: readonly number[],
): string {
  const replaced = `[${replacedStations.map((id) => String(Math.trunc(id))).join(', ')}]::BIGINT[]`;
  const aggregate = (from: string): string =>
    `SELECT location_id, count(*)::BIGINT AS n, min(datetime) AS first_seen, max(datetime) AS last_seen,
            arg_max(location, datetime) AS name, arg_max(lat, datetime) AS lat, arg_max(lon, datetime) AS lon,
            list_sort(list(DISTINCT parameter)) AS params
     FROM ${from} GROUP BY location_id`;
  return `
    MERGE INTO ${locations} AS t USING (
      SELECT *, false AS exact FROM (${aggregate(`${STAGING_ALIAS}.stage_rows`)}) WHERE NOT list_contains(${replaced}, location_id)
      UNION ALL
      SELECT r.location_id, coalesce(a.n, 0) AS n, a.first_seen, a.last_seen, a.name, a.lat, a.lon, a.params, true AS exact
      FROM (SELECT unnest(${replaced}) AS location_id) r
      LEFT JOIN (${aggregate(`(SELECT * FROM ${measurements} WHERE list_contains(${replaced}, location_id))`)}) a USING (location_id)
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
