import { timestamptzValue } from './duckdbTypes.ts';
import { rm } from 'node:fs/promises';
import duckdb from '@duckdb/node-bindings';
import {
  DuckDBDataChunk,
  INTEGER,
  listValue,
  quotedIdentifier,
  quotedString,
  type DuckDBConnection,
} from '@duckdb/node-api';
import type { RowReject } from '../model/measurement.ts';
import { VALUE_FLAGS } from '../model/measurementColumns.ts';
import type { PackedRows } from '../model/packedRows.ts';
import {
  PACKED_COLUMNS,
  PACKED_TYPES,
  appenderList,
  createStagingTables,
  openAppenders,
  type Appenders,
  type PackedColumn,
} from './stagingTables.ts';

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

/** Rows per data chunk: DuckDB's vector size. */
const CHUNK_ROWS = 2048;

type PendingColumns = { [name in PackedColumn]: Int32Array | Float64Array };

/** A typed array of CHUNK_ROWS per packed column, of the column's type. */
const pendingColumns = (): PendingColumns =>
  Object.fromEntries(
    PACKED_COLUMNS.map(([name, type]) => [
      name,
      type === INTEGER ? new Int32Array(CHUNK_ROWS) : new Float64Array(CHUNK_ROWS),
    ]),
  ) as PendingColumns;

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
  /** Rows not yet handed to DuckDB: one typed array of CHUNK_ROWS per packed column, filled to #pendingRows. */
  readonly #pending = pendingColumns();
  #pendingRows = 0;
  /** Position (1-based) of each string in stage_strings. */
  readonly #stringRefs = new Map<string, number>();
  #nextFileRef = 1;

  /** The name the staging database is attached as: commitChunk reads `<alias>.stage_rows` etc. */
  readonly alias: string;

  private constructor(
    connection: DuckDBConnection,
    path: string,
    alias: string,
    appenders: Appenders,
  ) {
    this.alias = alias;
    this.#connection = connection;
    this.#path = path;
    this.#appenders = appenders;
  }

  /**
   * Attaches a new staging database at `path` as `alias`, on `connection`: the connection its rows
   * are appended on, while another connection may be committing another StagingArea.
   */
  static async open(
    connection: DuckDBConnection,
    path: string,
    alias = 'staging',
  ): Promise<StagingArea> {
    await removeDatabaseFiles(path); // left over by a crashed run: the lake's lineage is the truth
    const s = quotedIdentifier(alias);
    await connection.run(`ATTACH ${quotedString(path)} AS ${s}`);
    await createStagingTables(connection, alias);
    return new StagingArea(connection, path, alias, await openAppenders(connection, alias));
  }

  /** Rows staged since the last clear. */
  get stagedRows(): number {
    return this.#stagedRows;
  }

  /** Stages one file's good rows and its refused ones. */
  addParsedFile(file: StagedFile, rows: PackedRows, rejects: readonly RowReject[]): void {
    const appenders = this.#open();
    const fileRef = this.#nextFileRef++;
    appenders.fileRefs.appendInteger(fileRef);
    appenders.fileRefs.appendVarchar(file.key);
    appenders.fileRefs.appendVarchar(file.etag);
    appenders.fileRefs.endRow();
    const p = this.#pending;
    // A file's strings are a few distinct values: each looked up once, then by position.
    const location = this.#refs(rows.location.values);
    const utcOffset = this.#refs(rows.utcOffset.values);
    const parameter = this.#refs(rows.parameter.values);
    const units = this.#refs(rows.units.values);
    const valueFlags = this.#refs(VALUE_FLAGS);
    for (let from = 0; from < rows.length;) {
      const at = this.#pendingRows;
      const count = Math.min(rows.length - from, CHUNK_ROWS - at);
      const to = from + count;
      p.file_ref.fill(fileRef, at, at + count);
      p.source_line.set(rows.line.subarray(from, to), at);
      p.location_id.set(rows.locationId.subarray(from, to), at);
      p.sensors_id.set(rows.sensorsId.subarray(from, to), at);
      p.datetime_ms.set(rows.datetimeUtcMs.subarray(from, to), at);
      p.datetime_local_ms.set(rows.datetimeWallMs.subarray(from, to), at);
      p.lat.set(rows.lat.subarray(from, to), at);
      p.lon.set(rows.lon.subarray(from, to), at);
      p.value.set(rows.value.subarray(from, to), at);
      for (let i = from, j = at; i < to; i++, j++) {
        p.location_ref[j] = location[rows.location.index[i]!]!;
        p.utc_offset_ref[j] = utcOffset[rows.utcOffset.index[i]!]!;
        p.parameter_ref[j] = parameter[rows.parameter.index[i]!]!;
        p.units_ref[j] = units[rows.units.index[i]!]!;
        p.value_flag_ref[j] = valueFlags[rows.valueFlag[i]!]!;
      }
      this.#pendingRows += count;
      from = to;
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

  /** The refs of a file's distinct strings, in their order. */
  #refs(values: readonly (string | null)[]): Int32Array {
    const refs = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) refs[i] = this.#ref(values[i]!);
    return refs;
  }

  /** Hands the pending rows to DuckDB as one data chunk, each column copied in whole. */
  #appendPending(): void {
    const count = this.#pendingRows;
    if (count === 0) return;
    const chunk = DuckDBDataChunk.create(PACKED_TYPES, count);
    PACKED_COLUMNS.forEach(([name], column) => {
      // A straight copy of the typed array into the vector (node-api's setColumns converts value by
      // value); every packed column is NOT NULL, so the validity mask stays "all valid".
      const values = this.#pending[name];
      duckdb.copy_data_to_vector(
        duckdb.data_chunk_get_vector(chunk.chunk, column),
        0,
        values.buffer as ArrayBuffer,
        0,
        count * values.BYTES_PER_ELEMENT,
      );
    });
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
    const s = quotedIdentifier(this.alias);
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
      await this.#connection.run(`DELETE FROM ${quotedIdentifier(this.alias)}.${table}`);
    }
    await this.#connection.run(`CHECKPOINT ${quotedIdentifier(this.alias)}`);
    this.#stagedRows = 0;
    this.#stringRefs.clear();
    this.#nextFileRef = 1;
    this.#appenders = await openAppenders(this.#connection, this.alias);
  }

  async close(): Promise<void> {
    this.#closeAppenders();
    await this.#connection.run(`DETACH ${quotedIdentifier(this.alias)}`);
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
