import type { IcebergPrimitive } from '../tables.ts';

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
