import { DuckDBTimestampTZValue, DuckDBTimestampValue } from '@duckdb/node-api';
import { MEASUREMENTS, REJECTS } from '../tables.ts';
import type { LakeSession } from './lakeSession.ts';
import { STAGING_ALIAS } from './stagingArea.ts';
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

/**
 * What the lake already holds for a window: every file that left rows in measurements or a
 * reject, by key, with its ETag. A file is never in the lake with two ETags (a replacement
 * deletes the old rows in the same commit).
 */
export async function loadedFiles(
  session: LakeSession,
  namespace: string,
  range: WindowRange,
): Promise<LoadedFiles> {
  const measurements = qualifiedName(session.catalog, namespace, MEASUREMENTS.name);
  const rejects = qualifiedName(session.catalog, namespace, REJECTS.name);
  const reader = await session.connection.runAndReadAll(
    `SELECT DISTINCT source_key, source_etag FROM ${measurements} WHERE ${IN_WINDOW}
     UNION SELECT DISTINCT source_key, source_etag FROM ${rejects}`,
    rangeParameters(range),
  );
  return new Map(reader.getRows() as [string, string][]);
}

/** After a commit whose outcome is unknown: does the lake hold every staged file with its ETag? */
export async function stagedFilesLanded(
  session: LakeSession,
  namespace: string,
  range: WindowRange,
): Promise<boolean> {
  const loaded = await loadedFiles(session, namespace, range);
  const staged = await session.connection.runAndReadAll(
    `SELECT source_key, source_etag FROM ${STAGING_ALIAS}.stage_files`,
  );
  return (staged.getRows() as [string, string][]).every(([key, etag]) => loaded.get(key) === etag);
}
