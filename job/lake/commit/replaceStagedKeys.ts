import { listValue, type DuckDBTimestampTZValue, type DuckDBValue } from '@duckdb/node-api';
import { inTransaction } from '../inTransaction.ts';
import type { LakeSession } from '../lakeSession.ts';
import { dayParameters, type ChunkCommitRequest, type ChunkTables } from './chunkTables.ts';

/**
 * Replaces a table's rows of the staged files' keys with `select`: idempotent, so retried. The
 * delete is bounded by the chunk's days (the table's archive_day), so it prunes by statistics.
 */
export async function replaceStagedKeys(
  session: LakeSession,
  tables: ChunkTables,
  table: string,
  select: string,
  parameters: Record<string, string | DuckDBTimestampTZValue>,
  request: ChunkCommitRequest,
): Promise<void> {
  await inTransaction(session, async (connection) => {
    // Keys whose ledger row names a newer version than the staged one: that version's rows stay.
    const newer = await connection.runAndReadAll(
      `SELECT s.source_key FROM ${tables.stagedFiles} s JOIN ${tables.files} f USING (source_key)
       WHERE f.archive_day BETWEEN $from_day AND $to_day
         AND f.source_last_modified > s.source_last_modified`,
      dayParameters(request),
    );
    const skip = (newer.getRows() as [string][]).map(([key]) => key);
    const keep = skip.length > 0 ? 'AND NOT list_contains($skip, source_key)' : '';
    const skipParameter: Record<string, DuckDBValue> =
      skip.length > 0 ? { skip: listValue(skip) } : {};
    await connection.run(
      `DELETE FROM ${table} WHERE archive_day BETWEEN $from_day AND $to_day
       AND source_key IN (SELECT source_key FROM ${tables.stagedFiles}) ${keep}`,
      { ...dayParameters(request), ...skipParameter },
    );
    await connection.run(`INSERT INTO ${table} SELECT * FROM (${select}) WHERE true ${keep}`, {
      ...parameters,
      ...skipParameter,
    });
  });
}
