/**
 * A calendar day of the OpenAQ archive, written `YYYY-MM-DD`. The archive keeps one file per
 * location per local day, so the day is a plain calendar date with no time zone attached.
 */
export type ArchiveDay = `${number}-${number}-${number}`;

const DAY_MS = 86_400_000;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Epoch milliseconds of `year-month-day` 00:00 UTC, or undefined when that is not a real calendar
 * date (month 13, February 30, …). Years before 100 are refused (Date.UTC would read them as
 * 19xx); the archive starts in the 2010s.
 */
export function calendarDateMs(year: number, month: number, day: number): number | undefined {
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCDate() !== day) return undefined;
  return ms;
}

/** Validates `YYYY-MM-DD` as a real calendar date. */
export function parseArchiveDay(s: string): ArchiveDay {
  const m = DAY_PATTERN.exec(s);
  if (m === null || calendarDateMs(Number(m[1]), Number(m[2]), Number(m[3])) === undefined) {
    throw new Error(`openaq: invalid day "${s}", expected YYYY-MM-DD`);
  }
  return s as ArchiveDay;
}

/** Epoch milliseconds of the day's 00:00 UTC (also the day's local 00:00 read as if it were UTC). */
export function archiveDayToMs(day: ArchiveDay): number {
  const ms = DAY_PATTERN.test(day) ? calendarDateMs(...splitDay(day)) : undefined;
  if (ms === undefined) throw new Error(`openaq: invalid day "${day}", expected YYYY-MM-DD`);
  return ms;
}

/** The day that contains the UTC instant `ms`. */
export function archiveDayFromMs(ms: number): ArchiveDay {
  if (!Number.isFinite(ms)) throw new Error(`openaq: invalid instant ${ms}, expected epoch ms`);
  return new Date(ms).toISOString().slice(0, 10) as ArchiveDay;
}

/** `day` moved by `n` days (n may be negative). */
export function addDays(day: ArchiveDay, n: number): ArchiveDay {
  if (!Number.isInteger(n))
    throw new Error(`openaq: Expected days to add to be an integer, got ${n}`);
  return archiveDayFromMs(archiveDayToMs(day) + n * DAY_MS);
}

/** Every day from `from` to `to`, both included, in order; empty when `from` is after `to`. */
export function daysBetween(from: ArchiveDay, to: ArchiveDay): ArchiveDay[] {
  const end = archiveDayToMs(to);
  const days: ArchiveDay[] = [];
  for (let ms = archiveDayToMs(from); ms <= end; ms += DAY_MS) days.push(archiveDayFromMs(ms));
  return days;
}

function splitDay(day: string): [number, number, number] {
  return [Number(day.slice(0, 4)), Number(day.slice(5, 7)), Number(day.slice(8, 10))];
}
