import { quotedIdentifier } from '@duckdb/node-api';
import type { ColumnDefinition, PartitionField, TableDefinition } from '../tables.ts';
import { DUCKDB_TYPE } from './duckdbTypes.ts';

/** `lake.airquality.measurements`, quoted. */
export const qualifiedName = (catalog: string, namespace: string, table: string): string =>
  [catalog, namespace, table].map(quotedIdentifier).join('.');

export const columnSql = (column: ColumnDefinition): string =>
  `${quotedIdentifier(column.name)} ${DUCKDB_TYPE[column.type]}${column.required ? ' NOT NULL' : ''}`;

/** `month(datetime)`: the text DuckDB takes in PARTITIONED BY, also recorded as a table property. */
export const partitionSql = (fields: readonly PartitionField[]): string =>
  fields
    .map((f) =>
      f.transform === 'identity'
        ? quotedIdentifier(f.column)
        : `${f.transform}(${quotedIdentifier(f.column)})`,
    )
    .join(', ');

export function createTableSql(catalog: string, namespace: string, table: TableDefinition): string {
  const columns = table.columns.map(columnSql).join(', ');
  const partition =
    table.partitionBy.length > 0 ? ` PARTITIONED BY (${partitionSql(table.partitionBy)})` : '';
  return `CREATE TABLE IF NOT EXISTS ${qualifiedName(catalog, namespace, table.name)} (${columns})${partition}`;
}
