import { addDays, archiveDayFromMs, type ArchiveDay } from './model/archiveDay.ts';

/**
 * A bounded part of a window: a day range (one month, or several for few stations) and a slice
 * of stations. Each piece is exactly what `backfill --from <from> --to <to> --stations <stations>`
 * loads, so pieces can also run as separate processes.
 */
export interface Piece {
  readonly from: ArchiveDay;
  readonly to: ArchiveDay;
  /** Location ids, sorted. */
  readonly stations: readonly number[];
}

/**
 * Cuts a window into pieces of at most `maxStationDays` station-days (so at most that many
 * listed files: the archive has one file per station and day). Consecutive months of all the
 * stations go into one piece while they fit; a month that does not fit alone is cut into slices of
 * consecutive station ids. A month of one station is the smallest piece (its listing is one
 * request), so `maxStationDays` must be at least 31.
 */
export function* planPieces(
  window: { readonly from: ArchiveDay; readonly to: ArchiveDay },
  stations: readonly number[],
  maxStationDays: number,
): Generator<Piece> {
  if (!Number.isInteger(maxStationDays) || maxStationDays < 31) {
    throw new Error(
      `plan: Expected \`maxStationDays\` to be an integer >= 31 (a month of one station), got \`${maxStationDays}\``,
    );
  }
  const sorted = [...new Set(stations)].sort((a, b) => a - b);
  if (sorted.length === 0) return;
  let group: { from: ArchiveDay; to: ArchiveDay; days: number } | undefined;
  for (const month of monthsOf(window.from, window.to)) {
    const days = dayCount(month.from, month.to);
    if (group !== undefined && sorted.length * (group.days + days) <= maxStationDays) {
      group = { from: group.from, to: month.to, days: group.days + days };
      continue;
    }
    if (group !== undefined) yield { from: group.from, to: group.to, stations: sorted };
    group = undefined;
    if (sorted.length * days <= maxStationDays) {
      group = { ...month, days };
      continue;
    }
    const perPiece = Math.max(1, Math.floor(maxStationDays / days));
    for (let i = 0; i < sorted.length; i += perPiece) {
      yield { ...month, stations: sorted.slice(i, i + perPiece) };
    }
  }
  if (group !== undefined) yield { from: group.from, to: group.to, stations: sorted };
}

/** The window's days cut at month ends: [from, end of month], …, [start of month, to]. */
export function monthsOf(from: ArchiveDay, to: ArchiveDay): { from: ArchiveDay; to: ArchiveDay }[] {
  const months: { from: ArchiveDay; to: ArchiveDay }[] = [];
  let start = from;
  while (start <= to) {
    const [year, month] = [Number(start.slice(0, 4)), Number(start.slice(5, 7))];
    const monthEnd = archiveDayFromMs(Date.UTC(year, month, 0));
    const end = monthEnd < to ? monthEnd : to;
    months.push({ from: start, to: end });
    start = addDays(end, 1);
  }
  return months;
}

const dayCount = (from: ArchiveDay, to: ArchiveDay): number =>
  Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;
