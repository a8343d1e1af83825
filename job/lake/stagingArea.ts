import { timestamptzValue } from './duckdbTypes.ts';
import { rm } from 'node:fs/promises';
import {
  DuckDBDataChunk,
  DOUBLE,
  INTEGER,
  listValue,
  quotedString,
  type DuckDBAppender,
  type DuckDBConnection,
} from '@duckdb/node-api';
import type { RowReject } from '../model/measurement.ts';
import { VALUE_FLAGS, type MeasurementColumns } from '../model/measurementColumns.ts';

/** What happened to one listed file in this run. */
export type FileOutcome = 'loaded' | 'rejected';

export interface StagedFile {
  readonly key: string;
  readonly etag: string;
  readonly locationId: number;
  readonly outcome: FileOutcome;
  /** The version's LastModified, when the store said. */
  readonly lastModified?: Date;
}

export const STAGING_ALIAS = 'staging';

/**
 * The staged rows' columns as stored: numbers only, so that a block of rows goes to DuckDB as one
 * data chunk (one copy per column) instead of ~15 calls per row. Strings are stored once in
 * `stage_strings` and referenced by position (0 = null); nullable numbers use NaN for null (the
 * parser never yields NaN); the local wall time is epoch ms of the same wall time in UTC. The
 * `stage_rows` view turns them back into the staged columns.
 */
const PACKED_COLUMNS = [
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
const PACKED_TYPES = PACKED_COLUMNS.map(([, type]) => type);
type PackedColumn = (typeof PACKED_COLUMNS)[number][0];
/** Rows per data chunk: DuckDB's vector size. */
const CHUNK_ROWS = 2048;

/**
 * Rows wait here, in a DuckDB database file on local disk, until their chunk is committed: memory
 * stays bounded by DuckDB's memory_limit whatever the window, and a crash loses only staging.
 * Readers see `staging.stage_rows`, `staging.stage_rejects` and `staging.stage_files`.
 */
export class StagingArea {
  readonly #connection: DuckDBConnection;
  readonly #path: string;
  #appenders: Appenders | undefined;
  #stagedRows = 0;
  /** Rows not yet handed to DuckDB: one array of CHUNK_ROWS per packed column, filled to #pendingRows. */
  readonly #pending = Object.fromEntries(
    PACKED_COLUMNS.map(([name]) => [name, new Array<number>(CHUNK_ROWS).fill(0)]),
  ) as {
    [name in PackedColumn]: number[];
  };
  #pendingRows = 0;
  /** Position (1-based) of each string in stage_strings. */
  readonly #stringRefs = new Map<string, number>();
  #nextFileRef = 1;

  private constructor(connection: DuckDBConnection, path: string, appenders: Appenders) {
    this.#connection = connection;
    this.#path = path;
    this.#appenders = appenders;
  }

  static async open(connection: DuckDBConnection, path: string): Promise<StagingArea> {
    await removeDatabaseFiles(path); // left over by a crashed run: the lake's lineage is the truth
    const s = STAGING_ALIAS;
    await connection.run(`ATTACH ${quotedString(path)} AS ${s}`);
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
    return new StagingArea(connection, path, await openAppenders(connection));
  }

  /** Rows staged since the last clear. */
  get stagedRows(): number {
    return this.#stagedRows;
  }

  /**
   * Stages one file's good rows and its refused ones. Synchronous, so that `rows` can be reused
   * for the next file as soon as this returns.
   */
  addParsedFile(file: StagedFile, rows: MeasurementColumns, rejects: readonly RowReject[]): void {
    const appenders = this.#open();
    const fileRef = this.#nextFileRef++;
    appenders.fileRefs.appendInteger(fileRef);
    appenders.fileRefs.appendVarchar(file.key);
    appenders.fileRefs.appendVarchar(file.etag);
    appenders.fileRefs.endRow();
    const p = this.#pending;
    // Consecutive rows mostly repeat these: compare with the last row before looking them up.
    const location = this.#memo();
    const utcOffset = this.#memo();
    const parameter = this.#memo();
    const units = this.#memo();
    const valueFlag = this.#memo();
    for (let i = 0; i < rows.length; i++) {
      const at = this.#pendingRows++;
      p.file_ref[at] = fileRef;
      p.source_line[at] = rows.line[i]!;
      p.location_id[at] = rows.locationId[i]!;
      p.sensors_id[at] = rows.sensorsId[i]!;
      p.datetime_ms[at] = rows.datetimeUtcMs[i]!;
      p.datetime_local_ms[at] = rows.datetimeWallMs[i]!;
      p.lat[at] = rows.lat[i]!;
      p.lon[at] = rows.lon[i]!;
      p.value[at] = rows.value[i]!;
      p.location_ref[at] = location(rows.location[i] ?? null);
      p.utc_offset_ref[at] = utcOffset(rows.utcOffset[i]!);
      p.parameter_ref[at] = parameter(rows.parameter[i]!);
      p.units_ref[at] = units(rows.units[i] ?? null);
      p.value_flag_ref[at] = valueFlag(VALUE_FLAGS[rows.valueFlag[i]!] ?? null);
      if (this.#pendingRows === CHUNK_ROWS) this.#appendPending();
    }
    this.#stagedRows += rows.length;
    for (const reject of rejects)
      this.#addReject(file, 'row', reject.reason, reject.rawText, reject.line);
    this.#addFile(file);
  }

  addRejectedFile(file: StagedFile, reason: string, rawText: string): void {
    this.#addReject(file, 'file', reason, rawText, null);
    this.#addFile(file);
  }

  /** The string's 1-based position in stage_strings, added on first sight; 0 for null. */
  #ref(text: string | null): number {
    if (text === null) return 0;
    let ref = this.#stringRefs.get(text);
    if (ref === undefined) {
      ref = this.#stringRefs.size + 1;
      this.#stringRefs.set(detached(text), ref);
      const strings = this.#open().strings;
      strings.appendInteger(ref);
      strings.appendVarchar(text);
      strings.endRow();
    }
    return ref;
  }

  /** #ref that remembers its last answer. */
  #memo(): (text: string | null) => number {
    let last: string | null | undefined;
    let lastRef = 0;
    return (text) => {
      if (text !== last) {
        last = text;
        lastRef = this.#ref(text);
      }
      return lastRef;
    };
  }

  /** Hands the pending rows to DuckDB as one data chunk. */
  #appendPending(): void {
    const count = this.#pendingRows;
    if (count === 0) return;
    const chunk = DuckDBDataChunk.create(PACKED_TYPES, count);
    const full = count === CHUNK_ROWS;
    chunk.setColumns(
      PACKED_COLUMNS.map(([name]) =>
        full ? this.#pending[name] : this.#pending[name].slice(0, count),
      ),
    );
    this.#open().rows.appendDataChunk(chunk);
    this.#pendingRows = 0;
  }

  #addReject(
    file: StagedFile,
    scope: 'row' | 'file',
    reason: string,
    rawText: string,
    line: number | null,
  ): void {
    const appender = this.#open().rejects;
    appender.appendVarchar(file.key);
    appender.appendVarchar(file.etag);
    if (line === null) appender.appendNull();
    else appender.appendInteger(line);
    appender.appendVarchar(scope);
    appender.appendVarchar(reason);
    appender.appendVarchar(rawText);
    appender.endRow();
  }

  #addFile(file: StagedFile): void {
    const appender = this.#open().files;
    appender.appendVarchar(file.key);
    appender.appendVarchar(file.etag);
    appender.appendBigInt(BigInt(file.locationId));
    appender.appendVarchar(file.outcome);
    if (file.lastModified) appender.appendTimestampTZ(timestamptzValue(file.lastModified));
    else appender.appendNull();
    appender.endRow();
  }

  /** Makes everything appended visible to queries. */
  flush(): void {
    this.#appendPending();
    for (const appender of appenderList(this.#open())) appender.flushSync();
  }

  /** Forgets the given files' staged rows (another run committed them meanwhile). */
  async dropFiles(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    this.flush();
    const s = STAGING_ALIAS;
    const params = { keys: listValue([...keys]) };
    await this.#connection.run(
      `DELETE FROM ${s}.stage_rows_packed WHERE file_ref IN
       (SELECT file_ref FROM ${s}.stage_file_refs WHERE list_contains($keys, source_key))`,
      params,
    );
    for (const table of ['stage_file_refs', 'stage_rejects', 'stage_files']) {
      await this.#connection.run(
        `DELETE FROM ${s}.${table} WHERE list_contains($keys, source_key)`,
        params,
      );
    }
    const count = await this.#connection.runAndReadAll(
      `SELECT count(*)::BIGINT FROM ${s}.stage_rows_packed`,
    );
    this.#stagedRows = Number(count.getRows()[0]?.[0] ?? 0);
  }

  /** Empties staging after a commit. */
  async clear(): Promise<void> {
    this.#closeAppenders();
    for (const table of [
      'stage_rows_packed',
      'stage_strings',
      'stage_file_refs',
      'stage_rejects',
      'stage_files',
    ]) {
      await this.#connection.run(`DELETE FROM ${STAGING_ALIAS}.${table}`);
    }
    await this.#connection.run(`CHECKPOINT ${STAGING_ALIAS}`);
    this.#stagedRows = 0;
    this.#stringRefs.clear();
    this.#nextFileRef = 1;
    this.#appenders = await openAppenders(this.#connection);
  }

  async close(): Promise<void> {
    this.#closeAppenders();
    await this.#connection.run(`DETACH ${STAGING_ALIAS}`);
    await removeDatabaseFiles(this.#path);
  }

  #open(): Appenders {
    if (this.#appenders === undefined) throw new Error('staging: used after it was closed');
    return this.#appenders;
  }

  #closeAppenders(): void {
    this.#pendingRows = 0;
    const appenders = this.#appenders;
    this.#appenders = undefined;
    if (appenders !== undefined)
      for (const appender of appenderList(appenders)) appender.closeSync();
  }
}

