/**
 * The one owner of "which readings belong to a local day, and which instants they can have":
 * the parser (job/source) accepts a reading by these rules, and the lake (job/lake) bounds its
 * lookups and deletes by them, so the two can never disagree.
 *
 * The file of archive day D holds readings whose local wall time is in (D 00:00, D+1 00:00], and
 * real UTC offsets lie within −12:00 … +14:00 (../shared/OPENAQ_FORMAT.md, "Offsets").
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** The most negative real UTC offset, −12:00, in minutes. */
export const MIN_UTC_OFFSET_MINUTES = -12 * 60;
/** The most positive real UTC offset, +14:00, in minutes. */
export const MAX_UTC_OFFSET_MINUTES = 14 * 60;

/** Whether a UTC offset (in minutes east of UTC) is one a real location can have. */
export function isRealUtcOffset(offsetMinutes: number): boolean {
  return offsetMinutes >= MIN_UTC_OFFSET_MINUTES && offsetMinutes <= MAX_UTC_OFFSET_MINUTES;
}

/**
 * Whether a local wall time belongs to the day starting at `dayStartMs`: both are epoch ms of a
 * wall time read as if it were UTC.
 */
export function isInLocalDay(wallMs: number, dayStartMs: number): boolean {
  return wallMs > dayStartMs && wallMs <= dayStartMs + DAY_MS;
}

/** Bounds that every reading of the files of local days [first, last] satisfies. */
export interface LocalDaysBounds {
  /** Local wall time (read as UTC) is greater than this: the first day's 00:00. */
  readonly wallAfterMs: number;
  /** Local wall time (read as UTC) is at most this: the day after the last day, 00:00. */
  readonly wallUntilMs: number;
  /** The reading's instant is at least this: the first day's 00:00 at +14:00. */
  readonly instantFromMs: number;
  /** The reading's instant is at most this: the day after the last day, 00:00 at −12:00. */
  readonly instantUntilMs: number;
}

/**
 * The bounds of the readings of the files of local days `firstDayMs` … `lastDayMs` (each the
 * day's 00:00 read as UTC, as `archiveDayToMs` gives it), both included.
 */
export function localDaysBounds(firstDayMs: number, lastDayMs: number): LocalDaysBounds {
  if (!Number.isFinite(firstDayMs) || !Number.isFinite(lastDayMs) || firstDayMs > lastDayMs) {
    throw new Error(
      `openaq: Expected local days first <= last as epoch ms, got ${firstDayMs} and ${lastDayMs}`,
    );
  }
  const wallUntilMs = lastDayMs + DAY_MS;
  return {
    wallAfterMs: firstDayMs,
    wallUntilMs,
    instantFromMs: firstDayMs - MAX_UTC_OFFSET_MINUTES * MINUTE_MS,
    instantUntilMs: wallUntilMs - MIN_UTC_OFFSET_MINUTES * MINUTE_MS,
  };
}

/** `+05:30` for 330, `-12:00` for -720. */
export function formatUtcOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
