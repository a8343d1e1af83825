import { stringify } from 'csv-stringify/sync';
import type { Json } from '@duckdb/node-api';

export interface Rows {
  readonly columns: readonly string[];
  /** JSON-safe values (big integers and timestamps as strings). */
  readonly rows: readonly (readonly Json[])[];
}

const cell = (value: Json): string =>
  value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);

/** An aligned text table, numbers right-aligned, for a terminal. */
export function formatTextTable({ columns, rows }: Rows): string {
  if (rows.length === 0) return `(no rows)\n${columns.join('  ')}`;
  const numeric = columns.map((_, i) =>
    rows.every((row) => {
      const value = row[i] ?? null;
      return (
        value === null ||
        typeof value === 'number' ||
        (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))
      );
    }),
  );
  const widths = columns.map((name, i) =>
    Math.max(name.length, ...rows.map((row) => cell(row[i] ?? null).length)),
  );
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [
    line(columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((row) => line(row.map(cell))),
  ].join('\n');
}

export function formatJson({ columns, rows }: Rows): string {
  return JSON.stringify(
    rows.map((row) => Object.fromEntries(columns.map((name, i) => [name, row[i] ?? null]))),
    null,
    2,
  );
}

/** RFC 4180 CSV (csv-stringify, csv-parse's sibling): a header line, then the rows. */
export function formatCsv({ columns, rows }: Rows): string {
  return stringify([columns, ...rows.map((row) => row.map(cell))], {
    record_delimiter: '\r\n',
  }).replace(/\r\n$/, '');
}
