import { DuckDBDateValue, DuckDBTimestampTZValue } from '@duckdb/node-api';
import { archiveDayToMs, type ArchiveDay } from '../model/archiveDay.ts';
import type { IcebergPrimitive } from '../tables.ts';

/** A JS instant as a DuckDB TIMESTAMPTZ parameter (microseconds). */
export const timestamptzValue = (at: Date): DuckDBTimestampTZValue =>
  new DuckDBTimestampTZValue(BigInt(at.getTime()) * 1000n);

/** An archive day as a DuckDB DATE parameter (days since the epoch). */
export const dateValue = (day: ArchiveDay): DuckDBDateValue =>
  new DuckDBDateValue(Math.round(archiveDayToMs(day) / 86_400_000));

/** The DuckDB type that DuckDB's iceberg extension writes as each Iceberg primitive. */
export const DUCKDB_TYPE: Readonly<Record<IcebergPrimitive, string>> = {
  boolean: 'BOOLEAN',
  int: 'INTEGER',
  long: 'BIGINT',
  double: 'DOUBLE',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  timestamptz: 'TIMESTAMPTZ',
  string: 'VARCHAR',
};

/** A DuckDB VARCHAR[] as read back (a DuckDBListValue), as strings. */
export function stringList(value: unknown): string[] {
  const items = (value as { items?: unknown[] } | null)?.items ?? [];
  return items.filter((item): item is string => typeof item === 'string');
}
