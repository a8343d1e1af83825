import PQueue from 'p-queue';
import { parseArchiveDay } from '../model/archiveDay.ts';
import type { ArchiveDay } from '../model/archiveDay.ts';
import { ARCHIVE_KEY_PREFIX, monthPrefix, parseArchiveKey } from './archiveKey.ts';
import type { ArchiveObject, ArchiveStore } from './archiveStore.ts';
import type { StationCache } from './stationCache.ts';
import { inRanges, isStationRanges, type StationSelection } from '../model/stationSelection.ts';

/** A listed archive file whose key matched the layout, with the location and day it names. */
export interface ListedFile extends ArchiveObject {
  readonly locationId: number;
  readonly day: ArchiveDay;
}

export interface WindowListing {
  /** The files of the window, sorted by day, then location id. */
  files: ListedFile[];
  /** Keys (and location prefixes) under the listed prefixes that do not match the layout: reported, not fatal. */
  unmatchedKeys: string[];
  /** How many locations had their months listed. */
  stationsListed: number;
  /** How many listings were started (listObjects/listPrefixes calls; each may take several pages). */
  listRequests: number;
}

export interface ListWindowRequest {
  /**
   * Location ids to list, 'all' for every `locationid=N/` prefix of the archive, or ranges of ids
   * (the archive's stations that fall in them).
   */
  readonly stations: StationSelection;
  /** First day of the window, included. */
  readonly from: ArchiveDay;
  /** Last day of the window, included. */
  readonly to: ArchiveDay;
  /** Listings in flight at once. */
  readonly concurrency: number;
  /**
   * The ids of 'all' from the previous run: their months are listed while the prefixes are listed
   * again (always, so new stations are seen). Default: none, the months wait for the prefixes.
   */
  readonly stationCache?: StationCache;
}

const LOCATION_PREFIX = /^records\/csv\.gz\/locationid=([1-9]\d*)\/$/;

/**
 * The archive files of a window, from the real listing: one ListObjectsV2 per location and month
 * the window touches, `concurrency` at a time, keeping the keys whose day is in [from, to]. The
 * first failed listing stops the rest and is rethrown. Memory holds the window's files plus a
 * bounded number of pending listings, not one task per location-month.
 */
export async function listWindow(
  store: ArchiveStore,
  request: ListWindowRequest,
): Promise<WindowListing> {
  const { from, to, concurrency } = validate(request);
  const unmatchedKeys: string[] = [];
  let listRequests = 0;

  const resolved = await resolveStations(store, request);
  const { stations } = resolved;
  unmatchedKeys.push(...resolved.unmatchedPrefixes);
  listRequests += resolved.listRequests;

  const months = monthsBetween(from, to);
  const files: ListedFile[] = [];
  const queue = new PQueue({ concurrency });
  let failure: { error: unknown } | undefined;
  const stop = (error: unknown): void => {
    if (failure !== undefined) return; // the first error wins; cleared tasks reject too
    failure = { error };
    queue.clear();
  };

  const listMonth = async (prefix: string): Promise<void> => {
    for await (const object of store.listObjects(prefix)) {
      if (failure !== undefined) return;
      const parsed = parseArchiveKey(object.key);
      if (parsed === undefined) unmatchedKeys.push(object.key);
      else if (parsed.day >= from && parsed.day <= to) files.push({ ...object, ...parsed });
    }
  };

  const listStations = async (ids: readonly number[]): Promise<void> => {
    for (const station of ids) {
      for (const [year, month] of months) {
        if (failure !== undefined) return;
        const prefix = monthPrefix(station, year, month);
        await queue.onSizeLessThan(concurrency);
        listRequests++;
        queue.add(() => listMonth(prefix)).catch(stop);
      }
    }
  };

  await listStations(stations);
  const stationsListed = stations.length;
  await queue.onIdle();
  if (failure !== undefined) throw failure.error;

  files.sort(
    (a, b) => compare(a.day, b.day) || a.locationId - b.locationId || compare(a.key, b.key),
  );
  unmatchedKeys.sort(compare);
  return { files, unmatchedKeys, stationsListed, listRequests };
}

/**
 * The stations a window lists: the given ids, sorted, or for 'all' the archive's `locationid=N/`
 * prefixes (listed every run), or for ranges those of the archive's stations that fall in them.
 */
export async function resolveStations(
  store: ArchiveStore,
  request: Pick<ListWindowRequest, 'stations' | 'stationCache'>,
): Promise<{ stations: number[]; unmatchedPrefixes: string[]; listRequests: number }> {
  const unmatchedPrefixes: string[] = [];
  const selection = request.stations;
  if (selection !== 'all' && !isStationRanges(selection)) {
    return {
      stations: [...new Set(selection)].sort((a, b) => a - b),
      unmatchedPrefixes,
      listRequests: 0,
    };
  }
  const pick = (ids: number[]): number[] =>
    selection === 'all' ? ids : ids.filter((id) => inRanges(selection, id));
  // Listed on every run (one paginated listing of the location prefixes), so a station that
  // appeared in the archive is seen by the next run: a cache may save work, never hide a station.
  const stations = await listStationIds(store, unmatchedPrefixes);
  await request.stationCache?.write(stations);
  return { stations: pick(stations), unmatchedPrefixes, listRequests: 1 };
}

/** The location ids of the archive, from its `locationid=N/` prefixes, sorted. */
async function listStationIds(store: ArchiveStore, unmatched: string[]): Promise<number[]> {
  const ids: number[] = [];
  for await (const prefix of store.listPrefixes(ARCHIVE_KEY_PREFIX)) {
    const m = LOCATION_PREFIX.exec(prefix);
    const id = m === null ? Number.NaN : Number(m[1]);
    if (Number.isSafeInteger(id)) ids.push(id);
    else unmatched.push(prefix);
  }
  return [...new Set(ids)].sort((a, b) => a - b);
}

/** Every [year, month] from `from`'s month to `to`'s month, both included. */
function monthsBetween(from: ArchiveDay, to: ArchiveDay): [number, number][] {
  const months: [number, number][] = [];
  let year = Number(from.slice(0, 4));
  let month = Number(from.slice(5, 7));
  const endYear = Number(to.slice(0, 4));
  const endMonth = Number(to.slice(5, 7));
  while (year < endYear || (year === endYear && month <= endMonth)) {
    months.push([year, month]);
    month++;
    if (month > 12) {
      month = 1;
      year++;
    }
  }
  return months;
}

function validate(request: ListWindowRequest): {
  from: ArchiveDay;
  to: ArchiveDay;
  concurrency: number;
} {
  const from = parseArchiveDay(request.from);
  const to = parseArchiveDay(request.to);
  if (from > to) {
    throw new Error(`source: Expected \`from\` to be on or before \`to\`, got ${from} > ${to}`);
  }
  const { concurrency, stations } = request;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(
      `source: Expected \`concurrency\` to be an integer >= 1, got \`${concurrency}\``,
    );
  }
  if (stations !== 'all' && !isStationRanges(stations)) {
    const bad = stations.find((id) => !Number.isSafeInteger(id) || id < 1);
    if (bad !== undefined) {
      throw new Error(`source: Expected station ids to be integers >= 1, got \`${bad}\``);
    }
  }
  return { from, to, concurrency };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
