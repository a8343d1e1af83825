import { stringList, timestamptzValue } from '../duckdbTypes.ts';
import { inTransaction } from '../inTransaction.ts';
import { IN_WINDOW, rangeParameters } from '../lakeLedger.ts';
import type { LakeSession } from '../lakeSession.ts';
import type { ChunkCommitRequest, ChunkTables } from './chunkTables.ts';
import type { ReplacedRows } from './commitMeasurements.ts';

/** Step 3: locations upserted (see upsertLocationsSql); returns how many stations were recomputed. */
export async function commitLocations(
  session: LakeSession,
  tables: ChunkTables,
  request: ChunkCommitRequest,
  data: {
    uncountedStations: readonly number[];
    countedReplaced: ReadonlyMap<number, ReplacedRows>;
  },
  exactForAll: boolean,
): Promise<number> {
  let recomputed = 0;
  await inTransaction(session, async (connection) => {
    // Stations whose staged files' rows in the table are no longer this chunk's: another run
    // loaded them again since step 1, so an increment from the staged rows could count them twice.
    // (Read apart from the MERGE: DuckDB 1.5.5 misreads the target's Parquet when the MERGE source
    // also scans measurements with these filters.)
    const overtaken = await connection.runAndReadAll(
      `SELECT DISTINCT location_id FROM ${tables.measurements}
       WHERE ${IN_WINDOW} AND source_key IN (SELECT source_key FROM ${tables.stagedFiles})
         AND NOT (run_id = $run_id AND ingested_at = $now)
       ${exactForAll ? `UNION SELECT DISTINCT location_id FROM ${tables.stagedRows}` : ''}`,
      {
        ...rangeParameters(request.range),
        run_id: request.runId,
        now: timestamptzValue(request.ingestedAt),
      },
    );
    const exact = new Set(data.uncountedStations);
    for (const [station] of overtaken.getRows() as [bigint][]) exact.add(Number(station));
    const replaced = new Map([...data.countedReplaced].filter(([station]) => !exact.has(station)));
    for (const station of await notSubtractable(session, tables, replaced)) {
      exact.add(station);
      replaced.delete(station);
    }
    recomputed = exact.size;
    await connection.run(upsertLocationsSql(tables, [...exact], replaced), {
      now: timestamptzValue(request.ingestedAt),
    });
    if (exact.size > 0) {
      // DuckDB's Iceberg MERGE takes a single UPDATE/DELETE action, so a station whose only file
      // was replaced by an empty one is removed here.
      await connection.run(`DELETE FROM ${tables.locations} WHERE measurement_count = 0`);
    }
  });
  return recomputed;
}

/**
 * The stations among `replaced` whose new locations row cannot be derived from their current row,
 * the staged rows and the replaced rows alone: the replaced rows held the station's first or last
 * reading (or its only rows of a parameter) and the staged rows do not reach as far. Those are
 * recomputed from measurements, the only lookup not bounded by the chunk's days; OpenAQ's patches
 * add readings to a day, so they are rare.
 */
async function notSubtractable(
  session: LakeSession,
  tables: ChunkTables,
  replaced: ReadonlyMap<number, ReplacedRows>,
): Promise<number[]> {
  if (replaced.size === 0) return [];
  const ids = idList([...replaced.keys()]);
  const current = await session.connection.runAndReadAll(
    `SELECT location_id, epoch_us(first_seen), epoch_us(last_seen), parameters
     FROM ${tables.locations} WHERE list_contains(${ids}, location_id)`,
  );
  const staged = await session.connection.runAndReadAll(
    `SELECT location_id, epoch_us(min(datetime)), epoch_us(max(datetime)), list(DISTINCT parameter)
     FROM ${tables.stagedRows} WHERE list_contains(${ids}, location_id) GROUP BY location_id`,
  );
  type Span = [bigint, bigint | null, bigint | null, unknown];
  const rowsOf = (rows: Span[]) =>
    new Map(rows.map(([id, first, last, extra]) => [Number(id), { first, last, extra }]));
  const t = rowsOf(current.getRows() as Span[]);
  const s = rowsOf(staged.getRows() as Span[]);
  const out: number[] = [];
  for (const [station, r] of replaced) {
    const row = t.get(station);
    const new_ = s.get(station);
    const stagedParameters = new Set(stringList(new_?.extra));
    const ok =
      row !== undefined &&
      new_ !== undefined &&
      row.first !== null &&
      row.last !== null &&
      new_.first !== null &&
      new_.last !== null &&
      (r.firstUs > row.first || new_.first <= row.first) &&
      (r.lastUs < row.last || new_.last >= row.last) &&
      r.parameters.every((p) => stagedParameters.has(p));
    if (!ok) out.push(station);
  }
  return out;
}

