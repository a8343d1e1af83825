import type { CatalogTarget } from '../../job/lake/catalogTarget.ts';
import { dropNamespace } from '../../job/lake/dropNamespace.ts';
import { withLake, type DuckDBSettings } from '../../job/lake/lakeSession.ts';
import type { LocalLakehouse } from '../../job/localLakehouse.ts';
import { deletePrefix, localS3Client } from './s3Admin.ts';

/**
 * Drops a namespace of the local lakehouse and deletes its files from the warehouse bucket (the
 * REST catalog's drop leaves data files in place).
 */
export async function dropLocalNamespace(
  duckdb: DuckDBSettings,
  target: CatalogTarget,
  lake: LocalLakehouse,
  namespace: string,
): Promise<void> {
  await withLake(duckdb, target, (session) => dropNamespace(session, namespace));
  const client = localS3Client(lake);
  try {
    await deletePrefix(client, lake.warehouseBucket, `${namespace}/`);
  } finally {
    client.destroy();
  }
}
