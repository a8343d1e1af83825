/**
 * Which stations a run loads: every station of the archive, a list of location ids, or ranges of
 * ids. A range names no ids by itself (ids are sparse, in the millions): it selects the stations
 * of the archive's listing that fall in it, so a shard of a plan is `--stations 1000-2437`, a few
 * bytes however many stations it holds.
 */
export type StationSelection = 'all' | readonly number[] | StationRanges;

export interface StationRanges {
  /** Inclusive [low, high] id ranges, sorted, not overlapping. */
  readonly ranges: readonly (readonly [number, number])[];
}

export const isStationRanges = (selection: StationSelection): selection is StationRanges =>
  typeof selection === 'object' && 'ranges' in selection;

/** Whether `id` falls in one of the ranges. */
export function inRanges(selection: StationRanges, id: number): boolean {
  return selection.ranges.some(([low, high]) => id >= low && id <= high);
}

/** `1000-2437` or `7` for one id; ranges joined by commas: the `--stations` text of a selection. */
export function formatStationRanges(ranges: readonly (readonly [number, number])[]): string {
  return ranges.map(([low, high]) => (low === high ? String(low) : `${low}-${high}`)).join(',');
}

/**
 * Parses `--stations`: `all`, ids (`2178,8118`), or ranges mixed with ids (`1000-2437,5000`).
 * Without a range the ids are listed as given; with one, every part selects from the archive's
 * stations. Returns an error text (the caller adds its domain) for anything else.
 */
export function parseStationSelection(value: string): StationSelection | { error: string } {
  if (value === 'all') return 'all';
  const parts = value.split(',').map((part) => part.trim());
  const ranges: [number, number][] = [];
  let hasRange = false;
  for (const part of parts) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    const low = m ? Number(m[1]) : Number.NaN;
    const high = m?.[2] !== undefined ? Number(m[2]) : low;
    if (m?.[2] !== undefined) hasRange = true;
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || low < 1 || high < low) {
      return {
        error: `Expected \`--stations\` to be "all", location ids like 2178,8118 or id ranges like 1000-2437 (low <= high, ids >= 1), got \`${value}\` (bad part \`${part}\`)`,
      };
    }
    ranges.push([low, high]);
  }
  if (!hasRange) return [...new Set(ranges.map(([id]) => id))].sort((a, b) => a - b);
  return { ranges: mergeRanges(ranges) };
}

function mergeRanges(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [low, high] of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && low <= last[1] + 1) last[1] = Math.max(last[1], high);
    else merged.push([low, high]);
  }
  return merged;
}

/** A selection of ids or ranges as ranges (an id is a range of one). */
export const selectionRanges = (
  selection: readonly number[] | StationRanges,
): readonly (readonly [number, number])[] =>
  isStationRanges(selection) ? selection.ranges : selection.map((id) => [id, id] as const);
