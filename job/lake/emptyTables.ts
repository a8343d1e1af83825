import type { TableDefinition } from '../tables.ts';
import { classify } from '../lakehouseError.ts';
import { existingTables } from './existingTables.ts';
import { inTransaction } from './inTransaction.ts';
import type { LakeSession } from './lakeSession.ts';
import { qualifiedName } from './tableDdl.ts';

export interface TableRows {
  readonly table: string;
  readonly rows: number;
}

/** Row counts of the project's tables that exist in the namespace (missing ones are left out). */
export async function tableRowCounts(
  session: LakeSession,
  namespace: string,
  tables: readonly TableDefinition[],
): Promise<TableRows[]> {
  const existing = await existingTables(session, namespace);
  const counts: TableRows[] = [];
  for (const table of tables.filter((t) => existing.has(t.name))) {
    const reader = await session.connection.runAndReadAll(
      `SELECT count(*)::BIGINT FROM ${qualifiedName(session.catalog, namespace, table.name)}`,
    );
    counts.push({ table: table.name, rows: Number(reader.getRows()[0]?.[0] ?? 0) });
  }
  return counts;
}

/**
 * Deletes every row of the given tables in one DuckDB transaction, which the catalog receives as
 * one commit per table (S3 Tables has no multi-table transaction): a failure part-way can leave
 * some tables emptied, and running it again finishes. The tables, their schemas and the catalog
 * stay valid (and empty), so `pulumi destroy` can remove them afterwards.
 */
export async function emptyTables(
  session: LakeSession,
  namespace: string,
  tables: readonly string[],
): Promise<void> {
  try {
    await inTransaction(session, async (connection) => {
      for (const table of tables)
        await connection.run(`DELETE FROM ${qualifiedName(session.catalog, namespace, table)}`);
    });
  } catch (err) {
    throw classify(err, `empty the tables of ${namespace}`);
  }
}
