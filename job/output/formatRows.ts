import { stringify } from 'csv-stringify/sync';
import type { Json } from '@duckdb/node-api';

export interface Rows {
  readonly columns: readonly string[];
  /** JSON-safe values (big integers and timestamps as strings). */
  readonly rows: readonly (readonly Json[])[];
}

const cell = (value: Json): string =>
  value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);

/** Widest cell of the text table, in characters; longer values end in `…` (CSV and JSON are exact). */
export const TABLE_CELL_LIMIT = 120;

/**
 * A value as one line of the text table: line breaks, tabs and other control characters written
 * as escapes (`\n`, `\r`, `\t`, `\u001b`), so a row stays one line, and cut at TABLE_CELL_LIMIT.
 */
function tableCell(value: Json): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is escaped
  const text = cell(value).replace(/[\u0000-\u001f\u007f]/g, (c) =>
    c === '\n'
      ? '\\n'
      : c === '\r'
        ? '\\r'
        : c === '\t'
          ? '\\t'
          : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return text.length > TABLE_CELL_LIMIT ? `${text.slice(0, TABLE_CELL_LIMIT - 1)}…` : text;
}

/** An aligned text table, numbers right-aligned, one line per row, for a terminal. */
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
    Math.max(name.length, ...rows.map((row) => tableCell(row[i] ?? null).length)),
  );
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [
    line(columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((row) => line(row.map(tableCell))),
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
