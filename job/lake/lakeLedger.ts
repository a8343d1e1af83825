import { DuckDBTimestampTZValue, DuckDBTimestampValue } from '@duckdb/node-api';
import { COMMITS, MEASUREMENTS, REJECTS } from '../tables.ts';
import type { LakeSession } from './lakeSession.ts';
import { qualifiedName } from './tableDdl.ts';

/** Archive keys already in the lake, with the ETag they were loaded with. */
export type LoadedFiles = ReadonlyMap<string, string>;

/** Bounds that every row of a window's files satisfies, so lookups and deletes can prune. */
export interface WindowRange {
  /** UTC instants: offsets span UTC-12 to UTC+14 (data-file statistics prune on these). */
  readonly low: DuckDBTimestampTZValue;
  readonly high: DuckDBTimestampTZValue;
  /** Local wall time, (first day 00:00, day after the last 00:00] (partitions prune on these). */
  readonly localLow: DuckDBTimestampValue;
  readonly localHigh: DuckDBTimestampValue;
}

/**
 * The readings of archive day D lie in (D 00:00, D+1 00:00] local time: the bounds of the files of
 * days [from, to], given as the UTC midnights of those days.
 */
export function windowRange(fromDayMs: number, toDayMs: number): WindowRange {
  const hour = 3_600_000;
  return {
    low: new DuckDBTimestampTZValue(BigInt(fromDayMs - 15 * hour) * 1000n),
    high: new DuckDBTimestampTZValue(BigInt(toDayMs + 24 * hour + 13 * hour) * 1000n),
    localLow: new DuckDBTimestampValue(BigInt(fromDayMs) * 1000n),
    localHigh: new DuckDBTimestampValue(BigInt(toDayMs + 24 * hour) * 1000n),
  };
}

/** SQL predicate over measurements for a WindowRange bound as $low, $high, $local_low, $local_high. */
export const IN_WINDOW = `datetime BETWEEN $low AND $high AND datetime_local > $local_low AND datetime_local <= $local_high`;

export const rangeParameters = (range: WindowRange) => ({
  low: range.low,
  high: range.high,
  local_low: range.localLow,
  local_high: range.localHigh,
});

/** The ETag loadedFiles reports for a file whose chunk has no marker: it never matches a listing. */
export const UNCONFIRMED_ETAG = '';

/**
 * What the lake already holds for a window: every file that left rows in measurements or a
 * reject, by key, with its ETag. A file whose chunk never got its row in `commits` (a crash
 * between the chunk's table commits) is reported with UNCONFIRMED_ETAG, so it is loaded again.
 */
export async function loadedFiles(
  session: LakeSession,
  namespace: string,
  range: WindowRange,
): Promise<LoadedFiles> {
  const table = (name: string) => qualifiedName(session.catalog, namespace, name);
  const reader = await session.connection.runAndReadAll(
    `WITH lineage AS (
       SELECT DISTINCT source_key, source_etag, run_id, ingested_at AS at FROM ${table(MEASUREMENTS.name)}
       WHERE ${IN_WINDOW}
       UNION SELECT DISTINCT source_key, source_etag, run_id, rejected_at FROM ${table(REJECTS.name)})
     SELECT l.source_key,
            CASE WHEN bool_and(c.run_id IS NOT NULL) AND count(DISTINCT l.source_etag) = 1
                 THEN min(l.source_etag) ELSE $unconfirmed END
     FROM lineage l LEFT JOIN (SELECT DISTINCT run_id, committed_at FROM ${table(COMMITS.name)}) c
       ON c.run_id = l.run_id AND c.committed_at = l.at
     GROUP BY l.source_key`,
    { ...rangeParameters(range), unconfirmed: UNCONFIRMED_ETAG },
  );
  return new Map(reader.getRows() as [string, string][]);
}
