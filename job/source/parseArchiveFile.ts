import { constants, gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import type { Options } from 'csv-parse/sync';
import { archiveDayToMs, calendarDateMs } from './archiveDay.ts';
import type { ArchiveDay } from './archiveDay.ts';
import { parseArchiveKey } from './archiveKey.ts';
import type { Measurement, RowReject } from './measurement.ts';

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

/** An archive object as downloaded: its key and its gzipped bytes. */
export interface ArchiveFile {
  key: string;
  body: Uint8Array;
}

export type ParsedFile =
  | {
      kind: 'parsed';
      /** The local day the key names; every row's local wall time is in (day 00:00, day+1 00:00]. */
      day: ArchiveDay;
      locationId: number;
      rows: Measurement[];
      rejects: RowReject[];
    }
  | {
      kind: 'rejected';
      reason: string;
      /** The first ~1 KB of what could be read (decompressed text when possible), for inspection. */
      rawText: string;
    };

/** How much of a rejected file is kept in `rawText`, in characters. */
export const RAW_TEXT_LIMIT = 1024;
/** Real files are 1–10 KB compressed; anything inflating past this is not an archive file. */
const MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;
const DAY_MS = 86_400_000;
const FIELD_COUNT = ARCHIVE_HEADER.length;
const HEADER_TEXT = ARCHIVE_HEADER.join(',');

const INTEGER = /^\d+$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}:\d{2})$/;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/**
 * Parses one gzipped OpenAQ archive file into measurements, refusing bad rows one by one (good
 * rows of the same file are kept) and refusing the whole file only when it cannot be read as an
 * archive file at all (wrong key, not gzip, corrupt stream, wrong header).
 *
 * The quoting style is read from the header: a quoted header means the newer writer (RFC 4180
 * quoting, CRLF), where a row with extra fields is refused; a bare header means the older writer
 * (nothing quoted), where commas in the location name split it and the name is rejoined.
 */
export function parseArchiveFile(file: ArchiveFile): ParsedFile {
  const content = decompress(file.body);
  const target = parseArchiveKey(file.key);
  if (target === undefined) {
    return rejected(
      `key "${file.key}" does not match records/csv.gz/locationid=N/year=Y/month=MM/location-N-YYYYMMDD.csv.gz`,
      'text' in content ? content.text : content.rawText,
    );
  }
  if (!('text' in content)) return rejected(content.reason, content.rawText);
  const { text, validUtf8 } = content;
  if (text.length === 0) return rejected('empty file: no header', '');

  const lines = splitLines(text);
  const quoted = text.startsWith('"');
  const records = readRecordsFast(lines, quoted) ?? readRecords(text, lines, quoted);
  const header = records[0];
  if (header === undefined || 'error' in header) {
    return rejected(`unreadable header: ${header?.error ?? 'no record'}`, text);
  }
  const headerProblem = checkHeader(header.fields);
  if (headerProblem !== undefined) return rejected(headerProblem, text);

  const context: RowContext = {
    locationId: target.locationId,
    day: target.day,
    dayStartMs: archiveDayToMs(target.day),
    dates: new Map(),
  };
  const rows: Measurement[] = [];
  const rejects: RowReject[] = [];
  for (let i = 1; i < records.length; i++) {
    const record = records[i]!;
    // Only a refused row keeps its text: good rows never build it.
    const rawText = (): string =>
      record.endLine === record.line
        ? lines[record.line - 1]!
        : lines.slice(record.line - 1, record.endLine).join('\n');
    if ('error' in record) {
      rejects.push({ line: record.line, reason: record.error, rawText: rawText() });
      continue;
    }
    const fields = record.fields;
    // A blank line carries no reading; it is skipped, not refused.
    if (fields.length === 1 && fields[0] === '') continue;
    if (!validUtf8 && rawText().includes('\uFFFD')) {
      rejects.push({ line: record.line, reason: 'row is not valid UTF-8', rawText: rawText() });
      continue;
    }
    const nine = toNineFields(fields, quoted);
    const result =
      nine === undefined
        ? `expected ${FIELD_COUNT} fields, got ${fields.length}`
        : toMeasurement(nine, record.line, context);
    if (typeof result === 'string') {
      rejects.push({ line: record.line, reason: result, rawText: rawText() });
    } else rows.push(result);
  }
  return { kind: 'parsed', day: target.day, locationId: target.locationId, rows, rejects };
}

