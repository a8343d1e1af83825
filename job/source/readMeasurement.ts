import { calendarDateMs } from '../model/archiveDay.ts';
import type { ArchiveDay } from '../model/archiveDay.ts';
import type { MeasurementColumns } from '../model/measurementColumns.ts';
import {
  MAX_UTC_OFFSET_MINUTES,
  MIN_UTC_OFFSET_MINUTES,
  formatUtcOffset,
  isInLocalDay,
  isRealUtcOffset,
} from '../model/localDay.ts';

/** The header every supported archive file starts with (quoted in the newer style). */
export const ARCHIVE_HEADER = [
  'location_id',
  'sensors_id',
  'location',
  'datetime',
  'lat',
  'lon',
  'parameter',
  'units',
  'value',
] as const;

export const FIELD_COUNT = ARCHIVE_HEADER.length;

const INTEGER = /^\d+$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** What a row is checked against: the file's station and local day. */
export interface RowContext {
  readonly locationId: number;
  readonly day: ArchiveDay;
  /** The day's local 00:00, as epoch ms of the same wall time in UTC. */
  readonly dayStartMs: number;
  /** Calendar dates (yyyymmdd) already checked in this file: rows share two or three. */
  readonly dates: Map<number, number | undefined>;
}

/**
 * The row's nine fields, or undefined when they cannot be told apart. In the unquoted style a
 * location name with commas splits into extra fields; the ids come first and the last six fields
 * are datetime..value, so the name is the middle rejoined, as long as the field where the datetime
 * should be is one (otherwise the extra commas are somewhere else and the row is ambiguous).
 */
export function toNineFields(fields: string[], quoted: boolean): string[] | undefined {
  if (fields.length === FIELD_COUNT) return fields;
  if (quoted || fields.length < FIELD_COUNT) return undefined;
  const tail = fields.slice(-6);
  if (!isDatetimeShape(tail[0]!)) return undefined;
  return [fields[0]!, fields[1]!, fields.slice(2, -6).join(','), ...tail];
}

// Scratch space of the row being read: parsing is synchronous, so one of each serves every row.
const problems: string[] = [];
const time = { utcMs: 0, wallMs: 0, offset: '+00:00' };
export const reading = {
  locationId: 0,
  sensorsId: null as number | null,
  location: null as string | null,
  utcMs: 0,
  wallMs: 0,
  offset: '+00:00',
  lat: null as number | null,
  lon: null as number | null,
  parameter: '',
  units: null as string | null,
  value: 0,
};

/** Reads the row into `reading`, or returns the reasons it is refused joined with `; `. */
export function readMeasurement(fields: readonly string[], file: RowContext): string | undefined {
  const [rawLocationId, rawSensorsId, location, rawDatetime, rawLat, rawLon] = fields;
  const [, , , , , , parameter, units, rawValue] = fields;
  problems.length = 0;

  const locationId = readInteger('location_id', rawLocationId!);
  if (locationId !== undefined && locationId !== file.locationId) {
    problems.push(
      `location_id ${locationId} does not match the key's location id ${file.locationId}`,
    );
  }
  const sensorsId = rawSensorsId === '' ? null : readInteger('sensors_id', rawSensorsId!);

  const timeRead = readDatetime(rawDatetime!, file.dates);
  if (timeRead && !isInLocalDay(time.wallMs, file.dayStartMs)) {
    problems.push(`datetime "${rawDatetime}" is outside the file's local day ${file.day}`);
  }

  const lat = rawLat === '' ? null : readNumber('lat', rawLat!, 90);
  const lon = rawLon === '' ? null : readNumber('lon', rawLon!, 180);
  if (parameter === '') problems.push('parameter is empty');
  const value = readNumber('value', rawValue!);

  if (problems.length > 0) return problems.join('; ');
  reading.locationId = locationId!;
  reading.sensorsId = sensorsId ?? null;
  reading.location = location === '' ? null : location!;
  reading.utcMs = time.utcMs;
  reading.wallMs = time.wallMs;
  reading.offset = time.offset;
  reading.lat = lat ?? null;
  reading.lon = lon ?? null;
  reading.parameter = parameter!;
  reading.units = units === '' ? null : units!;
  reading.value = value!;
  return undefined;
}

export function pushReading(rows: MeasurementColumns, line: number): void {
  const r = reading;
  rows.push(
    line,
    r.locationId,
    r.sensorsId,
    r.location,
    r.utcMs,
    r.wallMs,
    r.offset,
    r.lat,
    r.lon,
    r.parameter,
    r.units,
    r.value,
  );
}

function readInteger(name: string, raw: string): number | undefined {
  if (raw === '') {
    problems.push(`${name} is empty`);
    return undefined;
  }
  let n = raw.length <= 15 ? digitsAt(raw, 0, raw.length) : -1;
  if (n < 0) n = INTEGER.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) {
    problems.push(`${name} "${raw}" is not an integer`);
    return undefined;
  }
  return n;
}

/** A finite number, within ±`limit` when given. */
function readNumber(name: string, raw: string, limit?: number): number | undefined {
  if (raw === '') {
    problems.push(`${name} is empty`);
    return undefined;
  }
  let n = plainDecimal(raw);
  if (Number.isNaN(n)) n = NUMBER.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n)) {
    problems.push(`${name} "${raw}" is not a number`);
    return undefined;
  }
  if (limit !== undefined && (n < -limit || n > limit)) {
    problems.push(`${name} ${raw} is out of range [-${limit}, ${limit}]`);
    return undefined;
  }
  return n;
}

