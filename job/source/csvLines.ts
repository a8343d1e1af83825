import { parse } from 'csv-parse/sync';
import type { Options } from 'csv-parse/sync';

/** The file's lines without their endings; index i is line i + 1. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
  }
  return lines;
}

/** A CSV record and the lines it spans (more than one only when a quoted field holds a newline). */
export type CsvRecord = { line: number; endLine: number } & (
  { fields: string[] } | { error: string }
);

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
export function splitQuotedLine(line: string): string[] | undefined {
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

export function readRecords(text: string, lines: readonly string[], quoted: boolean): CsvRecord[] {
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
