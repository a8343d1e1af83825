import { quotedIdentifier } from '@duckdb/node-api';
import { existingTables } from './existingTables.ts';
import type { LakeSession } from './lakeSession.ts';

/** Drops every table of a namespace, then the namespace (for tests and benchmarks). */
export async function dropNamespace(session: LakeSession, namespace: string): Promise<void> {
  const { connection, catalog } = session;
  for (const table of await existingTables(session, namespace)) {
    await connection.run(
      `DROP TABLE ${[catalog, namespace, table].map(quotedIdentifier).join('.')}`,
    );
  }
  await connection.run(
    `DROP SCHEMA IF EXISTS ${quotedIdentifier(catalog)}.${quotedIdentifier(namespace)}`,
  );
}
