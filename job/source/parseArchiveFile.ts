import { archiveDayToMs } from '../model/archiveDay.ts';
import type { ArchiveDay } from '../model/archiveDay.ts';
import type { Measurement, RowReject } from '../model/measurement.ts';
import { MeasurementColumns } from '../model/measurementColumns.ts';
import { parseArchiveKey } from './archiveKey.ts';
import { readRecords, splitLines, splitQuotedLine, type CsvRecord } from './csvLines.ts';
import { RAW_TEXT_LIMIT, decompress } from './decompressArchive.ts';
import {
  ARCHIVE_HEADER,
  FIELD_COUNT,
  pushReading,
  reading,
  readMeasurement,
  toNineFields,
  type RowContext,
} from './readMeasurement.ts';

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

const HEADER_TEXT = ARCHIVE_HEADER.join(',');

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
interface FileText extends RowContext {
  text: string;
  /** Lines without their endings; index i is line i + 1. */
  lines: string[];
  /** The last line, when it has no line ending: the file was cut there. */
  cutLine: number | undefined;
  quoted: boolean;
  validUtf8: boolean;
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

function rejected(reason: string, rawText: string): ParsedFile {
  return { kind: 'rejected', reason, rawText: rawText.slice(0, RAW_TEXT_LIMIT) };
}

function checkHeader(fields: readonly string[]): string | undefined {
  const found = fields.join(',');
  if (found === HEADER_TEXT) return undefined;
  if (fields.includes('measurand')) {
    return `old 2022 layout with a measurand column is not supported (header "${found}")`;
  }
  return `unexpected header "${found}", expected "${HEADER_TEXT}"`;
}
