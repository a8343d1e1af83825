import { DuckDBMapValue, quotedIdentifier, quotedString } from '@duckdb/node-api';
import { classify } from '../lakehouseError.ts';
import type { TableDefinition } from '../tables.ts';
import { existingTables } from './existingTables.ts';
import type { LakeSession } from './lakeSession.ts';
import { retryRetryable } from './retryRetryable.ts';
import { columnSql, createTableSql, partitionSql, qualifiedName } from './tableDdl.ts';

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

async function applyPartitionSpec(
  session: LakeSession,
  name: string,
  table: TableDefinition,
  justCreated: boolean,
): Promise<boolean> {
  if (table.partitionBy.length === 0) return false;
  const wanted = partitionSql(table.partitionBy);
  if (!justCreated) {
    const reader = await session.connection.runAndReadAll(
      `SELECT key, value FROM iceberg_table_properties(${quotedString(name)})`,
    );
    const applied = (reader.getRows() as [string, string][]).find(
      ([key]) => key === PARTITION_SPEC_PROPERTY,
    )?.[1];
    if (applied === wanted) return false;
    await session.connection.run(`ALTER TABLE ${name} SET PARTITIONED BY (${wanted})`);
  }
  await session.connection.run(`CALL set_iceberg_table_properties(${quotedString(name)}, $props)`, {
    props: new DuckDBMapValue([{ key: PARTITION_SPEC_PROPERTY, value: wanted }]),
  });
  return !justCreated;
}