/** `[1, 2, 3]::BIGINT[]`: integer ids inlined (each one truncated to an integer first). */
const idList = (ids: readonly number[]): string =>
  `[${ids.map((id) => String(Math.trunc(id))).join(', ')}]::BIGINT[]`;

/**
 * Locations stay equal to an aggregate of measurements, maintained from the chunk alone: a
 * station's row gains the staged rows and loses the replaced rows it counted (their count; their
 * time span and parameters are covered by the staged rows, see notSubtractable). The exact
 * stations (those that lost rows no finished chunk counted, or to another run, or every station of
 * the chunk after a failed try) are recomputed from the table as committed.
 */
function upsertLocationsSql(
  tables: ChunkTables,
  exactStations: readonly number[],
  replaced: ReadonlyMap<number, ReplacedRows>,
): string {
  const replacedIds = idList([...replaced.keys()]);
  const replacedRows = `[${[...replaced.values()].map((r) => String(Math.trunc(r.rows))).join(', ')}]::BIGINT[]`;
  const aggregate = (from: string): string =>
    `SELECT location_id, count(*)::BIGINT AS n, min(datetime) AS first_seen, max(datetime) AS last_seen,
            arg_max(location, datetime) AS name, arg_max(lat, datetime) AS lat, arg_max(lon, datetime) AS lon,
            list_sort(list(DISTINCT parameter)) AS params
     FROM ${from} GROUP BY location_id`;
  const increments = `
      SELECT s.*, coalesce(r.replaced_n, 0) AS replaced_n, false AS exact
      FROM (${aggregate(`${tables.stagedRows}`)}) s
      LEFT JOIN (SELECT unnest(${replacedIds}) AS location_id, unnest(${replacedRows}) AS replaced_n) r
        USING (location_id)`;
  // Only when there are exact stations: the recompute reads measurements without a time bound, and
  // even a filter that matches nothing opens every data file of the table (seconds at 1 M files).
  // An IN list (not list_contains) lets the scan skip files by their location_id bounds.
  const inExact = `IN (${exactStations.map((id) => String(Math.trunc(id))).join(', ')})`;
  const source =
    exactStations.length === 0
      ? increments
      : `${increments}
      WHERE s.location_id NOT ${inExact}
      UNION ALL
      SELECT r.location_id, coalesce(a.n, 0) AS n, a.first_seen, a.last_seen, a.name, a.lat, a.lon, a.params,
             0 AS replaced_n, true AS exact
      FROM (SELECT unnest(${idList(exactStations)}) AS location_id) r
      LEFT JOIN (${aggregate(`(SELECT * FROM ${tables.measurements} WHERE location_id ${inExact})`)}) a USING (location_id)`;
  return `
    MERGE INTO ${tables.locations} AS t USING (${source}
    ) AS s ON t.location_id = s.location_id
    WHEN MATCHED THEN UPDATE SET
      name = CASE WHEN s.exact OR t.last_seen IS NULL OR s.last_seen >= t.last_seen THEN s.name ELSE t.name END,
      lat = CASE WHEN s.exact OR t.last_seen IS NULL OR s.last_seen >= t.last_seen THEN s.lat ELSE t.lat END,
      lon = CASE WHEN s.exact OR t.last_seen IS NULL OR s.last_seen >= t.last_seen THEN s.lon ELSE t.lon END,
      first_seen = CASE WHEN s.exact THEN s.first_seen ELSE least(t.first_seen, s.first_seen) END,
      last_seen = CASE WHEN s.exact THEN s.last_seen ELSE greatest(t.last_seen, s.last_seen) END,
      measurement_count = CASE WHEN s.exact THEN s.n ELSE t.measurement_count - s.replaced_n + s.n END,
      parameters = CASE WHEN s.exact THEN array_to_string(s.params, ',') ELSE array_to_string(list_sort(list_distinct(
        list_filter(string_split(coalesce(t.parameters, ''), ','), p -> p <> '') || s.params)), ',') END,
      updated_at = $now
    WHEN NOT MATCHED AND s.n > 0 THEN INSERT
      (location_id, name, lat, lon, first_seen, last_seen, measurement_count, parameters, updated_at)
      VALUES (s.location_id, s.name, s.lat, s.lon, s.first_seen, s.last_seen, s.n, array_to_string(s.params, ','), $now)`;
}
