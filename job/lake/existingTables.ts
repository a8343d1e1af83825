import type { LakeSession } from './lakeSession.ts';

/** Names of the tables in a namespace of the attached catalog. */
export async function existingTables(
  session: LakeSession,
  namespace: string,
): Promise<Set<string>> {
  const reader = await session.connection.runAndReadAll(
    `SELECT table_name FROM information_schema.tables WHERE table_catalog = $catalog AND table_schema = $namespace`,
    { catalog: session.catalog, namespace },
  );
  return new Set((reader.getRows() as [string][]).map(([name]) => name));
}