type Decompressed = { text: string; validUtf8: boolean } | { reason: string; rawText: string };

function decompress(body: Uint8Array): Decompressed {
  if (body.length < 2 || body[0] !== 0x1f || body[1] !== 0x8b) {
    return {
      reason: 'not a gzip file',
      rawText: lenientUtf8.decode(body.subarray(0, RAW_TEXT_LIMIT)),
    };
  }
  let bytes: Uint8Array;
  try {
    bytes = gunzipSync(body, { maxOutputLength: MAX_DECOMPRESSED_BYTES });
  } catch (err) {
    const tooLarge = (err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
    return {
      reason: tooLarge
        ? `decompressed file is larger than ${MAX_DECOMPRESSED_BYTES} bytes`
        : 'truncated or corrupt gzip stream',
      rawText: tooLarge ? '' : readablePrefix(body),
    };
  }
  try {
    return { text: strictUtf8.decode(bytes), validUtf8: true };
  } catch {
    return { text: lenientUtf8.decode(bytes), validUtf8: false };
  }
}

/** What a damaged gzip stream still yields before the damage. */
function readablePrefix(body: Uint8Array): string {
  try {
    const partial = gunzipSync(body, {
      finishFlush: constants.Z_SYNC_FLUSH,
      maxOutputLength: MAX_DECOMPRESSED_BYTES,
    });
    return lenientUtf8.decode(partial.subarray(0, RAW_TEXT_LIMIT * 4)).slice(0, RAW_TEXT_LIMIT);
  } catch {
    return '';
  }
}

function rejected(reason: string, rawText: string): ParsedFile {
  return { kind: 'rejected', reason, rawText: rawText.slice(0, RAW_TEXT_LIMIT) };
}

/** The file's lines without their endings; index i is line i + 1. */
function splitLines(text: string): string[] {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
  }
  return lines;
}

/** A CSV record and the lines it spans (more than one only when a quoted field holds a newline). */
type CsvRecord = { line: number; endLine: number } & ({ fields: string[] } | { error: string });

function csvOptions(quoted: boolean): Options {
  return {
    quote: quoted ? '"' : false,
    relax_column_count: true,
    record_delimiter: ['\r\n', '\n'],
    info: true,
  };
}

/**
 * The records of a file whose every record is one line and well-formed, read without csv-parse
 * (~10× faster); undefined when any line is not, and csv-parse then reads the whole file, so
 * results never depend on which reader ran. The unquoted style has no quoting: fields are what lies
 * between commas. In the quoted style a field is either quoted (`""` inside stands for `"`) or free
 * of quotes; a field that opens a quote it does not close on its line, a quote in an unquoted field
 * or anything but a comma after a closing quote sends the file to csv-parse.
 */
function readRecordsFast(lines: readonly string[], quoted: boolean): CsvRecord[] | undefined {
  // The text after the last line ending is an empty "line" that is not part of the file.
  const count = lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  const records: CsvRecord[] = [];
  for (let i = 0; i < count; i++) {
    const line = lines[i]!;
    const fields = quoted ? splitQuotedLine(line) : line.split(',');
    if (fields === undefined) return undefined;
    records.push({ line: i + 1, endLine: i + 1, fields });
  }
  return records;
}

const QUOTE = 34; // "
const COMMA = 44; // ,

