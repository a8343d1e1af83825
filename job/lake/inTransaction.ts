import type { LakeSession } from './lakeSession.ts';

/**
 * Runs `work` in one DuckDB transaction on the session's connection: committed when it returns
 * (unless `keep` says its result is not to be kept: then rolled back), rolled back when it throws.
 * With Iceberg tables attached, the commit sends one catalog commit per table written.
 */
export async function inTransaction<T>(
  session: LakeSession,
  work: (connection: LakeSession['connection']) => Promise<T>,
  keep: (result: T) => boolean = () => true,
): Promise<T> {
  const { connection } = session;
  await connection.run('BEGIN TRANSACTION');
  try {
    const result = await work(connection);
    await connection.run(keep(result) ? 'COMMIT' : 'ROLLBACK');
    return result;
  } catch (err) {
    // After a failed COMMIT too: DuckDB leaves the transaction open in an aborted state.
    await connection.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
