import { DuckDBTimestampTZValue } from '@duckdb/node-api';
import { MEASUREMENTS, REJECTS } from '../tables.ts';
import type { LakeSession } from './lakeSession.ts';
import { STAGING_ALIAS } from './stagingArea.ts';
import { qualifiedName } from './tableDdl.ts';

/** Archive keys already in the lake, with the ETag they were loaded with. */
export type LoadedFiles = ReadonlyMap<string, string>;

/**
 * The readings of archive day D lie in (D 00:00, D+1 00:00] local time, and local offsets span
 * UTC-12 to UTC+14: so every row of the files of days [from, to] has its instant in this range,
 * which lets the lake prune partitions when it looks a window's lineage up.
 */
export function windowInstantRange(
  fromDayMs: number,
  toDayMs: number,
): { low: DuckDBTimestampTZValue; high: DuckDBTimestampTZValue } {
  const hour = 3_600_000;
  return {
    low: new DuckDBTimestampTZValue(BigInt(fromDayMs - 15 * hour) * 1000n),
    high: new DuckDBTimestampTZValue(BigInt(toDayMs + 24 * hour + 13 * hour) * 1000n),
  };
}

/**
 * What the lake already holds for a window: every file that left rows in measurements or a
 * reject, by key, with its ETag. A file is never in the lake with two ETags (a replacement
 * deletes the old rows in the same commit).
 */
export async function loadedFiles(
  session: LakeSession,
  namespace: string,
  range: { low: DuckDBTimestampTZValue; high: DuckDBTimestampTZValue },
): Promise<LoadedFiles> {
  const measurements = qualifiedName(session.catalog, namespace, MEASUREMENTS.name);
  const rejects = qualifiedName(session.catalog, namespace, REJECTS.name);
  const reader = await session.connection.runAndReadAll(
    `SELECT DISTINCT source_key, source_etag FROM ${measurements} WHERE datetime BETWEEN $low AND $high
     UNION SELECT DISTINCT source_key, source_etag FROM ${rejects}`,
    { low: range.low, high: range.high },
  );
  return new Map(reader.getRows() as [string, string][]);
}

/** After a commit whose outcome is unknown: does the lake hold every staged file with its ETag? */
export async function stagedFilesLanded(
  session: LakeSession,
  namespace: string,
  range: { low: DuckDBTimestampTZValue; high: DuckDBTimestampTZValue },
): Promise<boolean> {
  const loaded = await loadedFiles(session, namespace, range);
  const staged = await session.connection.runAndReadAll(
    `SELECT source_key, source_etag FROM ${STAGING_ALIAS}.stage_files`,
  );
  return (staged.getRows() as [string, string][]).every(([key, etag]) => loaded.get(key) === etag);
}