/** One line of the quoted style as fields, or undefined when csv-parse must decide. */
function splitQuotedLine(line: string): string[] | undefined {
  const fields: string[] = [];
  const end = line.length;
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === QUOTE) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const close = line.indexOf('"', from);
        if (close === -1) return undefined; // unclosed here: spans lines, or broken
        if (line.charCodeAt(close + 1) === QUOTE) {
          value += line.slice(from, close + 1); // "" stands for one quote
          from = close + 2;
          continue;
        }
        value += line.slice(from, close);
        i = close + 1;
        break;
      }
      fields.push(value);
      if (i === end) return fields;
      if (line.charCodeAt(i) !== COMMA) return undefined;
    } else {
      const comma = line.indexOf(',', i);
      const value = comma === -1 ? line.slice(i) : line.slice(i, comma);
      if (value.includes('"')) return undefined;
      fields.push(value);
      if (comma === -1) return fields;
      i = comma;
    }
    i += 1; // past the comma: a line ending in one has an empty last field
    if (i === end) {
      fields.push('');
      return fields;
    }
  }
}

function readRecords(text: string, lines: readonly string[], quoted: boolean): CsvRecord[] {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, csvOptions(quoted)) as unknown as typeof parsed;
  } catch {
    // Broken quoting makes csv-parse stop (or swallow the lines after it). Read line by line
    // instead so that only the broken lines are refused; real files never need this.
    return readLineByLine(lines, quoted);
  }
  const records: CsvRecord[] = [];
  let previousEnd = 0;
  for (const { record, info } of parsed) {
    records.push({ line: previousEnd + 1, endLine: info.lines, fields: record });
    previousEnd = info.lines;
  }
  return records;
}

function readLineByLine(lines: readonly string[], quoted: boolean): CsvRecord[] {
  const records: CsvRecord[] = [];
  const options = { ...csvOptions(quoted), info: false };
  // The text after the last line ending is an empty "line" that is not part of the file.
  const count = lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  for (let i = 0; i < count; i++) {
    const line = i + 1;
    try {
      const fields = parse(lines[i]!, options)[0] ?? [''];
      records.push({ line, endLine: line, fields });
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      records.push({ line, endLine: line, error: `malformed CSV quoting (${String(code)})` });
    }
  }
  return records;
}

function checkHeader(fields: readonly string[]): string | undefined {
  const found = fields.join(',');
  if (found === HEADER_TEXT) return undefined;
  if (fields.includes('measurand')) {
    return `old 2022 layout with a measurand column is not supported (header "${found}")`;
  }
  return `unexpected header "${found}", expected "${HEADER_TEXT}"`;
}

/**
 * The row's nine fields, or undefined when they cannot be told apart. In the unquoted style a
 * location name with commas splits into extra fields; the ids come first and the last six fields
 * are datetime..value, so the name is the middle rejoined, as long as the field where the datetime
 * should be is one (otherwise the extra commas are somewhere else and the row is ambiguous).
 */
function toNineFields(fields: string[], quoted: boolean): string[] | undefined {
  if (fields.length === FIELD_COUNT) return fields;
  if (quoted || fields.length < FIELD_COUNT) return undefined;
  const tail = fields.slice(-6);
  if (!DATETIME.test(tail[0]!)) return undefined;
  return [fields[0]!, fields[1]!, fields.slice(2, -6).join(','), ...tail];
}

interface RowContext {
  locationId: number;
  day: ArchiveDay;
  /** The day's local 00:00, as epoch ms of the same wall time in UTC. */
  dayStartMs: number;
  /** Calendar dates already checked in this file (rows share two or three). */
  dates: Map<string, number | undefined>;
}

