import { quotedIdentifier } from '@duckdb/node-api';
import type { BackfillConfig } from '../../job/config.ts';
import { withLake } from '../../job/lake/lakeSession.ts';
import type { LocalLakehouse } from '../../job/localLakehouse.ts';
import { deletePrefix, localS3Client } from '../lakehouse/s3Admin.ts';

/** Drops a bench namespace's tables and the namespace, then deletes its files from the warehouse. */
export async function dropBenchNamespace(
  config: BackfillConfig,
  lake: LocalLakehouse,
  namespace: string,
): Promise<void> {
  await withLake(config.duckdb, config.target, async ({ connection, catalog }) => {
    const tables = await connection.runAndReadAll(
      `SELECT table_name FROM information_schema.tables WHERE table_catalog = $catalog AND table_schema = $namespace`,
      { catalog, namespace },
    );
    for (const [table] of tables.getRows() as [string][]) {
      await connection.run(
        `DROP TABLE ${[catalog, namespace, table].map(quotedIdentifier).join('.')}`,
      );
    }
    await connection.run(
      `DROP SCHEMA IF EXISTS ${quotedIdentifier(catalog)}.${quotedIdentifier(namespace)}`,
    );
  });
  const client = localS3Client(lake);
  try {
    await deletePrefix(client, lake.warehouseBucket, `${namespace}/`);
  } finally {
    client.destroy();
  }
}
