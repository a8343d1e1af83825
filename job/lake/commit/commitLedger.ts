import { timestamptzValue } from '../duckdbTypes.ts';
import { keyDaySql } from '../keyDaySql.ts';
import type { LakeSession } from '../lakeSession.ts';
import type { ChunkCommitRequest, ChunkTables } from './chunkTables.ts';
import { replaceStagedKeys } from './replaceStagedKeys.ts';

/** Step 4: the staged files' rows in the ledger, replacing any earlier ones. */
export async function commitLedger(
  session: LakeSession,
  tables: ChunkTables,
  request: ChunkCommitRequest,
): Promise<void> {
  await replaceStagedKeys(
    session,
    tables,
    tables.files,
    `SELECT f.source_key, f.source_etag, ${keyDaySql('f.source_key')},
            f.location_id, f.outcome, coalesce(r.n, 0), $run_id, $now, f.source_last_modified
     FROM ${tables.stagedFiles} f
     LEFT JOIN (SELECT source_key, count(*)::BIGINT AS n FROM ${tables.stagedRows} GROUP BY ALL) r
     USING (source_key)`,
    { run_id: request.runId, now: timestamptzValue(request.ingestedAt) },
    request,
  );
}