/** A measurement, or the reasons the row is refused joined with `; `. */
function toMeasurement(
  fields: readonly string[],
  line: number,
  context: RowContext,
): Measurement | string {
  const [rawLocationId, rawSensorsId, location, rawDatetime, rawLat, rawLon] = fields;
  const [, , , , , , parameter, units, rawValue] = fields;
  const problems: string[] = [];

  const locationId = readInteger('location_id', rawLocationId!, problems);
  if (locationId !== undefined && locationId !== context.locationId) {
    problems.push(
      `location_id ${locationId} does not match the key's location id ${context.locationId}`,
    );
  }
  const sensorsId = rawSensorsId === '' ? null : readInteger('sensors_id', rawSensorsId!, problems);

  const datetime = readDatetime(rawDatetime!, problems, context.dates);
  if (
    datetime !== undefined &&
    (datetime.wallMs <= context.dayStartMs || datetime.wallMs > context.dayStartMs + DAY_MS)
  ) {
    problems.push(`datetime "${rawDatetime}" is outside the file's local day ${context.day}`);
  }

  const lat = rawLat === '' ? null : readNumber('lat', rawLat!, problems, 90);
  const lon = rawLon === '' ? null : readNumber('lon', rawLon!, problems, 180);
  if (parameter === '') problems.push('parameter is empty');
  const value = readNumber('value', rawValue!, problems);

  if (problems.length > 0) return problems.join('; ');
  return {
    line,
    locationId: locationId!,
    sensorsId: sensorsId ?? null,
    location: location === '' ? null : location!,
    datetimeUtcMs: datetime!.utcMs,
    datetimeLocal: datetime!.local,
    utcOffset: datetime!.offset,
    lat: lat ?? null,
    lon: lon ?? null,
    parameter: parameter!,
    units: units === '' ? null : units!,
    value: value!,
    valueFlag: value === -999 ? 'sentinel' : value! < 0 ? 'negative' : null,
  };
}

function readInteger(name: string, raw: string, problems: string[]): number | undefined {
  if (raw === '') {
    problems.push(`${name} is empty`);
    return undefined;
  }
  const n = INTEGER.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) {
    problems.push(`${name} "${raw}" is not an integer`);
    return undefined;
  }
  return n;
}

/** A finite number, within ±`limit` when given. */
function readNumber(
  name: string,
  raw: string,
  problems: string[],
  limit?: number,
): number | undefined {
  if (raw === '') {
    problems.push(`${name} is empty`);
    return undefined;
  }
  const n = NUMBER.test(raw) ? Number(raw) : NaN;
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

interface Datetime {
  utcMs: number;
  /** The wall time read as if it were UTC, to compare with the file's local day. */
  wallMs: number;
  local: string;
  offset: string;
}

function readDatetime(
  raw: string,
  problems: string[],
  dates: Map<string, number | undefined>,
): Datetime | undefined {
  if (raw === '') {
    problems.push('datetime is empty');
    return undefined;
  }
  const m = DATETIME.exec(raw);
  let dateMs: number | undefined;
  if (m !== null) {
    const date = raw.slice(0, 10);
    dateMs = dates.get(date);
    if (dateMs === undefined && !dates.has(date)) {
      dateMs = calendarDateMs(Number(m[1]), Number(m[2]), Number(m[3]));
      dates.set(date, dateMs);
    }
  }
  if (m === null) {
    problems.push(`datetime "${raw}" is not ISO-8601 YYYY-MM-DDTHH:MM:SS with a UTC offset`);
    return undefined;
  }
  const [hours, minutes, seconds] = [Number(m[4]), Number(m[5]), Number(m[6])];
  const zone = m[7]!;
  const offset = zone === 'Z' ? '+00:00' : zone;
  const offsetHours = Number(offset.slice(1, 3));
  const offsetMinutes = Number(offset.slice(4, 6));
  if (
    dateMs === undefined ||
    hours > 23 ||
    minutes > 59 ||
    seconds > 59 ||
    offsetHours > 18 ||
    offsetMinutes > 59
  ) {
    problems.push(`datetime "${raw}" is not a valid date and time`);
    return undefined;
  }
  const wallMs = dateMs + ((hours * 60 + minutes) * 60 + seconds) * 1000;
  const offsetMs = (offset[0] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return {
    utcMs: wallMs - offsetMs,
    wallMs,
    local: `${raw.slice(0, 10)} ${raw.slice(11, 19)}`,
    offset,
  };
}
