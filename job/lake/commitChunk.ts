import {
  listValue,
  quotedIdentifier,
  type DuckDBTimestampTZValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import { classify } from '../lakehouseError.ts';
import type { OnRetry } from '../model/retryCounts.ts';
import { DroppedCommitError, commitRetryKind } from './commitRetryKind.ts';
import { FILES, LOCATIONS, MEASUREMENTS, REJECTS } from '../tables.ts';
import type { LakeSession } from './lakeSession.ts';
import { IN_WINDOW, rangeParameters, type WindowRange } from './lakeLedger.ts';
import { retryRetryable } from './retryRetryable.ts';
import { dateValue, timestamptzValue } from './duckdbTypes.ts';
import { keyDaySql } from './keyDaySql.ts';
import type { ArchiveDay } from '../model/archiveDay.ts';
import { qualifiedName } from './tableDdl.ts';

export interface ChunkCommitRequest {
  readonly namespace: string;
  /** The alias the chunk's StagingArea is attached as. */
  readonly staging: string;
  readonly runId: string;
  /** The chunk's ingested_at (measurements), rejected_at (rejects) and committed_at (files). */
  readonly ingestedAt: Date;
  /** Bounds of the chunk's readings (see windowRange), for pruning. */
  readonly range: WindowRange;
  /** Told of each retry of the steps after the data commit. */
  readonly onRetry: OnRetry;
  /** The chunk's first and last archive day: bounds every lookup in the ledger and rejects. */
  readonly days: { readonly from: ArchiveDay; readonly to: ArchiveDay };
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

interface ChunkTables {
  readonly measurements: string;
  readonly rejects: string;
  readonly locations: string;
  readonly files: string;
  /** The chunk's staged files, rows and rejects (see StagingArea). */
  readonly stagedFiles: string;
  readonly stagedRows: string;
  readonly stagedRejects: string;
}

const chunkTables = (session: LakeSession, request: ChunkCommitRequest): ChunkTables => ({
  measurements: qualifiedName(session.catalog, request.namespace, MEASUREMENTS.name),
  rejects: qualifiedName(session.catalog, request.namespace, REJECTS.name),
  locations: qualifiedName(session.catalog, request.namespace, LOCATIONS.name),
  files: qualifiedName(session.catalog, request.namespace, FILES.name),
  stagedFiles: `${quotedIdentifier(request.staging)}.stage_files`,
  stagedRows: `${quotedIdentifier(request.staging)}.stage_rows`,
  stagedRejects: `${quotedIdentifier(request.staging)}.stage_rejects`,
});

type DataCommit =
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
    // Loaded meanwhile by another run: this version, or a newer one (by LastModified), whose rows
    // must stay whatever order the runs commit in.
    const ledger = await connection.runAndReadAll(
      `SELECT s.source_key FROM ${tables.stagedFiles} s JOIN ${tables.files} f USING (source_key)
       WHERE f.archive_day BETWEEN $from_day AND $to_day
         AND (f.source_etag = s.source_etag OR f.source_last_modified > s.source_last_modified)`,
      dayParameters(request),
    );
    const alreadyLoaded = (ledger.getRows() as [string][]).map(([key]) => key);
    if (alreadyLoaded.length > 0) {
      await connection.run('ROLLBACK');
      return { kind: 'already-loaded', keys: alreadyLoaded };
    }
    lineage = await readChunkLineage(session, tables, request);
    const newer = lineage.some((row) => row.stationId !== null)
      ? await newerVersionsHeld(session, tables, request)
      : [];
    if (newer.length > 0) {
      // Rows of a newer version whose chunk has not finished yet (no ledger row so far).
      await connection.run('ROLLBACK');
      return { kind: 'already-loaded', keys: newer };
    }
    if (lineage.some((row) => row.stationId !== null)) {
      await connection.run(
        `DELETE FROM ${tables.measurements}
         WHERE ${IN_WINDOW} AND source_key IN (SELECT source_key FROM ${tables.stagedFiles})`,
        range,
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

/** A DuckDB VARCHAR[] as read back (a DuckDBListValue), as strings. */
function stringList(value: unknown): string[] {
  const items = (value as { items?: unknown[] } | null)?.items ?? [];
  return items.filter((item): item is string => typeof item === 'string');
}

const dayParameters = (request: ChunkCommitRequest) => ({
  from_day: dateValue(request.days.from),
  to_day: dateValue(request.days.to),
});

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

/** Step 2: the files' earlier rejects replaced by the staged ones. */
async function commitRejects(
  session: LakeSession,
  tables: ChunkTables,
  request: ChunkCommitRequest,
): Promise<void> {
  await replaceStagedKeys(
    session,
    tables,
    tables.rejects,
    `SELECT source_key, source_etag, line_number, scope, reason, raw_text, $run_id, $now,
            ${keyDaySql('source_key')}
     FROM ${tables.stagedRejects}`,
    { run_id: request.runId, now: timestamptzValue(request.ingestedAt) },
    request,
  );
}

/**
 * Replaces a table's rows of the staged files' keys with `select`: idempotent, so retried. The
 * delete is bounded by the chunk's days (the table's archive_day), so it prunes by statistics.
 */
async function replaceStagedKeys(
  session: LakeSession,
  tables: ChunkTables,
  table: string,
  select: string,
  parameters: Record<string, string | DuckDBTimestampTZValue>,
  request: ChunkCommitRequest,
): Promise<void> {
  await inTransaction(session, async (connection) => {
    // Keys whose ledger row names a newer version than the staged one: that version's rows stay.
    const newer = await connection.runAndReadAll(
      `SELECT s.source_key FROM ${tables.stagedFiles} s JOIN ${tables.files} f USING (source_key)
       WHERE f.archive_day BETWEEN $from_day AND $to_day
         AND f.source_last_modified > s.source_last_modified`,
      dayParameters(request),
    );
    const skip = (newer.getRows() as [string][]).map(([key]) => key);
    const keep = skip.length > 0 ? 'AND NOT list_contains($skip, source_key)' : '';
    const skipParameter: Record<string, DuckDBValue> =
      skip.length > 0 ? { skip: listValue(skip) } : {};
    await connection.run(
      `DELETE FROM ${table} WHERE archive_day BETWEEN $from_day AND $to_day
       AND source_key IN (SELECT source_key FROM ${tables.stagedFiles}) ${keep}`,
      { ...dayParameters(request), ...skipParameter },
    );
    await connection.run(`INSERT INTO ${table} SELECT * FROM (${select}) WHERE true ${keep}`, {
      ...parameters,
      ...skipParameter,
    });
  });
}

async function readStagedRejects(
  session: LakeSession,
  tables: ChunkTables,
): Promise<{ rows: number; files: number }> {
  const counts = await session.connection.runAndReadAll(
    `SELECT count(*) FILTER (WHERE scope = 'row')::BIGINT, count(*) FILTER (WHERE scope = 'file')::BIGINT
     FROM ${tables.stagedRejects}`,
  );
  const [rows, files] = (counts.getRows()[0] ?? [0n, 0n]) as [bigint, bigint];
  return { rows: Number(rows), files: Number(files) };
}

/** Step 3: locations upserted (see upsertLocationsSql); returns how many stations were recomputed. */
async function commitLocations(
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
  const exact = idList(exactStations);
  const replacedIds = idList([...replaced.keys()]);
  const replacedRows = `[${[...replaced.values()].map((r) => String(Math.trunc(r.rows))).join(', ')}]::BIGINT[]`;
  const aggregate = (from: string): string =>
    `SELECT location_id, count(*)::BIGINT AS n, min(datetime) AS first_seen, max(datetime) AS last_seen,
            arg_max(location, datetime) AS name, arg_max(lat, datetime) AS lat, arg_max(lon, datetime) AS lon,
            list_sort(list(DISTINCT parameter)) AS params
     FROM ${from} GROUP BY location_id`;
  return `
    MERGE INTO ${tables.locations} AS t USING (
      SELECT s.*, coalesce(r.replaced_n, 0) AS replaced_n, false AS exact
      FROM (${aggregate(`${tables.stagedRows}`)}) s
      LEFT JOIN (SELECT unnest(${replacedIds}) AS location_id, unnest(${replacedRows}) AS replaced_n) r
        USING (location_id)
      WHERE NOT list_contains(${exact}, s.location_id)
      UNION ALL
      SELECT r.location_id, coalesce(a.n, 0) AS n, a.first_seen, a.last_seen, a.name, a.lat, a.lon, a.params,
             0 AS replaced_n, true AS exact
      FROM (SELECT unnest(${exact}) AS location_id) r
      LEFT JOIN (${aggregate(`(SELECT * FROM ${tables.measurements} WHERE list_contains(${exact}, location_id))`)}) a USING (location_id)
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

/** Step 4: the staged files' rows in the ledger, replacing any earlier ones. */
async function commitLedger(
  session: LakeSession,
  tables: ChunkTables,
  request: ChunkCommitRequest,
): Promise<void> {
  await replaceStagedKeys(
    session,
    tables,
    tables.files,
    `SELECT f.source_key, f.source_etag, ${keyDaySql('f.source_key')},
            f.location_id, f.outcome, coalesce(r.n, 0), $run_id, $now, f.source_last_modified
     FROM ${tables.stagedFiles} f
     LEFT JOIN (SELECT source_key, count(*)::BIGINT AS n FROM ${tables.stagedRows} GROUP BY ALL) r
     USING (source_key)`,
    { run_id: request.runId, now: timestamptzValue(request.ingestedAt) },
    request,
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