/**
 * Reads `YYYY-MM-DDTHH:MM:SS` plus `Z` or `±HH:MM` into `time`: utcMs, wallMs (the wall time read
 * as if it were UTC, to compare with the file's local day) and the offset as written (`Z` as
 * `+00:00`). False, with the problem noted, when it is not one.
 */
function readDatetime(raw: string, dates: Map<number, number | undefined>): boolean {
  if (raw === '') {
    problems.push('datetime is empty');
    return false;
  }
  if (!isDatetimeShape(raw)) {
    problems.push(`datetime "${raw}" is not ISO-8601 YYYY-MM-DDTHH:MM:SS with a UTC offset`);
    return false;
  }
  const [year, month, day] = [digitsAt(raw, 0, 4), digitsAt(raw, 5, 2), digitsAt(raw, 8, 2)];
  const date = (year * 100 + month) * 100 + day;
  let dateMs = dates.get(date);
  if (dateMs === undefined && !dates.has(date)) {
    dateMs = calendarDateMs(year, month, day);
    dates.set(date, dateMs);
  }
  const [hours, minutes, seconds] = [
    digitsAt(raw, 11, 2),
    digitsAt(raw, 14, 2),
    digitsAt(raw, 17, 2),
  ];
  const zoned = raw.length === 25;
  const offsetHours = zoned ? digitsAt(raw, 20, 2) : 0;
  const offsetMinutes = zoned ? digitsAt(raw, 23, 2) : 0;
  if (dateMs === undefined || hours > 23 || minutes > 59 || seconds > 59 || offsetMinutes > 59) {
    problems.push(`datetime "${raw}" is not a valid date and time`);
    return false;
  }
  const sign = zoned && raw.charCodeAt(19) === MINUS ? -1 : 1;
  const offset = sign * (offsetHours * 60 + offsetMinutes);
  if (!isRealUtcOffset(offset)) {
    problems.push(
      `datetime "${raw}" has UTC offset ${raw.slice(19)}, outside the real range ` +
        `${formatUtcOffset(MIN_UTC_OFFSET_MINUTES)} … ${formatUtcOffset(MAX_UTC_OFFSET_MINUTES)}`,
    );
    return false;
  }
  // Rows of a file share one offset or two: keep the string already held instead of a new one.
  if (!zoned) time.offset = '+00:00';
  else if (!raw.startsWith(time.offset, 19)) time.offset = raw.slice(19);
  const wallMs = dateMs + ((hours * 60 + minutes) * 60 + seconds) * 1000;
  time.wallMs = wallMs;
  time.utcMs = wallMs - offset * 60_000;
  return true;
}

const [DIGIT_0, DIGIT_9, MINUS, PLUS, COLON, LETTER_T, LETTER_Z] = [48, 57, 45, 43, 58, 84, 90];
const DOT = 46;
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i);

/**
 * A plain decimal (`-12.345`, `7`, `.5`) of at most 15 digits, exactly as `Number()` reads it
 * (digits that fit in 2^53, divided by an exact power of ten, round once, correctly), or NaN for
 * anything else, which `Number()` then reads: the cheap path for what files hold on every row.
 */
function plainDecimal(raw: string): number {
  const n = raw.length;
  let i = 0;
  let sign = 1;
  const first = raw.charCodeAt(0);
  if (first === MINUS) {
    sign = -1;
    i = 1;
  } else if (first === PLUS) i = 1;
  let mantissa = 0;
  let digits = 0;
  let decimals = -1;
  for (; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c >= DIGIT_0 && c <= DIGIT_9) {
      mantissa = mantissa * 10 + (c - DIGIT_0);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (c === DOT && decimals < 0) decimals = 0;
    else return NaN;
  }
  if (digits === 0 || digits > 15) return NaN;
  return sign * (decimals > 0 ? mantissa / POWERS_OF_TEN[decimals]! : mantissa);
}

/**
 * Whether `raw` matches /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/ (ASCII digits),
 * checked without a regular expression's match object.
 */
function isDatetimeShape(raw: string): boolean {
  const n = raw.length;
  if (n === 20) {
    if (raw.charCodeAt(19) !== LETTER_Z) return false;
  } else if (n === 25) {
    const sign = raw.charCodeAt(19);
    if (sign !== PLUS && sign !== MINUS) return false;
    if (digitsAt(raw, 20, 2) < 0 || raw.charCodeAt(22) !== COLON || digitsAt(raw, 23, 2) < 0) {
      return false;
    }
  } else return false;
  return (
    digitsAt(raw, 0, 4) >= 0 &&
    raw.charCodeAt(4) === MINUS &&
    digitsAt(raw, 5, 2) >= 0 &&
    raw.charCodeAt(7) === MINUS &&
    digitsAt(raw, 8, 2) >= 0 &&
    raw.charCodeAt(10) === LETTER_T &&
    digitsAt(raw, 11, 2) >= 0 &&
    raw.charCodeAt(13) === COLON &&
    digitsAt(raw, 14, 2) >= 0 &&
    raw.charCodeAt(16) === COLON &&
    digitsAt(raw, 17, 2) >= 0
  );
}

/** The decimal number in `raw[at, at + count)`, or -1 when any of it is not an ASCII digit. */
function digitsAt(raw: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const c = raw.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9) return -1;
    n = n * 10 + (c - DIGIT_0);
  }
  return n;
}
