import PQueue from 'p-queue';
import { parseArchiveDay, type ArchiveDay } from '../model/archiveDay.ts';
import { ARCHIVE_KEY_PREFIX, parseArchiveKey } from './archiveKey.ts';
import type { ArchiveStore } from './archiveStore.ts';
import { resolveStations, type ListWindowRequest } from './listWindow.ts';

/** How many archive files each station has in each month of a window, from the real listing. */
export interface WindowFileCounts {
  /** The listed stations, sorted by id. */
  readonly stations: readonly number[];
  /**
   * Files per month of the window, one array per station (same order as `stations`): index 0 is
   * the window's first month. Only days within [from, to] are counted.
   */
  readonly perMonth: readonly Uint32Array[];
  /** Number of months of the window (the length of each `perMonth` array). */
  readonly months: number;
  /** Files counted in all. */
  readonly files: number;
  /** Listings started (each one page: a station-year holds at most 366 keys, a page 1,000). */
  readonly listRequests: number;
  /** Keys that do not match the archive layout (ignored). */
  readonly unmatchedKeys: number;
}

/**
 * Counts the window's files per station and month. The listing is one request per station and
 * year the window touches (`locationid=N/year=Y/`: at most 366 keys, one page): for a 10-year
 * window that is 10 requests a station instead of 120 station-month listings, and no page holds
 * keys outside the window's years. Holds counts, never keys, so a decade of tens of thousands of
 * stations costs a few tens of MB.
 */
export async function countWindowFiles(
  store: ArchiveStore,
  request: ListWindowRequest,
): Promise<WindowFileCounts> {
  const from = parseArchiveDay(request.from);
  const to = parseArchiveDay(request.to);
  if (from > to) {
    throw new Error(`source: Expected \`from\` to be on or before \`to\`, got ${from} > ${to}`);
  }
  const resolved = await resolveStations(store, request);
  const { stations } = resolved;
  const [firstYear, firstMonth] = yearMonth(from);
  const [lastYear, lastMonth] = yearMonth(to);
  const months = (lastYear - firstYear) * 12 + (lastMonth - firstMonth) + 1;
  const perMonth = stations.map(() => new Uint32Array(months));
  let files = 0;
  let listRequests = resolved.listRequests;
  let unmatchedKeys = resolved.unmatchedPrefixes.length;

  const queue = new PQueue({ concurrency: request.concurrency });
  let failure: { error: unknown } | undefined;
  const countYear = async (index: number, prefix: string): Promise<void> => {
    const counts = perMonth[index]!;
    for await (const object of store.listObjects(prefix)) {
      if (failure !== undefined) return;
      const parsed = parseArchiveKey(object.key);
      if (parsed === undefined) {
        unmatchedKeys += 1;
        continue;
      }
      if (parsed.day < from || parsed.day > to) continue;
      const [year, month] = yearMonth(parsed.day);
      counts[(year - firstYear) * 12 + (month - firstMonth)]! += 1;
      files += 1;
    }
  };
  for (const [index, station] of stations.entries()) {
    for (let year = firstYear; year <= lastYear; year++) {
      if (failure !== undefined) break;
      await queue.onSizeLessThan(request.concurrency);
      listRequests += 1;
      const prefix = `${ARCHIVE_KEY_PREFIX}locationid=${station}/year=${year}/`;
      queue
        .add(() => countYear(index, prefix))
        .catch((error: unknown) => {
          if (failure !== undefined) return;
          failure = { error };
          queue.clear();
        });
    }
  }
  await queue.onIdle();
  if (failure !== undefined) throw failure.error;
  return { stations, perMonth, months, files, listRequests, unmatchedKeys };
}

const yearMonth = (day: ArchiveDay): [number, number] => [
  Number(day.slice(0, 4)),
  Number(day.slice(5, 7)),
];
