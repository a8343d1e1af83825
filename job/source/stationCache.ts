import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Where the archive's location ids are kept between runs: listing them is one request per 1,000
 * ids, in sequence, so the next run lists the months of the cached ids while it lists the ids
 * again (listWindow). The cache saves time; it never decides which stations are listed.
 */
export interface StationCache {
  /** The cached ids, or undefined when there are none or they are too old. */
  read(): Promise<number[] | undefined>;
  write(ids: number[]): Promise<void>;
}

/** How long cached ids are used before a listing replaces them. */
export const STATION_CACHE_MAX_AGE_MS = 24 * 3_600_000;

/** The station cache a run's config names (`stationCachePath`), as options for listWindow. */
export const stationCacheOption = (path: string | undefined): { stationCache?: StationCache } =>
  path === undefined ? {} : { stationCache: fileStationCache(path, STATION_CACHE_MAX_AGE_MS) };

interface CacheFile {
  /** Epoch ms of the listing. */
  writtenAt: number;
  ids: number[];
}

/**
 * A StationCache in a JSON file `{ writtenAt, ids }`. Entries older than `maxAgeMs` (or dated in
 * the future, or unreadable) count as absent and are replaced on the next write; the file is
 * written to a temporary name and renamed, so a crash never leaves half a file.
 */
export function fileStationCache(
  path: string,
  maxAgeMs: number,
  now: () => number = Date.now,
): StationCache {
  if (!Number.isFinite(maxAgeMs) || maxAgeMs < 0) {
    throw new Error(`source: Expected \`maxAgeMs\` to be a number >= 0, got \`${maxAgeMs}\``);
  }
  return {
    async read(): Promise<number[] | undefined> {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
      const cached = parseCacheFile(text);
      if (cached === undefined) return undefined;
      const age = now() - cached.writtenAt;
      return age >= 0 && age <= maxAgeMs ? cached.ids : undefined;
    },

    async write(ids: number[]): Promise<void> {
      const content: CacheFile = { writtenAt: now(), ids };
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify(content));
      await rename(temporary, path);
    },
  };
}

function parseCacheFile(text: string): CacheFile | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { writtenAt, ids } = value as Partial<CacheFile>;
  if (typeof writtenAt !== 'number' || !Array.isArray(ids)) return undefined;
  if (!ids.every((id) => Number.isSafeInteger(id) && id >= 1)) return undefined;
  return { writtenAt, ids };
}
