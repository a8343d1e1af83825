import { createHash } from 'node:crypto';
import {
  DuckDBDateValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
  type DuckDBConnection,
  type DuckDBValue,
} from '@duckdb/node-api';

export interface TableDigest {
  readonly rows: number;
  readonly digest: string;
}

/**
 * Row count and content checksum of a table read through DuckDB, canonicalised exactly like
 * scripts/lakehouse/pyiceberg/table_digest.py does it with PyIceberg, so the engines can be compared.
 */
export async function duckdbTableDigest(
  connection: DuckDBConnection,
  qualifiedTable: string,
): Promise<TableDigest> {
  const reader = await connection.runAndReadAll(`SELECT * FROM ${qualifiedTable}`);
  const doubles = reader.columnTypes().map((type) => type.typeId === DuckDBTypeId.DOUBLE);
  const lines = reader
    .getRows()
    .map((row) =>
      row
        .map((value, i) =>
          doubles[i] && typeof value === 'number' ? doubleBits(value) : canonical(value),
        )
        .join('\x1f'),
    );
  lines.sort(compareUtf8);
  return {
    rows: lines.length,
    digest: createHash('sha256').update(lines.join('\n'), 'utf8').digest('hex'),
  };
}

function canonical(value: DuckDBValue): string {
  if (value === null) return '\x00';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  if (value instanceof DuckDBTimestampTZValue || value instanceof DuckDBTimestampValue)
    return value.micros.toString();
  if (value instanceof DuckDBDateValue) return String(value.days);
  throw new Error(`tableDigest: no canonical form for ${String(value)}`);
}

function doubleBits(value: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return Buffer.from(view.buffer).toString('hex');
}

/** Python sorts str by code point; so must we (JS's default sort compares UTF-16 units). */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