/** One appender per staging table, open while rows are staged. */
interface Appenders {
  readonly rows: DuckDBAppender;
  readonly strings: DuckDBAppender;
  readonly fileRefs: DuckDBAppender;
  readonly rejects: DuckDBAppender;
  readonly files: DuckDBAppender;
}

const appenderList = (a: Appenders): DuckDBAppender[] => [
  a.rows,
  a.strings,
  a.fileRefs,
  a.rejects,
  a.files,
];

async function openAppenders(connection: DuckDBConnection): Promise<Appenders> {
  const open = (table: string): Promise<DuckDBAppender> =>
    connection.createAppender(table, 'main', STAGING_ALIAS);
  return {
    rows: await open('stage_rows_packed'),
    strings: await open('stage_strings'),
    fileRefs: await open('stage_file_refs'),
    rejects: await open('stage_rejects'),
    files: await open('stage_files'),
  };
}

/**
 * A copy of `text` that holds no reference to a larger string. V8 makes a substring a view of the
 * string it was cut from, so a location name kept as a map key would otherwise keep its whole
 * decompressed file alive until the next commit (~35 KB per station).
 */
const detached = (text: string): string => Buffer.from(text, 'utf8').toString('utf8');

async function removeDatabaseFiles(path: string): Promise<void> {
  await rm(path, { force: true });
  await rm(`${path}.wal`, { force: true });
}
