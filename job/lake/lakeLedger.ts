import { DuckDBTimestampTZValue, DuckDBTimestampValue, listValue } from '@duckdb/node-api';
import type { ArchiveDay } from '../model/archiveDay.ts';
import { localDaysBounds } from '../model/localDay.ts';
import { FILES } from '../tables.ts';
import type { LakeSession } from './lakeSession.ts';
import { dateValue } from './duckdbTypes.ts';
import { qualifiedName } from './tableDdl.ts';

/** The files ledger as read for a piece: archive keys already in the lake, with the ETag loaded. */
export type FilesLedger = ReadonlyMap<string, string>;

/** Bounds that every row of a window's files satisfies, so lookups and deletes can prune. */
export interface WindowRange {
  /** UTC instants, from the real offsets −12:00 … +14:00 (data-file statistics prune on these). */
  readonly low: DuckDBTimestampTZValue;
  readonly high: DuckDBTimestampTZValue;
  /** Local wall time, (first day 00:00, day after the last 00:00] (partitions prune on these). */
  readonly localLow: DuckDBTimestampValue;
  readonly localHigh: DuckDBTimestampValue;
}

/**
 * The bounds of the files of archive days [from, to], given as the UTC midnights of those days;
 * `localDaysBounds` (shared with the parser, which refuses any reading outside them) owns the rule.
 */
export function windowRange(fromDayMs: number, toDayMs: number): WindowRange {
  const bounds = localDaysBounds(fromDayMs, toDayMs);
  const micros = (ms: number): bigint => BigInt(ms) * 1000n;
  return {
    low: new DuckDBTimestampTZValue(micros(bounds.instantFromMs)),
    high: new DuckDBTimestampTZValue(micros(bounds.instantUntilMs)),
    localLow: new DuckDBTimestampValue(micros(bounds.wallAfterMs)),
    localHigh: new DuckDBTimestampValue(micros(bounds.wallUntilMs)),
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
 * What the lake already holds for a piece of a window, from the files ledger: every file loaded,
 * rejected whole or empty, by key, with its ETag. The read is bounded by the piece's days and
 * stations, so it costs the piece, not the table's history. Files whose chunk did not finish (no
 * ledger row) are absent, so they are loaded again.
 */
export async function readFilesLedger(
  session: LakeSession,
  namespace: string,
  piece: {
    readonly from: ArchiveDay;
    readonly to: ArchiveDay;
    /** Location ids; all stations when absent. */
    readonly stations?: readonly number[];
  },
): Promise<FilesLedger> {
  const stations = piece.stations;
  const reader = await session.connection.runAndReadAll(
    `SELECT source_key, source_etag FROM ${qualifiedName(session.catalog, namespace, FILES.name)}
     WHERE archive_day BETWEEN $from AND $to${
       stations === undefined
         ? ''
         : ' AND location_id BETWEEN $low_station AND $high_station AND list_contains($stations, location_id)'
     }`,
    {
      from: dateValue(piece.from),
      to: dateValue(piece.to),
      ...(stations === undefined
        ? {}
        : {
            ...stationBounds(stations),
            stations: listValue(stations.map((id) => BigInt(id))),
          }),
    },
  );
  return new Map(reader.getRows() as [string, string][]);
}

/** The lowest and highest id, for pruning on location_id's statistics. */
function stationBounds(stations: readonly number[]): { low_station: bigint; high_station: bigint } {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const id of stations) {
    low = Math.min(low, id);
    high = Math.max(high, id);
  }
  return { low_station: BigInt(low), high_station: BigInt(high) };
}
