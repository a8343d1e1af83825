import {
  DOUBLE,
  INTEGER,
  quotedIdentifier,
  type DuckDBAppender,
  type DuckDBConnection,
} from '@duckdb/node-api';

/**
 * The staged rows' columns as stored: numbers only, so that a block of rows goes to DuckDB as one
 * data chunk (one copy per column) instead of ~15 calls per row. Strings are stored once in
 * `stage_strings` and referenced by position (0 = null); nullable numbers use NaN for null (the
 * parser never yields NaN); the local wall time is epoch ms of the same wall time in UTC. The
 * `stage_rows` view turns them back into the staged columns.
 */
export const PACKED_COLUMNS = [
  ['file_ref', INTEGER],
  ['source_line', INTEGER],
  ['location_id', DOUBLE],
  ['sensors_id', DOUBLE],
  ['datetime_ms', DOUBLE],
  ['datetime_local_ms', DOUBLE],
  ['lat', DOUBLE],
  ['lon', DOUBLE],
  ['value', DOUBLE],
  ['location_ref', INTEGER],
  ['utc_offset_ref', INTEGER],
  ['parameter_ref', INTEGER],
  ['units_ref', INTEGER],
  ['value_flag_ref', INTEGER],
] as const;
export const PACKED_TYPES = PACKED_COLUMNS.map(([, type]) => type);
export type PackedColumn = (typeof PACKED_COLUMNS)[number][0];

/** The staging tables and the `stage_rows` view, in the database attached as `alias`. */
export async function createStagingTables(
  connection: DuckDBConnection,
  alias: string,
): Promise<void> {
  const s = quotedIdentifier(alias);
  await connection.run(
    `CREATE TABLE ${s}.stage_rows_packed (${PACKED_COLUMNS.map(([name, type]) => `${name} ${type.toString()} NOT NULL`).join(', ')})`,
  );
  await connection.run(`CREATE TABLE ${s}.stage_strings (ref INTEGER, text VARCHAR)`);
  await connection.run(
    `CREATE TABLE ${s}.stage_file_refs (file_ref INTEGER, source_key VARCHAR, source_etag VARCHAR)`,
  );
  const refs = PACKED_COLUMNS.flatMap(([name]) => (name.endsWith('_ref') ? [name] : []));
  await connection.run(`CREATE VIEW ${s}.stage_rows AS
      SELECT r.location_id::BIGINT AS location_id,
             CASE WHEN isnan(r.sensors_id) THEN NULL ELSE r.sensors_id::BIGINT END AS sensors_id,
             location_ref.text AS location,
             make_timestamptz(r.datetime_ms::BIGINT * 1000) AS datetime,
             make_timestamp(r.datetime_local_ms::BIGINT * 1000) AS datetime_local,
             utc_offset_ref.text AS utc_offset,
             CASE WHEN isnan(r.lat) THEN NULL ELSE r.lat END AS lat,
             CASE WHEN isnan(r.lon) THEN NULL ELSE r.lon END AS lon,
             parameter_ref.text AS parameter,
             units_ref.text AS units,
             r.value,
             value_flag_ref.text AS value_flag,
             f.source_key, f.source_etag, r.source_line
      FROM ${s}.stage_rows_packed r JOIN ${s}.stage_file_refs f USING (file_ref)
      ${refs.map((ref) => `LEFT JOIN ${s}.stage_strings ${ref} ON ${ref}.ref = r.${ref}`).join('\n      ')}`);
  await connection.run(`CREATE TABLE ${s}.stage_rejects (
      source_key VARCHAR, source_etag VARCHAR, line_number INTEGER, scope VARCHAR, reason VARCHAR, raw_text VARCHAR)`);
  await connection.run(`CREATE TABLE ${s}.stage_files (
      source_key VARCHAR, source_etag VARCHAR, location_id BIGINT, outcome VARCHAR,
      source_last_modified TIMESTAMPTZ)`);
}

/** One appender per staging table, open while rows are staged. */
export interface Appenders {
  readonly rows: DuckDBAppender;
  readonly strings: DuckDBAppender;
  readonly fileRefs: DuckDBAppender;
  readonly rejects: DuckDBAppender;
  readonly files: DuckDBAppender;
}

export const appenderList = (a: Appenders): DuckDBAppender[] => [
  a.rows,
  a.strings,
  a.fileRefs,
  a.rejects,
  a.files,
];

export async function openAppenders(
  connection: DuckDBConnection,
  alias: string,
): Promise<Appenders> {
  const open = (table: string): Promise<DuckDBAppender> =>
    connection.createAppender(table, 'main', alias);
  return {
    rows: await open('stage_rows_packed'),
    strings: await open('stage_strings'),
    fileRefs: await open('stage_file_refs'),
    rejects: await open('stage_rejects'),
    files: await open('stage_files'),
  };
}
