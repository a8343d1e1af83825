import { keyDaySql } from './keyDaySql.ts';

/**
 * Columns of job/tables.ts added after their table could hold rows, with the SQL that computes
 * them from the rest of a row. ensureTables fills the rows written before the column existed.
 */
export const COLUMN_FILLS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  rejects: { archive_day: keyDaySql('source_key') },
};

/** Table property recording that a column's fill is done (set after the fill commits). */
export const filledProperty = (column: string): string => `openaq-lakehouse.filled.${column}`;
