import { monthsOf } from '../planPieces.ts';
import type { ArchiveDay } from '../model/archiveDay.ts';
import type { WindowFileCounts } from '../source/countWindowFiles.ts';
import { formatStationRanges } from '../model/stationSelection.ts';
import { shardCommand, type Shard } from './shard.ts';

/** The smallest shard bound: a month of one station (one file a day). */
export const MIN_FILES_PER_SHARD = 31;

/**
 * Cuts a window into shards of at most `maxFiles` listed files, balanced by files (not by station
 * count). The window is first cut into the fewest periods (the whole window, else groups of 12, 6,
 * 3, 2 or 1 months) in which no station alone exceeds `maxFiles`; each period's stations, in id
 * order, are then packed into consecutive id ranges of about equal files (the period's files over
 * the fewest shards that can hold them), each at most `maxFiles`. Stations without files in a
 * period are in no shard of it. Pure: the same counts give the same plan.
 */
export function planShards(
  window: { readonly from: ArchiveDay; readonly to: ArchiveDay },
  counts: WindowFileCounts,
  maxFiles: number,
): Shard[] {
  if (!Number.isInteger(maxFiles) || maxFiles < MIN_FILES_PER_SHARD) {
    throw new Error(
      `plan: Expected \`--max-files-per-shard\` to be an integer >= ${MIN_FILES_PER_SHARD} (a month of one station), got \`${maxFiles}\``,
    );
  }
  const months = monthsOf(window.from, window.to);
  if (months.length !== counts.months) {
    throw new Error(
      `plan: the counts cover ${counts.months} months, the window ${window.from}..${window.to} ${months.length}`,
    );
  }
  const size = periodSize(counts, maxFiles);
  const shards: Shard[] = [];
  for (let first = 0; first < months.length; first += size) {
    const last = Math.min(months.length, first + size) - 1;
    const from = months[first]!.from;
    const to = months[last]!.to;
    const files = counts.stations.map((_, i) => sum(counts.perMonth[i]!, first, last));
    const total = files.reduce((a, b) => a + b, 0);
    if (total === 0) continue;
    const target = total / Math.ceil(total / maxFiles);
    let group: { low: number; high: number; stations: number; files: number } | undefined;
    const emit = (): void => {
      if (group === undefined) return;
      const stations = formatStationRanges([[group.low, group.high]]);
      shards.push({
        shard: `s${String(shards.length + 1).padStart(4, '0')}`,
        from,
        to,
        stations,
        stationCount: group.stations,
        files: group.files,
        command: shardCommand(from, to, stations),
      });
      group = undefined;
    };
    for (const [i, station] of counts.stations.entries()) {
      const n = files[i]!;
      if (n === 0) continue;
      if (group !== undefined && group.files + n > maxFiles) emit();
      group =
        group === undefined
          ? { low: station, high: station, stations: 1, files: n }
          : { ...group, high: station, stations: group.stations + 1, files: group.files + n };
      if (group.files >= target) emit();
    }
    emit();
  }
  return shards;
}

/** Months per period: the largest of (all, 12, 6, 3, 2, 1) in which no station exceeds maxFiles. */
function periodSize(counts: WindowFileCounts, maxFiles: number): number {
  const sizes = [counts.months, 12, 6, 3, 2, 1].filter((s) => s <= counts.months);
  for (const size of sizes) {
    const fits = counts.perMonth.every((perMonth) => {
      for (let first = 0; first < counts.months; first += size) {
        if (sum(perMonth, first, Math.min(counts.months, first + size) - 1) > maxFiles)
          return false;
      }
      return true;
    });
    if (fits) return size;
  }
  return 1; // a station-month holds at most 31 files, never more than MIN_FILES_PER_SHARD
}

function sum(values: Uint32Array, first: number, last: number): number {
  let total = 0;
  for (let i = first; i <= last; i++) total += values[i]!;
  return total;
}
