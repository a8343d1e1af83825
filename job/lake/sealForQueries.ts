import { quotedString } from '@duckdb/node-api';
import type { LakeSession } from './lakeSession.ts';
import { qualifiedName } from './tableDdl.ts';

/**
 * Seals a session before it runs a user's SQL (`query`). The catalog is already attached
 * READ_ONLY (`withLake(…, { readOnly: true })`), so no table can be changed; here file access is
 * narrowed to the tables' own folders (no local files, so no credential files; no other buckets),
 * and the configuration is locked, so that neither this nor the redaction of secrets
 * (`duckdb_secrets()` shows `secret=redacted`; `redact=false` is refused) can be undone by SQL.
 */
export async function sealForQueries(
  session: LakeSession,
  namespace: string,
  tables: readonly string[],
): Promise<void> {
  const folders = new Set<string>();
  for (const table of tables) {
    for (const folder of await tableFolders(session, namespace, table)) folders.add(folder);
  }
  const { connection } = session;
  const list = [...folders].map(quotedString).join(', ');
  await connection.run(`SET allowed_directories = [${list}]`);
  await connection.run('SET enable_external_access = false');
  await connection.run('SET allow_unredacted_secrets = false');
  await connection.run('SET lock_configuration = true');
}

/** Where a table's files live: the folder above its `metadata/` (none while it has no snapshot). */
async function tableFolders(
  session: LakeSession,
  namespace: string,
  table: string,
): Promise<string[]> {
  const reader = await session.connection.runAndReadAll(
    `SELECT DISTINCT regexp_extract(manifest_path, '^(.*/)metadata/', 1)
     FROM iceberg_metadata(${qualifiedName(session.catalog, namespace, table)})`,
  );
  return (reader.getRows() as [string][]).map(([folder]) => folder).filter((f) => f !== '');
}
