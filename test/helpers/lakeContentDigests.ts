import type { CatalogTarget } from '../../job/lake/catalogTarget.ts';
import { withLake } from '../../job/lake/lakeSession.ts';
import { qualifiedName } from '../../job/lake/tableDdl.ts';
import { FILES, LOCATIONS, MEASUREMENTS, REJECTS, type TableDefinition } from '../../job/tables.ts';
import { duckdbSettings, localTarget } from './localLake.ts';
import { duckdbTableDigest, type TableDigest } from './tableDigest.ts';

/** Columns that name the run or the moment that wrote a row: they differ between equal loads. */
const RUN_COLUMNS = new Set(['run_id', 'ingested_at', 'rejected_at', 'committed_at', 'updated_at']);

export type LakeDigests = Readonly<Record<string, TableDigest>>;

/**
 * Row count and content digest of every data table (measurements, locations, rejects, the files
 * ledger), without the columns that say which run wrote a row: two loads of the same files, however
 * they got there, have equal digests.
 */
export async function lakeContentDigests(
  namespace: string,
  target: CatalogTarget = localTarget(),
): Promise<LakeDigests> {
  return withLake(duckdbSettings, target, async ({ connection, catalog }) => {
    const digests: Record<string, TableDigest> = {};
    for (const table of [MEASUREMENTS, LOCATIONS, REJECTS, FILES] as const) {
      digests[table.name] = await duckdbTableDigest(
        connection,
        `(SELECT ${stableColumns(table)} FROM ${qualifiedName(catalog, namespace, table.name)})`,
      );
    }
    return digests;
  });
}

/**
 * Row count and an order-free sum of DuckDB row hashes of the same columns, per data table,
 * computed in the engine: for tables too large to read into memory (lakeContentDigests sorts every
 * row in JS). Equal loads give equal sums; compare sums with sums, in one DuckDB version only.
 */
export async function lakeContentSums(
  namespace: string,
  target: CatalogTarget = localTarget(),
): Promise<LakeDigests> {
  return withLake(duckdbSettings, target, async ({ connection, catalog }) => {
    const digests: Record<string, TableDigest> = {};
    for (const table of [MEASUREMENTS, LOCATIONS, REJECTS, FILES] as const) {
      const reader = await connection.runAndReadAll(
        `SELECT count(*)::VARCHAR AS n, coalesce(sum(hash(${stableColumns(table)})), 0)::VARCHAR AS s
         FROM ${qualifiedName(catalog, namespace, table.name)}`,
      );
      const [row] = reader.getRowObjectsJson() as { n: string; s: string }[];
      digests[table.name] = { rows: Number(row!.n), digest: row!.s };
    }
    return digests;
  });
}

const stableColumns = (table: TableDefinition): string =>
  table.columns
    .filter((column) => !RUN_COLUMNS.has(column.name))
    .map((column) => `"${column.name}"`)
    .join(', ');
