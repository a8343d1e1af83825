import type { ArchiveDay } from '../model/archiveDay.ts';
import { FILES } from '../tables.ts';
import { dateValue } from './duckdbTypes.ts';
import type { LakeSession } from './lakeSession.ts';
import { qualifiedName } from './tableDdl.ts';

/**
 * Files the ledger holds (loaded, rejected whole or empty) for a day range and station id ranges:
 * what a shard of a backfill plan has finished. Bounded by the shard's days and ids, so it prunes.
 */
export async function ledgerFileCount(
  session: LakeSession,
  namespace: string,
  shard: {
    readonly from: ArchiveDay;
    readonly to: ArchiveDay;
    /** Inclusive [low, high] location id ranges, not overlapping. */
    readonly ranges: readonly (readonly [number, number])[];
  },
): Promise<number> {
  const parameters: Record<string, unknown> = {
    from: dateValue(shard.from),
    to: dateValue(shard.to),
  };
  const conditions = shard.ranges.map(([low, high], i) => {
    parameters[`low${i}`] = BigInt(low);
    parameters[`high${i}`] = BigInt(high);
    return `location_id BETWEEN $low${i} AND $high${i}`;
  });
  const reader = await session.connection.runAndReadAll(
    `SELECT count(*) FROM ${qualifiedName(session.catalog, namespace, FILES.name)}
     WHERE archive_day BETWEEN $from AND $to AND (${conditions.join(' OR ')})`,
    parameters as Parameters<LakeSession['connection']['runAndReadAll']>[1],
  );
  return Number(reader.getRows()[0]?.[0] ?? 0);
}
