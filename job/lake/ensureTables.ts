import { DuckDBMapValue, quotedIdentifier, quotedString } from '@duckdb/node-api';
import { classify } from '../lakehouseError.ts';
import type { TableDefinition } from '../tables.ts';
import { existingTables } from './existingTables.ts';
import type { LakeSession } from './lakeSession.ts';
import { retryRetryable } from './retryRetryable.ts';
import { columnSql, createTableSql, partitionSql, qualifiedName } from './tableDdl.ts';
import { COLUMN_FILLS, filledProperty } from './columnFills.ts';

/** Table property recording the partition spec the job applied, so it is applied only once. */
export const PARTITION_SPEC_PROPERTY = 'openaq-lakehouse.partition-spec';

export interface EnsureTablesResult {
  readonly created: readonly string[];
  readonly columnsAdded: readonly string[];
  readonly partitioned: readonly string[];
}

/**
 * Makes the catalog's tables match their definitions, idempotently: creates what is missing (a
 * local catalog has no Pulumi), adds missing columns (as optional: Iceberg cannot add a required
 * column to a table that has rows) and applies the partition spec (Pulumi cannot declare one on S3
 * Tables). Never drops or retypes anything.
 */
export async function ensureTables(
  session: LakeSession,
  namespace: string,
  tables: readonly TableDefinition[],
): Promise<EnsureTablesResult> {
  // Two runs on a fresh catalog race to create the namespace and tables: the loser's create fails
  // (a conflict, or a 500 from a catalog whose database was busy), and another look finds what
  // the winner created.
  let result!: EnsureTablesResult;
  await retryRetryable(3, async () => {
    result = await ensureTablesOnce(session, namespace, tables);
  });
  return result;
}

async function ensureTablesOnce(
  session: LakeSession,
  namespace: string,
  tables: readonly TableDefinition[],
): Promise<EnsureTablesResult> {
  const { connection, catalog } = session;
  const created: string[] = [];
  const columnsAdded: string[] = [];
  const partitioned: string[] = [];
  try {
    await connection.run(
      `CREATE SCHEMA IF NOT EXISTS ${quotedIdentifier(catalog)}.${quotedIdentifier(namespace)}`,
    );
    const existing = await existingColumns(session, namespace);
    for (const table of tables) {
      const name = qualifiedName(catalog, namespace, table.name);
      const columns = existing.get(table.name);
      if (!columns) {
        if (await createTableUnlessRaced(session, namespace, table)) created.push(table.name);
      } else {
        for (const column of table.columns.filter((c) => !columns.has(c.name))) {
          await connection.run(
            `ALTER TABLE ${name} ADD COLUMN ${columnSql({ ...column, required: false })}`,
          );
          columnsAdded.push(`${table.name}.${column.name}`);
        }
      }
      if (await applyPartitionSpec(session, name, table, !columns)) partitioned.push(table.name);
      await fillAddedColumns(session, name, table, !columns);
    }
  } catch (err) {
    throw classify(err, `create or update the tables in namespace "${namespace}"`);
  }
  return { created, columnsAdded, partitioned };
}

/** Creates the table; false when another run created it first (two runs on a fresh catalog). */
async function createTableUnlessRaced(
  session: LakeSession,
  namespace: string,
  table: TableDefinition,
): Promise<boolean> {
  try {
    await session.connection.run(createTableSql(session.catalog, namespace, table));
    return true;
  } catch (err) {
    if ((await existingColumns(session, namespace)).has(table.name)) return false;
    throw err;
  }
}

/** Columns of each existing table. DESCRIBE loads the table: information_schema alone may show a
 * placeholder column for tables the extension has not loaded yet. */
async function existingColumns(
  session: LakeSession,
  namespace: string,
): Promise<Map<string, Set<string>>> {
  const tables = new Map<string, Set<string>>();
  for (const table of await existingTables(session, namespace)) {
    const described = await session.connection.runAndReadAll(
      `DESCRIBE ${qualifiedName(session.catalog, namespace, table)}`,
    );
    tables.set(table, new Set((described.getRows() as [string][]).map(([column]) => column)));
  }
  return tables;
}

/**
 * Fills the table's COLUMN_FILLS columns in rows written before the column existed, once: a table
 * property records it (set after the fill, so a crash in between fills again; the fill only
 * touches nulls). A table created now has nothing to fill.
 */
async function fillAddedColumns(
  session: LakeSession,
  name: string,
  table: TableDefinition,
  justCreated: boolean,
): Promise<void> {
  const fills = Object.entries(COLUMN_FILLS[table.name] ?? {});
  if (fills.length === 0) return;
  const properties = justCreated ? new Map<string, string>() : await tableProperties(session, name);
  const pending = fills.filter(([column]) => properties.get(filledProperty(column)) !== 'true');
  if (pending.length === 0) return;
  for (const [column, sql] of justCreated ? [] : pending) {
    await session.connection.run(
      `UPDATE ${name} SET ${quotedIdentifier(column)} = ${sql} WHERE ${quotedIdentifier(column)} IS NULL`,
    );
  }
  await session.connection.run(`CALL set_iceberg_table_properties(${quotedString(name)}, $props)`, {
    props: new DuckDBMapValue(
      pending.map(([column]) => ({ key: filledProperty(column), value: 'true' })),
    ),
  });
}

async function tableProperties(session: LakeSession, name: string): Promise<Map<string, string>> {
  const reader = await session.connection.runAndReadAll(
    `SELECT key, value FROM iceberg_table_properties(${quotedString(name)})`,
  );
  return new Map(reader.getRows() as [string, string][]);
}

async function applyPartitionSpec(
  session: LakeSession,
  name: string,
  table: TableDefinition,
  justCreated: boolean,
): Promise<boolean> {
  if (table.partitionBy.length === 0) return false;
  const wanted = partitionSql(table.partitionBy);
  if (!justCreated) {
    const applied = (await tableProperties(session, name)).get(PARTITION_SPEC_PROPERTY);
    if (applied === wanted) return false;
    await session.connection.run(`ALTER TABLE ${name} SET PARTITIONED BY (${wanted})`);
  }
  await session.connection.run(`CALL set_iceberg_table_properties(${quotedString(name)}, $props)`, {
    props: new DuckDBMapValue([{ key: PARTITION_SPEC_PROPERTY, value: wanted }]),
  });
  return !justCreated;
}
