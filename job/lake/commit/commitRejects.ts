import { timestamptzValue } from '../duckdbTypes.ts';
import { keyDaySql } from '../keyDaySql.ts';
import type { LakeSession } from '../lakeSession.ts';
import type { ChunkCommitRequest, ChunkTables } from './chunkTables.ts';
import { replaceStagedKeys } from './replaceStagedKeys.ts';

/** Step 2: the files' earlier rejects replaced by the staged ones. */
export async function commitRejects(
  session: LakeSession,
  tables: ChunkTables,
  request: ChunkCommitRequest,
): Promise<void> {
  await replaceStagedKeys(
    session,
    tables,
    tables.rejects,
    `SELECT source_key, source_etag, line_number, scope, reason, raw_text, $run_id, $now,
            ${keyDaySql('source_key')}
     FROM ${tables.stagedRejects}`,
    { run_id: request.runId, now: timestamptzValue(request.ingestedAt) },
    request,
  );
}

export async function readStagedRejects(
  session: LakeSession,
  tables: ChunkTables,
): Promise<{ rows: number; files: number }> {
  const counts = await session.connection.runAndReadAll(
    `SELECT count(*) FILTER (WHERE scope = 'row')::BIGINT, count(*) FILTER (WHERE scope = 'file')::BIGINT
     FROM ${tables.stagedRejects}`,
  );
  const [rows, files] = (counts.getRows()[0] ?? [0n, 0n]) as [bigint, bigint];
  return { rows: Number(rows), files: Number(files) };
}
