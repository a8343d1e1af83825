/** When a station reads in a local day: real IANA zones, DST days of 23 or 25 hours. */
import { archiveDayToMs, type ArchiveDay } from '../../job/model/archiveDay.ts';
import { pad2 } from './seededRandom.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export interface ReadingTime {
  utcMs: number;
  /** `YYYY-MM-DD HH:MM:SS` local wall time. */
  local: string;
  offset: string;
  /** As written in the file: `YYYY-MM-DDTHH:MM:SS±HH:MM`. */
  datetime: string;
  hourOfDay: number;
}

const timesCache = new Map<string, readonly ReadingTime[]>();
const TIMES_CACHE_LIMIT = 20_000;

/**
 * The instants whose local wall time is in (day 00:00, day+1 00:00] and a multiple of the cadence,
 * in time order. On a DST day that is 23 or 25 hourly readings with two offsets. Cached: callers
 * must not modify the result.
 */
export function localDayReadingTimes(
  timeZone: string,
  day: ArchiveDay,
  cadenceMinutes: number,
): readonly ReadingTime[] {
  const cacheKey = `${timeZone}|${day}|${cadenceMinutes}`;
  const cached = timesCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const cadenceMs = cadenceMinutes * MINUTE_MS;
  const startWall = archiveDayToMs(day);
  const endWall = startWall + DAY_MS;
  const times: ReadingTime[] = [];
  const add = (utcMs: number, offsetMs: number): void => {
    const wall = utcMs + offsetMs;
    if (wall > startWall && wall <= endWall && wall % cadenceMs === 0) {
      times.push(readingTime(utcMs, offsetMs));
    }
  };
  // Offsets change by at most a few hours across a day; scan a margin of UTC hours around it.
  const approxOffset = offsetMsAt(timeZone, startWall);
  const firstHour = Math.floor((startWall - approxOffset) / HOUR_MS) * HOUR_MS - 3 * HOUR_MS;
  const lastHour = firstHour + DAY_MS + 6 * HOUR_MS;
  for (let hour = firstHour; hour < lastHour; hour += HOUR_MS) {
    const offset = offsetMsAt(timeZone, hour);
    if (offset === offsetMsAt(timeZone, hour + HOUR_MS)) {
      const firstWall = Math.ceil((hour + offset) / cadenceMs) * cadenceMs;
      for (let wall = firstWall; wall < hour + HOUR_MS + offset; wall += cadenceMs) {
        add(wall - offset, offset);
      }
    } else {
      // The offset changes inside this hour: look at each 5-minute instant on its own.
      for (let t = hour; t < hour + HOUR_MS; t += 5 * MINUTE_MS) add(t, exactOffsetMs(timeZone, t));
    }
  }
  if (timesCache.size >= TIMES_CACHE_LIMIT) timesCache.clear();
  timesCache.set(cacheKey, times);
  return times;
}

function readingTime(utcMs: number, offsetMs: number): ReadingTime {
  const wallIso = new Date(utcMs + offsetMs).toISOString();
  const minutes = Math.abs(offsetMs) / MINUTE_MS;
  const offset = `${offsetMs < 0 ? '-' : '+'}${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
  return {
    utcMs,
    local: `${wallIso.slice(0, 10)} ${wallIso.slice(11, 19)}`,
    offset,
    datetime: `${wallIso.slice(0, 19)}${offset}`,
    hourOfDay: Number(wallIso.slice(11, 13)) + Number(wallIso.slice(14, 16)) / 60,
  };
}

const offsetCache = new Map<string, Map<number, number>>();
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's UTC offset at an instant on a whole UTC hour, cached per hour. */
function offsetMsAt(timeZone: string, hourMs: number): number {
  let zone = offsetCache.get(timeZone);
  if (zone === undefined) {
    zone = new Map();
    offsetCache.set(timeZone, zone);
  }
  let offset = zone.get(hourMs);
  if (offset === undefined) {
    offset = exactOffsetMs(timeZone, hourMs);
    if (zone.size >= 1_000_000) zone.clear();
    zone.set(hourMs, offset);
  }
  return offset;
}

/** The zone's UTC offset at an instant, from Intl (`GMT+05:30`, `GMT-07:00`, `GMT`). */
function exactOffsetMs(timeZone: string, utcMs: number): number {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    formatters.set(timeZone, formatter);
  }
  const name = formatter.formatToParts(utcMs).find((part) => part.type === 'timeZoneName')?.value;
  if (name === 'GMT') return 0;
  const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name ?? '');
  if (m === null) throw new Error(`mirror: unexpected offset "${name}" for time zone ${timeZone}`);
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * MINUTE_MS;
}
