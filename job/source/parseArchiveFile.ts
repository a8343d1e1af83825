import { isAscii } from 'node:buffer';
import { constants, crc32, gunzipSync, inflateRawSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import type { Options } from 'csv-parse/sync';
import { archiveDayToMs, calendarDateMs } from '../model/archiveDay.ts';
import type { ArchiveDay } from '../model/archiveDay.ts';
import { parseArchiveKey } from './archiveKey.ts';
import type { Measurement, RowReject } from '../model/measurement.ts';
import { MeasurementColumns } from '../model/measurementColumns.ts';
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
const FIELD_COUNT = ARCHIVE_HEADER.length;
const HEADER_TEXT = ARCHIVE_HEADER.join(',');

const INTEGER = /^\d+$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/** What reading a file into `MeasurementColumns` found; the good rows are in the columns. */
export type FileVerdict =
  | {
      kind: 'parsed';
      /** The local day the key names; every row's local wall time is in (day 00:00, day+1 00:00]. */
      day: ArchiveDay;
      locationId: number;
      rejects: RowReject[];
    }
  | Extract<ParsedFile, { kind: 'rejected' }>;

/** `readArchiveFile` with the rows as `Measurement` objects: for tests and tools. */
export function parseArchiveFile(file: ArchiveFile): ParsedFile {
  const columns = new MeasurementColumns();
  const verdict = readArchiveFile(file, columns);
  if (verdict.kind === 'rejected') return verdict;
  const rows = Array.from({ length: columns.length }, (_, i) => columns.measurement(i));
  return { ...verdict, rows };
}

/**
 * Parses one gzipped OpenAQ archive file into `rows` (cleared first), refusing bad rows one by
 * one (good rows of the same file are kept) and refusing the whole file only when it cannot be
 * read as an archive file at all (wrong key, not gzip, corrupt stream, wrong header). A last line
 * without its line ending was cut short (both writers end every line): that row is refused.
 *
 * The quoting style is read from the header: a quoted header means the newer writer (Python's
 * QUOTE_NONNUMERIC, CRLF), where a row with extra fields is refused; a bare header means the older
 * writer (pandas' QUOTE_MINIMAL, LF): a field holding a comma or a quote is quoted with inner
 * quotes doubled, and a bare field may still hold a quote. A name whose commas were written bare
 * splits into extra fields and is rejoined.
 */
export function readArchiveFile(file: ArchiveFile, rows: MeasurementColumns): FileVerdict {
  rows.clear();
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
  // Both of OpenAQ's writers end every line, the last one too, with their line terminator.
  const cutLine = text.endsWith('\n') ? undefined : lines.length;
  if (cutLine === 1) {
    return rejected('file was cut short: its only line, the header, has no line ending', text);
  }
  const read: FileText = {
    text,
    lines,
    cutLine,
    quoted: text.startsWith('"'),
    validUtf8,
    locationId: target.locationId,
    day: target.day,
    dayStartMs: archiveDayToMs(target.day),
    dates: new Map(),
    seen: new Map(),
    seenReadings: new Map(),
  };
  const fast = readLinesFast(read, rows);
  if (fast !== undefined) return fast;
  rows.clear();
  read.seen.clear();
  read.seenReadings.clear();
  return readCsvRecords(read, readRecords(text, read.lines, read.quoted), rows);
}

/** A decompressed file and what its key says it holds. */
interface FileText {
  text: string;
  /** Lines without their endings; index i is line i + 1. */
  lines: string[];
  /** The last line, when it has no line ending: the file was cut there. */
  cutLine: number | undefined;
  quoted: boolean;
  validUtf8: boolean;
  locationId: number;
  day: ArchiveDay;
  /** The day's local 00:00, as epoch ms of the same wall time in UTC. */
  dayStartMs: number;
  /** Calendar dates (yyyymmdd) already checked in this file: rows share two or three. */
  dates: Map<number, number | undefined>;
  /** Each row's text and the line it was first seen on: an exact repeat is loaded once. */
  seen: Map<string, number>;
  /** Good one-line readings by sensor and second, and the line each was first seen on. */
  seenReadings: Map<number, number>;
}

/**
 * Reads a file whose every record is one line and well-formed without csv-parse (~10× faster),
 * one line at a time; undefined as soon as a line is not, and csv-parse then reads the whole file
 * (the caller drops what was read), so results never depend on which reader ran. A line without
 * quotes in the older style is what lies between its commas. Otherwise a field is either quoted
 * (`""` inside stands for `"`) or free of quotes; a field that opens a quote it does not close on
 * its line, a quote in an unquoted field or anything but a comma after a closing quote sends the
 * file to csv-parse.
 */
function readLinesFast(file: FileText, rows: MeasurementColumns): FileVerdict | undefined {
  const { lines, quoted } = file;
  const split = (line: string): string[] | undefined =>
    quoted || line.includes('"') ? splitQuotedLine(line) : line.split(',');
  const header = split(lines[0]!);
  if (header === undefined) return undefined;
  const headerProblem = checkHeader(header);
  if (headerProblem !== undefined) return rejected(headerProblem, file.text);
  const rejects: RowReject[] = [];
  // The text after the last line ending is an empty "line" that is not part of the file.
  const count = lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  for (let i = 1; i < count; i++) {
    const fields = split(lines[i]!);
    if (fields === undefined) return undefined;
    readRecord(file, i + 1, i + 1, fields, rows, rejects);
  }
  return { kind: 'parsed', day: file.day, locationId: file.locationId, rejects };
}

function readCsvRecords(
  file: FileText,
  records: readonly CsvRecord[],
  rows: MeasurementColumns,
): FileVerdict {
  const header = records[0];
  if (header === undefined || 'error' in header) {
    return rejected(`unreadable header: ${header?.error ?? 'no record'}`, file.text);
  }
  const headerProblem = checkHeader(header.fields);
  if (headerProblem !== undefined) return rejected(headerProblem, file.text);
  const rejects: RowReject[] = [];
  for (let i = 1; i < records.length; i++) {
    const record = records[i]!;
    if ('error' in record) {
      rejects.push({
        line: record.line,
        reason: record.error,
        rawText: capped(rawTextOf(file.lines, record.line, record.endLine)),
      });
    } else readRecord(file, record.line, record.endLine, record.fields, rows, rejects);
  }
  return { kind: 'parsed', day: file.day, locationId: file.locationId, rejects };
}

/** One record's fields into `rows`, or its reasons into `rejects`. */
function readRecord(
  file: FileText,
  line: number,
  endLine: number,
  fields: string[],
  rows: MeasurementColumns,
  rejects: RowReject[],
): void {
  if (endLine === file.cutLine) {
    const reason = `file was cut short: its last line ${endLine} has no line ending`;
    rejects.push({ line, reason, rawText: capped(rawTextOf(file.lines, line, endLine)) });
    return;
  }
  // A blank line carries no reading; it is skipped, not refused.
  if (fields.length === 1 && fields[0] === '') return;
  const text = rawTextOf(file.lines, line, endLine);
  const problem = rowProblem(file, text, fields);
  // The same line twice in one file is one reading written twice: loaded once, the repeat kept
  // in rejects so that nothing disappears unexplained.
  const first =
    problem === undefined && line === endLine
      ? firstReadingRepeat(file, text, line)
      : firstTextRepeat(file, text, line);
  if (first !== undefined) {
    rejects.push({ line, reason: `duplicate of line ${first}`, rawText: capped(text) });
  } else if (problem !== undefined) {
    rejects.push({ line, reason: problem, rawText: capped(text) });
  } else {
    pushReading(rows, line);
  }
}

/**
 * Why a record is refused, or undefined when it is a good reading, which is then in `reading`.
 * Depends on the record's text alone: the same text twice gets the same verdict.
 */
function rowProblem(file: FileText, text: string, fields: string[]): string | undefined {
  if (!file.validUtf8 && text.includes('\uFFFD')) return 'row is not valid UTF-8';
  const nine = toNineFields(fields, file.quoted);
  if (nine === undefined) return `expected ${FIELD_COUNT} fields, got ${fields.length}`;
  return readMeasurement(nine, file);
}

/**
 * The first line with the same text as this good one-line record, if any. Good readings are looked
 * up by sensor and second (hashing a number is much cheaper than hashing the line); only when two
 * different lines share those is the text looked up. Refused and multi-line records are never
 * looked up here, and their texts never equal a good one-line record's, so `seen` serves both.
 */
function firstReadingRepeat(file: FileText, text: string, line: number): number | undefined {
  const key = (reading.utcMs / 1000) * 2 ** 20 + ((reading.sensorsId ?? -1) & 0xfffff);
  const first = file.seenReadings.get(key);
  if (first === undefined) {
    file.seenReadings.set(key, line);
    return undefined;
  }
  return file.lines[first - 1] === text ? first : firstTextRepeat(file, text, line);
}

/** The first line of a record with exactly this text, if any; remembers this one otherwise. */
function firstTextRepeat(file: FileText, text: string, line: number): number | undefined {
  const first = file.seen.get(text);
  if (first === undefined) file.seen.set(text, line);
  return first;
}

function rawTextOf(lines: readonly string[], line: number, endLine: number): string {
  return endLine === line ? lines[line - 1]! : lines.slice(line - 1, endLine).join('\n');
}

/** A row's raw text as kept in rejects: a huge bad line is cut like a rejected file's text. */
const capped = (text: string): string =>
  text.length <= RAW_TEXT_LIMIT
    ? text
    : `${text.slice(0, RAW_TEXT_LIMIT)}… [${text.length - RAW_TEXT_LIMIT} more characters]`;

type Decompressed = { text: string; validUtf8: boolean } | { reason: string; rawText: string };

function decompress(body: Uint8Array): Decompressed {
  if (body.length < 2 || body[0] !== 0x1f || body[1] !== 0x8b) {
    return {
      reason: 'not a gzip file',
      rawText: lenientUtf8.decode(body.subarray(0, RAW_TEXT_LIMIT)),
    };
  }
  let bytes: Buffer;
  try {
    bytes = gunzipSync(body, { maxOutputLength: MAX_DECOMPRESSED_BYTES });
  } catch (err) {
    const tooLarge = (err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
    const member = tooLarge ? undefined : firstGzipMember(body);
    if (member !== undefined && member.trailingBytes > 0) {
      return {
        reason: `a complete gzip stream followed by ${member.trailingBytes} bytes that are not gzip`,
        rawText: lenientUtf8.decode(member.bytes.subarray(0, RAW_TEXT_LIMIT * 4)),
      };
    }
    return {
      reason: tooLarge
        ? `decompressed file is larger than ${MAX_DECOMPRESSED_BYTES} bytes`
        : 'truncated or corrupt gzip stream',
      rawText: tooLarge ? '' : readablePrefix(body),
    };
  }
  // Almost every file is plain ASCII, which reads as Latin-1 without the decoder's validation.
  if (isAscii(bytes)) return { text: bytes.toString('latin1'), validUtf8: true };
  try {
    return { text: strictUtf8.decode(bytes), validUtf8: true };
  } catch {
    return { text: lenientUtf8.decode(bytes), validUtf8: false };
  }
}

/**
 * The first gzip member of `body`, when it is whole (its CRC and size check out), and how many
 * bytes follow it: Node's gunzip refuses a file with anything but another member after the first.
 */
function firstGzipMember(body: Uint8Array): { bytes: Buffer; trailingBytes: number } | undefined {
  const flags = body[3] ?? 0;
  let at = 10;
  if (flags & 4) at += 2 + (body[at] ?? 0) + 256 * (body[at + 1] ?? 0); // FEXTRA
  if (flags & 8) at = body.indexOf(0, at) + 1; // FNAME
  if (flags & 16) at = body.indexOf(0, at) + 1; // FCOMMENT
  if (flags & 2) at += 2; // FHCRC
  if (at <= 0 || at > body.length) return undefined;
  try {
    const { buffer, engine } = inflateRawSync(body.subarray(at), {
      info: true,
      maxOutputLength: MAX_DECOMPRESSED_BYTES,
    }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    const end = at + engine.bytesWritten;
    const trailer = Buffer.from(body.subarray(end, end + 8));
    if (trailer.length < 8) return undefined;
    if (
      trailer.readUInt32LE(0) !== crc32(buffer) ||
      trailer.readUInt32LE(4) !== buffer.length % 2 ** 32
    )
      return undefined;
    return { bytes: buffer, trailingBytes: body.length - end - 8 };
  } catch {
    return undefined;
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
    quote: '"',
    // The older writer's bare fields may hold a quote (`Escuela "Benito Juárez"`): kept as is.
    relax_quotes: !quoted,
    relax_column_count: true,
    record_delimiter: ['\r\n', '\n'],
    info: true,
  };
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
  if (!isDatetimeShape(tail[0]!)) return undefined;
  return [fields[0]!, fields[1]!, fields.slice(2, -6).join(','), ...tail];
}

// Scratch space of the row being read: parsing is synchronous, so one of each serves every row.
const problems: string[] = [];
const time = { utcMs: 0, wallMs: 0, offset: '+00:00' };
const reading = {
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
function readMeasurement(fields: readonly string[], file: FileText): string | undefined {
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

function pushReading(rows: MeasurementColumns, line: number): void {
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
