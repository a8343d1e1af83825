import { calendarDateMs, parseArchiveDay } from '../model/archiveDay.ts';
import type { ArchiveDay } from '../model/archiveDay.ts';

export type { ArchiveDay } from '../model/archiveDay.ts';

/** Where the per-location daily CSV files live in the `openaq-data-archive` bucket. */
export const ARCHIVE_KEY_PREFIX = 'records/csv.gz/';

/** What a valid archive key names: one location's file for one local day. */
export interface ArchiveKey {
  locationId: number;
  day: ArchiveDay;
}

// locationid=N/year=Y/month=MM/location-N-YYYYMMDD.csv.gz, ids without leading zeros so that
// formatArchiveKey(parseArchiveKey(k)) === k. The agreements the pattern cannot express (the two
// ids, the folders and the date in the name) are checked in parseArchiveKey.
const KEY_PATTERN =
  /^records\/csv\.gz\/locationid=([1-9]\d*)\/year=(\d{4})\/month=(\d{2})\/location-([1-9]\d*)-(\d{4})(\d{2})(\d{2})\.csv\.gz$/;

/** `records/csv.gz/locationid=N/year=Y/month=MM/location-N-YYYYMMDD.csv.gz` */
export function formatArchiveKey(locationId: number, day: ArchiveDay): string {
  checkLocationId(locationId);
  const [year, month, dd] = parseArchiveDay(day).split('-');
  return `${monthPrefix(locationId, Number(year), Number(month))}location-${locationId}-${year}${month}${dd}.csv.gz`;
}

/**
 * The location and day a key names, or undefined when the key is not exactly the archive layout:
 * the folder's and the file name's location ids must agree, the year and month folders must match
 * the date in the name, and the date must exist. `loc-…` names and other objects do not match.
 */
export function parseArchiveKey(key: string): ArchiveKey | undefined {
  const m = KEY_PATTERN.exec(key);
  if (m === null) return undefined;
  const [, folderId, folderYear, folderMonth, fileId, year, month, dd] = m;
  if (folderId !== fileId || folderYear !== year || folderMonth !== month) return undefined;
  const locationId = Number(fileId);
  if (!Number.isSafeInteger(locationId)) return undefined;
  if (calendarDateMs(Number(year), Number(month), Number(dd)) === undefined) return undefined;
  return { locationId, day: `${year}-${month}-${dd}` as ArchiveDay };
}

/** The folder holding one location's files for one month, for listing: `…/year=Y/month=MM/`. */
export function monthPrefix(locationId: number, year: number, month: number): string {
  checkLocationId(locationId);
  if (!Number.isInteger(year) || year < 1000 || year > 9999) {
    throw new Error(`openaq: Expected year to be a 4-digit integer, got ${year}`);
  }
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    throw new Error(`openaq: Expected month to be an integer from 1 to 12, got ${month}`);
  }
  const mm = String(month).padStart(2, '0');
  return `${ARCHIVE_KEY_PREFIX}locationid=${locationId}/year=${year}/month=${mm}/`;
}

function checkLocationId(locationId: number): void {
  if (!Number.isSafeInteger(locationId) || locationId < 1) {
    throw new Error(`openaq: Expected location id to be an integer >= 1, got ${locationId}`);
  }
}
