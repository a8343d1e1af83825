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
import type { Measurement, RowReject } from '../source/measurement.ts';

/** What happened to one listed file in this run. */
export type FileOutcome = 'loaded' | 'rejected';

export interface StagedFile {
  readonly key: string;
  readonly etag: string;
  readonly locationId: number;
  readonly outcome: FileOutcome;
}

export const STAGING_ALIAS = 'staging';

/**
 * The staged rows' columns as stored: numbers only, so that a block of rows goes to DuckDB as one
 * data chunk (one copy per column) instead of ~15 calls per row. Strings are stored once in
 * `stage_strings` and referenced by position (0 = null); nullable numbers use NaN for null (the
 * parser never yields NaN). The `stage_rows` view turns them back into the staged columns.
 */
const PACKED_COLUMNS = [
  ['file_ref', INTEGER],
  ['source_line', INTEGER],
  ['location_id', DOUBLE],
  ['sensors_id', DOUBLE],
  ['datetime_ms', DOUBLE],
  ['lat', DOUBLE],
  ['lon', DOUBLE],
  ['value', DOUBLE],
  ['location_ref', INTEGER],
  ['datetime_local_ref', INTEGER],
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
  #rows: DuckDBAppender | undefined;
  #strings: DuckDBAppender | undefined;
  #fileRefs: DuckDBAppender | undefined;
  #rejects: DuckDBAppender | undefined;
  #files: DuckDBAppender | undefined;
  #stagedRows = 0;
  /** Rows not yet handed to DuckDB, one array per packed column. */
  readonly #pending = Object.fromEntries(
    PACKED_COLUMNS.map(([name]) => [name, [] as number[]]),
  ) as {
    [name in PackedColumn]: number[];
  };
  /** Position (1-based) of each string in stage_strings. */
  readonly #stringRefs = new Map<string, number>();
  #nextFileRef = 1;

  private constructor(connection: DuckDBConnection, path: string) {
    this.#connection = connection;
    this.#path = path;
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
             datetime_local_ref.text AS datetime_local,
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
      source_key VARCHAR, source_etag VARCHAR, location_id BIGINT, outcome VARCHAR)`);
    return new StagingArea(connection, path);
  }

  /** Rows staged since the last clear. */
  get stagedRows(): number {
    return this.#stagedRows;
  }

  async addParsedFile(
    file: StagedFile,
    rows: readonly Measurement[],
    rejects: readonly RowReject[],
  ): Promise<void> {
    this.#rows ??= await this.#appender('stage_rows_packed');
    this.#strings ??= await this.#appender('stage_strings');
    this.#fileRefs ??= await this.#appender('stage_file_refs');
    const fileRef = this.#nextFileRef++;
    this.#fileRefs.appendInteger(fileRef);
    this.#fileRefs.appendVarchar(file.key);
    this.#fileRefs.appendVarchar(file.etag);
    this.#fileRefs.endRow();
    const p = this.#pending;
    // Consecutive rows mostly repeat these: compare with the last row before looking them up.
    const location = this.#memo();
    const utcOffset = this.#memo();
    const parameter = this.#memo();
    const units = this.#memo();
    const valueFlag = this.#memo();
    for (const row of rows) {
      p.file_ref.push(fileRef);
      p.source_line.push(row.line);
      p.location_id.push(row.locationId);
      p.sensors_id.push(row.sensorsId ?? NaN);
      p.datetime_ms.push(row.datetimeUtcMs);
      p.lat.push(row.lat ?? NaN);
      p.lon.push(row.lon ?? NaN);
      p.value.push(row.value);
      p.location_ref.push(location(row.location));
      p.datetime_local_ref.push(this.#ref(row.datetimeLocal));
      p.utc_offset_ref.push(utcOffset(row.utcOffset));
      p.parameter_ref.push(parameter(row.parameter));
      p.units_ref.push(units(row.units));
      p.value_flag_ref.push(valueFlag(row.valueFlag));
      if (p.file_ref.length === CHUNK_ROWS) this.#appendPending();
    }
    this.#stagedRows += rows.length;
    for (const reject of rejects)
      await this.#addReject(file, 'row', reject.reason, reject.rawText, reject.line);
    await this.#addFile(file);
  }

  async addRejectedFile(file: StagedFile, reason: string, rawText: string): Promise<void> {
    await this.#addReject(file, 'file', reason, rawText, null);
    await this.#addFile(file);
  }

  /** The string's 1-based position in stage_strings, added on first sight; 0 for null. */
  #ref(text: string | null): number {
    if (text === null) return 0;
    let ref = this.#stringRefs.get(text);
    if (ref === undefined) {
      ref = this.#stringRefs.size + 1;
      this.#stringRefs.set(text, ref);
      this.#strings!.appendInteger(ref);
      this.#strings!.appendVarchar(text);
      this.#strings!.endRow();
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
    const count = this.#pending.file_ref.length;
    if (count === 0) return;
    const chunk = DuckDBDataChunk.create(PACKED_TYPES, count);
    chunk.setColumns(PACKED_COLUMNS.map(([name]) => this.#pending[name]));
    this.#rows!.appendDataChunk(chunk);
    for (const [name] of PACKED_COLUMNS) this.#pending[name].length = 0;
  }

  async #appender(table: string): Promise<DuckDBAppender> {
    return this.#connection.createAppender(table, 'main', STAGING_ALIAS);
  }

  async #addReject(
    file: StagedFile,
    scope: 'row' | 'file',
    reason: string,
    rawText: string,
    line: number | null,
  ): Promise<void> {
    const appender = (this.#rejects ??= await this.#appender('stage_rejects'));
    appender.appendVarchar(file.key);
    appender.appendVarchar(file.etag);
    if (line === null) appender.appendNull();
    else appender.appendInteger(line);
    appender.appendVarchar(scope);
    appender.appendVarchar(reason);
    appender.appendVarchar(rawText);
    appender.endRow();
  }

  async #addFile(file: StagedFile): Promise<void> {
    const appender = (this.#files ??= await this.#appender('stage_files'));
    appender.appendVarchar(file.key);
    appender.appendVarchar(file.etag);
    appender.appendBigInt(BigInt(file.locationId));
    appender.appendVarchar(file.outcome);
    appender.endRow();
  }

  /** Makes everything appended visible to queries. */
  flush(): void {
    if (this.#rows !== undefined) this.#appendPending();
    for (const appender of this.#appenders()) appender?.flushSync();
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
  }

  async close(): Promise<void> {
    this.#closeAppenders();
    await this.#connection.run(`DETACH ${STAGING_ALIAS}`);
    await removeDatabaseFiles(this.#path);
  }

  #appenders(): (DuckDBAppender | undefined)[] {
    return [this.#rows, this.#strings, this.#fileRefs, this.#rejects, this.#files];
  }

  #closeAppenders(): void {
    for (const [name] of PACKED_COLUMNS) this.#pending[name].length = 0;
    for (const appender of this.#appenders()) appender?.closeSync();
    this.#rows = this.#strings = this.#fileRefs = this.#rejects = this.#files = undefined;
  }
}

async function removeDatabaseFiles(path: string): Promise<void> {
  await rm(path, { force: true });
  await rm(`${path}.wal`, { force: true });
}
