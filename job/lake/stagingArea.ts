import { rm } from 'node:fs/promises';
import {
  DuckDBTimestampTZValue,
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
 * Rows wait here, in a DuckDB database file on local disk, until their chunk is committed: memory
 * stays bounded by DuckDB's memory_limit whatever the window, and a crash loses only staging.
 */
export class StagingArea {
  readonly #connection: DuckDBConnection;
  readonly #path: string;
  #rows: DuckDBAppender | undefined;
  #rejects: DuckDBAppender | undefined;
  #files: DuckDBAppender | undefined;
  #stagedRows = 0;

  private constructor(connection: DuckDBConnection, path: string) {
    this.#connection = connection;
    this.#path = path;
  }

  static async open(connection: DuckDBConnection, path: string): Promise<StagingArea> {
    await removeDatabaseFiles(path); // left over by a crashed run: the lake's lineage is the truth
    await connection.run(`ATTACH ${quotedString(path)} AS ${STAGING_ALIAS}`);
    await connection.run(`CREATE TABLE ${STAGING_ALIAS}.stage_rows (
      location_id BIGINT, sensors_id BIGINT, location VARCHAR, datetime TIMESTAMPTZ, datetime_local VARCHAR,
      utc_offset VARCHAR, lat DOUBLE, lon DOUBLE, parameter VARCHAR, units VARCHAR, value DOUBLE, value_flag VARCHAR,
      source_key VARCHAR, source_etag VARCHAR, source_line INTEGER)`);
    await connection.run(`CREATE TABLE ${STAGING_ALIAS}.stage_rejects (
      source_key VARCHAR, source_etag VARCHAR, line_number INTEGER, scope VARCHAR, reason VARCHAR, raw_text VARCHAR)`);
    await connection.run(`CREATE TABLE ${STAGING_ALIAS}.stage_files (
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
    const appender = (this.#rows ??= await this.#connection.createAppender(
      'stage_rows',
      'main',
      STAGING_ALIAS,
    ));
    for (const row of rows) {
      appender.appendBigInt(BigInt(row.locationId));
      appendNullable(appender, row.sensorsId, (v) => appender.appendBigInt(BigInt(v)));
      appendNullable(appender, row.location, (v) => appender.appendVarchar(v));
      appender.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt(row.datetimeUtcMs) * 1000n));
      appender.appendVarchar(row.datetimeLocal);
      appender.appendVarchar(row.utcOffset);
      appendNullable(appender, row.lat, (v) => appender.appendDouble(v));
      appendNullable(appender, row.lon, (v) => appender.appendDouble(v));
      appender.appendVarchar(row.parameter);
      appendNullable(appender, row.units, (v) => appender.appendVarchar(v));
      appender.appendDouble(row.value);
      appendNullable(appender, row.valueFlag, (v) => appender.appendVarchar(v));
      appender.appendVarchar(file.key);
      appender.appendVarchar(file.etag);
      appender.appendInteger(row.line);
      appender.endRow();
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

  async #addReject(
    file: StagedFile,
    scope: 'row' | 'file',
    reason: string,
    rawText: string,
    line: number | null,
  ): Promise<void> {
    const appender = (this.#rejects ??= await this.#connection.createAppender(
      'stage_rejects',
      'main',
      STAGING_ALIAS,
    ));
    appender.appendVarchar(file.key);
    appender.appendVarchar(file.etag);
    appendNullable(appender, line, (v) => appender.appendInteger(v));
    appender.appendVarchar(scope);
    appender.appendVarchar(reason);
    appender.appendVarchar(rawText);
    appender.endRow();
  }

  async #addFile(file: StagedFile): Promise<void> {
    const appender = (this.#files ??= await this.#connection.createAppender(
      'stage_files',
      'main',
      STAGING_ALIAS,
    ));
    appender.appendVarchar(file.key);
    appender.appendVarchar(file.etag);
    appender.appendBigInt(BigInt(file.locationId));
    appender.appendVarchar(file.outcome);
    appender.endRow();
  }

  /** Makes everything appended visible to queries. */
  flush(): void {
    this.#rows?.flushSync();
    this.#rejects?.flushSync();
    this.#files?.flushSync();
  }

  /** Forgets the given files' staged rows (another run committed them meanwhile). */
  async dropFiles(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    this.flush();
    for (const table of ['stage_rows', 'stage_rejects', 'stage_files']) {
      await this.#connection.run(
        `DELETE FROM ${STAGING_ALIAS}.${table} WHERE list_contains($keys, source_key)`,
        {
          keys: listValue([...keys]),
        },
      );
    }
    const count = await this.#connection.runAndReadAll(
      `SELECT count(*)::BIGINT FROM ${STAGING_ALIAS}.stage_rows`,
    );
    this.#stagedRows = Number(count.getRows()[0]?.[0] ?? 0);
  }

  /** Empties staging after a commit. */
  async clear(): Promise<void> {
    this.#closeAppenders();
    for (const table of ['stage_rows', 'stage_rejects', 'stage_files']) {
      await this.#connection.run(`DELETE FROM ${STAGING_ALIAS}.${table}`);
    }
    await this.#connection.run(`CHECKPOINT ${STAGING_ALIAS}`);
    this.#stagedRows = 0;
  }

  async close(): Promise<void> {
    this.#closeAppenders();
    await this.#connection.run(`DETACH ${STAGING_ALIAS}`);
    await removeDatabaseFiles(this.#path);
  }

  #closeAppenders(): void {
    for (const appender of [this.#rows, this.#rejects, this.#files]) appender?.closeSync();
    this.#rows = this.#rejects = this.#files = undefined;
  }
}

function appendNullable<T>(
  appender: DuckDBAppender,
  value: T | null,
  append: (value: T) => void,
): void {
  if (value === null) appender.appendNull();
  else append(value);
}

async function removeDatabaseFiles(path: string): Promise<void> {
  await rm(path, { force: true });
  await rm(`${path}.wal`, { force: true });
}
