import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseArchiveFile } from '../../job/source/parseArchiveFile.ts';
import type { ParsedFile } from '../../job/source/parseArchiveFile.ts';

const FIXTURES = new URL('../fixtures/archive/', import.meta.url);
const HEADER = 'location_id,sensors_id,location,datetime,lat,lon,parameter,units,value';
const QUOTED_HEADER = HEADER.split(',')
  .map((name) => `"${name}"`)
  .join(',');

interface Golden {
  name: string;
  csv: Buffer;
  key: string;
  expected: ParsedFile;
}

function golden(name: string): Golden {
  const { key, ...expected } = JSON.parse(
    readFileSync(new URL(name.replace(/\.csv$/, '.expected.json'), FIXTURES), 'utf8'),
  ) as { key: string } & ParsedFile;
  return { name, csv: readFileSync(new URL(name, FIXTURES)), key, expected };
}

const goldenNames = readdirSync(FIXTURES).filter((name) => name.endsWith('.csv'));
const DEL_NORTE = golden('del-norte-2178-2023-02-22-unquoted-lf.csv');
const CHANDNI = golden('chandni-chowk-8235-2024-01-15-quoted-crlf.csv');

function parseText(key: string, text: string | Uint8Array): ParsedFile {
  return parseArchiveFile({ key, body: gzipSync(text) });
}

function parsed(file: ParsedFile): Extract<ParsedFile, { kind: 'parsed' }> {
  if (file.kind !== 'parsed') throw new Error(`expected a parsed file, got: ${file.reason}`);
  return file;
}

describe('parseArchiveFile on the golden files', () => {
  it('has the five hand-written goldens and the nine generated real-file cases', () => {
    expect(goldenNames).toHaveLength(14);
  });

  it.each([
    ['denver-2178-2023-03-12-dst-23-rows-unquoted-lf.csv', 23, ['-07:00', '-06:00']],
    ['denver-2178-2023-11-05-dst-25-rows-unquoted-lf.csv', 25, ['-06:00', '-07:00']],
    ['berlin-2993-2024-03-31-dst-23-rows-quoted-crlf.csv', 23, ['+01:00', '+02:00']],
    ['berlin-2993-2024-10-27-dst-25-rows-quoted-crlf.csv', 25, ['+02:00', '+01:00']],
  ])('%s: a daylight-saving day is %i hourly rows in two offsets', (name, count, offsets) => {
    const { key, csv } = golden(name);
    const { rows } = parsed(parseText(key, csv));
    expect(rows).toHaveLength(count);
    expect([...new Set(rows.map((r) => r.utcOffset))]).toEqual(offsets);
    const instants = rows.map((r) => r.datetimeUtcMs);
    expect(instants.slice(1).map((t, i) => t - instants[i]!)).toEqual(
      Array<number>(count - 1).fill(3_600_000),
    );
  });

  it('reads a quoted name with a comma and doubled quotes in the older (QUOTE_MINIMAL) style', () => {
    const { key, csv } = golden('escuela-1287-2023-06-07-quoted-name-minimal-lf.csv');
    expect(csv.toString('utf8')).toContain('"Escuela ""Benito Juárez"", CDMX - Norte-3310"');
    const { rows } = parsed(parseText(key, csv));
    expect(new Set(rows.map((r) => r.location))).toEqual(
      new Set(['Escuela "Benito Juárez", CDMX - Norte-3310']),
    );
  });

  it.each(goldenNames)('%s parses to exactly its expected rows and rejects', (name) => {
    const { key, csv, expected } = golden(name);
    expect(parseArchiveFile({ key, body: gzipSync(csv) })).toEqual(expected);
  });

  it('reads the documented example as the documentation says', () => {
    const file = parsed(parseText(DEL_NORTE.key, DEL_NORTE.csv));
    expect(file.rows[0]).toEqual({
      line: 2,
      locationId: 2178,
      sensorsId: 3919,
      location: 'Del Norte-2178',
      datetimeUtcMs: Date.UTC(2023, 1, 22, 8),
      datetimeLocal: '2023-02-22 01:00:00',
      utcOffset: '-07:00',
      lat: 35.1353,
      lon: -106.584702,
      parameter: 'pm10',
      units: 'µg/m³',
      value: 12,
      valueFlag: null,
    });
    expect(file.rows.at(-1)?.datetimeLocal).toBe('2023-02-23 00:00:00');
    expect(file.rows.at(-1)?.datetimeUtcMs).toBe(Date.UTC(2023, 1, 23, 7));
  });

  it('skips a UTF-8 byte order mark', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), DEL_NORTE.csv]);
    expect(parseText(DEL_NORTE.key, withBom)).toEqual(DEL_NORTE.expected);
  });

  it('reads the older style with CRLF and the newer style with LF the same way', () => {
    const crlf = DEL_NORTE.csv.toString('utf8').replaceAll('\n', '\r\n');
    expect(parseText(DEL_NORTE.key, crlf)).toEqual(DEL_NORTE.expected);
    const lf = CHANDNI.csv.toString('utf8').replaceAll('\r\n', '\n');
    expect(parseText(CHANDNI.key, lf)).toEqual(CHANDNI.expected);
  });

  it('refuses the last row of a file cut at a line boundary, keeping the rows before it', () => {
    // Both writers end a file with their line terminator: `…,62` without one was cut from `…,622.0`.
    const lines = DEL_NORTE.csv.toString('utf8').split('\n');
    const last = lines.at(-2)!;
    const cut = `${last.slice(0, last.lastIndexOf(',') + 1)}62`;
    const text = [...lines.slice(0, -2), cut].join('\n');
    const result = parsed(parseText(DEL_NORTE.key, text));
    const expected = parsed(DEL_NORTE.expected);
    expect(result.rows).toEqual(expected.rows.slice(0, -1));
    expect(result.rejects).toEqual([
      {
        line: lines.length - 1,
        reason: `file was cut short: its last line ${lines.length - 1} has no line ending`,
        rawText: cut,
      },
    ]);
    const crlf = CHANDNI.csv.toString('utf8').replace(/\r\n$/, '');
    expect(parsed(parseText(CHANDNI.key, crlf)).rejects.map((r) => r.reason)).toEqual([
      `file was cut short: its last line ${crlf.split('\r\n').length} has no line ending`,
    ]);
  });
});

describe('parseArchiveFile on a golden file cut before its last line ending', () => {
  it.each(goldenNames)('%s: only the last line is refused', (name) => {
    const { key, csv, expected } = golden(name);
    const text = csv.toString('utf8').replace(/\r?\n$/, '');
    const last = text.split('\n').length;
    const result = parsed(parseText(key, text));
    const { rows, rejects } = parsed(expected);
    expect(result.rows).toEqual(rows.filter((row) => row.line !== last));
    expect(result.rejects).toEqual([
      ...rejects.filter((reject) => reject.line !== last),
      {
        line: last,
        reason: `file was cut short: its last line ${last} has no line ending`,
        rawText: text.split(/\r?\n/).at(-1),
      },
    ]);
  });
});

describe('parseArchiveFile refusing whole files', () => {
  it('refuses a body that is not gzip, keeping its start', () => {
    const result = parseArchiveFile({ key: DEL_NORTE.key, body: DEL_NORTE.csv });
    expect(result).toEqual({
      kind: 'rejected',
      reason: 'not a gzip file',
      rawText: DEL_NORTE.csv.toString('utf8'),
    });
  });

  it('keeps at most 1 KB of a rejected file', () => {
    const big = Buffer.from('x'.repeat(5000));
    const result = parseArchiveFile({ key: DEL_NORTE.key, body: big });
    expect(result).toEqual({
      kind: 'rejected',
      reason: 'not a gzip file',
      rawText: 'x'.repeat(1024),
    });
  });

  it('refuses a truncated gzip stream, keeping what could be read', () => {
    const lines = [HEADER];
    for (let hour = 1; hour <= 23; hour++) {
      const hh = String(hour).padStart(2, '0');
      lines.push(
        `2178,3919,Del Norte-2178,2023-02-22T${hh}:00:00-07:00,35.1353,-106.584702,pm10,µg/m³,${hour}.5`,
      );
    }
    const whole = gzipSync(lines.join('\n'));
    const result = parseArchiveFile({
      key: DEL_NORTE.key,
      body: whole.subarray(0, whole.length / 2),
    });
    expect(result.kind).toBe('rejected');
    if (result.kind !== 'rejected') return;
    expect(result.reason).toBe('truncated or corrupt gzip stream');
    expect(result.rawText.startsWith(`${HEADER}\n2178,3919,Del Norte-2178,`)).toBe(true);
  });

  it('refuses a corrupt gzip stream', () => {
    const body = Buffer.from(gzipSync(DEL_NORTE.csv));
    body.fill(0xff, 12, body.length - 10);
    expect(parseArchiveFile({ key: DEL_NORTE.key, body })).toMatchObject({
      kind: 'rejected',
      reason: 'truncated or corrupt gzip stream',
    });
  });

  it('refuses a key that is not an archive key, naming it', () => {
    const key = 'records/csv.gz/locationid=2178/year=2023/month=02/loc-2178-20230222.csv.gz';
    expect(parseText(key, DEL_NORTE.csv)).toEqual({
      kind: 'rejected',
      reason: `key "${key}" does not match records/csv.gz/locationid=N/year=Y/month=MM/location-N-YYYYMMDD.csv.gz`,
      rawText: DEL_NORTE.csv.toString('utf8'),
    });
  });

  it.each([
    [
      'the documentation column names',
      'location_id,sensor_id,location,datetime,lat,lon,parameter,unit,value',
    ],
    ['an extra column', `${HEADER},extra`],
    ['a missing column', 'location_id,sensors_id,location,datetime,lat,lon,parameter,value'],
    ['a different order', 'sensors_id,location_id,location,datetime,lat,lon,parameter,units,value'],
    ['capitals', HEADER.toUpperCase()],
  ])('refuses a header with %s, naming what it found', (_name, header) => {
    const text = `${header}\n2178,3919,Del Norte-2178,2023-02-22T01:00:00-07:00,35.1353,-106.584702,pm10,µg/m³,12.0\n`;
    expect(parseText(DEL_NORTE.key, text)).toEqual({
      kind: 'rejected',
      reason: `unexpected header "${header}", expected "${HEADER}"`,
      rawText: text,
    });
  });

  it('refuses the 2022 measurand layout with its own reason', () => {
    const header = 'location_id,sensors_id,location,datetime,lat,lon,measurand,value';
    const text = `${header}\n2178,3919,Del Norte-2178,2023-02-22T01:00:00-07:00,35.1353,-106.584702,pm10 µg/m³,12.0\n`;
    expect(parseText(DEL_NORTE.key, text)).toEqual({
      kind: 'rejected',
      reason: `old 2022 layout with a measurand column is not supported (header "${header}")`,
      rawText: text,
    });
  });

  it('refuses an empty file: it has no header', () => {
    expect(parseText(DEL_NORTE.key, '')).toEqual({
      kind: 'rejected',
      reason: 'empty file: no header',
      rawText: '',
    });
  });
});

describe('parseArchiveFile on header-only files', () => {
  it.each([
    ['unquoted LF', `${HEADER}\n`],
    ['quoted CRLF', `${QUOTED_HEADER}\r\n`],
  ])('reads %s as a parsed file with zero rows', (_name, text) => {
    expect(parseText(DEL_NORTE.key, text)).toEqual({
      kind: 'parsed',
      day: '2023-02-22',
      locationId: 2178,
      rows: [],
      rejects: [],
    });
  });
});

describe('parseArchiveFile on a header cut short', () => {
  it('refuses a header without its line ending as a file cut short', () => {
    expect(parseText(DEL_NORTE.key, HEADER)).toEqual({
      kind: 'rejected',
      reason: 'file was cut short: its only line, the header, has no line ending',
      rawText: HEADER,
    });
  });
});

describe('parseArchiveFile refusing single rows', () => {
  it('refuses a row with broken quoting and keeps every other row with its line number', () => {
    const lines = CHANDNI.csv.toString('utf8').split('\r\n');
    lines[2] = lines[2]!.replace('"Chandni Chowk, Delhi - IITM-1426"', '"Chandni Chowk"x');
    const result = parsed(parseText(CHANDNI.key, lines.join('\r\n')));
    const expected = parsed(CHANDNI.expected);
    expect(result.rejects).toEqual([
      { line: 3, reason: 'malformed CSV quoting (CSV_INVALID_CLOSING_QUOTE)', rawText: lines[2] },
    ]);
    expect(result.rows).toEqual(expected.rows.filter((row) => row.line !== 3));
  });

  it('refuses a row with invalid UTF-8 and keeps the others', () => {
    const text = DEL_NORTE.csv.toString('utf8');
    const bad = Buffer.from(
      text.replace('Del Norte-2178,2023-02-22T02', 'Del Norte\u0000-2178,2023-02-22T02'),
    );
    bad[bad.indexOf(0)] = 0xff;
    const result = parsed(parseText(DEL_NORTE.key, bad));
    expect(result.rejects).toHaveLength(1);
    expect(result.rejects[0]).toMatchObject({ line: 3, reason: 'row is not valid UTF-8' });
    expect(result.rows.map((row) => row.line)).toEqual([2, 4, 5, 6, 7]);
  });

  it('reports every problem of a row at once', () => {
    const text = `${HEADER}\n2179,x,Del Norte-2178,2023-02-21T23:00:00-07:00,35.1353,-200,pm10,µg/m³,1e999\n`;
    expect(parsed(parseText(DEL_NORTE.key, text)).rejects).toEqual([
      {
        line: 2,
        reason: [
          "location_id 2179 does not match the key's location id 2178",
          'sensors_id "x" is not an integer',
          'datetime "2023-02-21T23:00:00-07:00" is outside the file\'s local day 2023-02-22',
          'lon -200 is out of range [-180, 180]',
          'value "1e999" is not a number',
        ].join('; '),
        rawText: text.slice(HEADER.length + 1, -1),
      },
    ]);
  });

  it('refuses a row with fewer fields in either style', () => {
    const text = `${HEADER}\n2178,3919,Del Norte-2178,2023-02-22T01:00:00-07:00,35.1353\n`;
    expect(parsed(parseText(DEL_NORTE.key, text)).rejects).toEqual([
      { line: 2, reason: 'expected 9 fields, got 5', rawText: text.split('\n')[1] },
    ]);
  });

  it('keeps a value of -0 unflagged and flags -999 written with a plus exponent as a sentinel', () => {
    const row = (value: string, hour: string): string =>
      `2178,3919,Del Norte-2178,2023-02-22T${hour}:00:00-07:00,35.1353,-106.584702,pm10,µg/m³,${value}`;
    const text = [HEADER, row('-0', '01'), row('-9.99e+2', '02'), ''].join('\n');
    const flags = parsed(parseText(DEL_NORTE.key, text)).rows.map((r) => [r.value, r.valueFlag]);
    expect(flags).toEqual([
      [-0, null],
      [-999, 'sentinel'],
    ]);
  });
});

describe('parseArchiveFile on what a fault or an exporter can leave', () => {
  const key = 'records/csv.gz/locationid=2178/year=2023/month=02/location-2178-20230222.csv.gz';
  const row = '2178,3917,"Del Norte",2023-02-22T01:00:00-07:00,35.1353,-106.5847,o3,ppm,0.031';

  it('loads an exact repeat of a row once and keeps the repeat in rejects, naming the first line', () => {
    const file = parsed(parseText(key, `${HEADER}\n${row}\n${row}\n`));
    expect(file.rows).toHaveLength(1);
    expect(file.rejects).toEqual([{ line: 3, reason: 'duplicate of line 2', rawText: row }]);
  });

  it('tells a repeat from another reading of the same sensor and second, and repeats of refused rows', () => {
    const corrected = row.replace(/0\.031$/, '0.032');
    const bad = row.replace('0.031', 'n/a');
    const lines = [row, corrected, bad, corrected, bad, row];
    const file = parsed(parseText(key, `${[HEADER, ...lines].join('\n')}\n`));
    expect(file.rows.map((r) => [r.line, r.value])).toEqual([
      [2, 0.031],
      [3, 0.032],
    ]);
    expect(file.rejects.map((r) => [r.line, r.reason])).toEqual([
      [4, 'value "n/a" is not a number'],
      [5, 'duplicate of line 3'],
      [6, 'duplicate of line 4'],
      [7, 'duplicate of line 2'],
    ]);
  });

  it('reads every number exactly as Number() does, whatever its digits', () => {
    const values = [
      '0.1',
      '0.30000000000000004',
      '123456789012345',
      '1234567890123456',
      '9007199254740993',
      '-0.000001',
      '.5',
      '5.',
      '+7.25',
      '1e-7',
      '2.5E3',
      '00012.50',
      '0.1234567890123456789',
      '-999',
      '-999.0',
      '47.608013',
      '-122.335167',
    ];
    const text = [
      HEADER,
      ...values.map((v, i) =>
        row.replace('T01:', `T${String(i + 1).padStart(2, '0')}:`).replace(/0\.031$/, v),
      ),
      '',
    ].join('\n');
    const read = parsed(parseText(key, text)).rows.map((r) => r.value);
    expect(read).toEqual(values.map(Number));
    expect(read.map((v) => Object.is(v, -0))).not.toContain(true);
  });

  it('keeps at most 1 KB of a huge bad line, saying how much was cut', () => {
    const huge = `2178,${'9'.repeat(50_000)}`;
    const file = parsed(parseText(key, `${HEADER}\n${row}\n${huge}\n`));
    const reject = file.rejects[0]!;
    expect(reject.line).toBe(3);
    expect(reject.rawText.length).toBeLessThan(1_100);
    expect(reject.rawText).toMatch(/… \[\d+ more characters\]$/);
  });

  it('refuses a whole gzip stream followed by bytes that are not gzip, keeping its text', () => {
    const body = Buffer.concat([gzipSync(`${HEADER}\n${row}\n`), Buffer.from('garbage')]);
    const file = parseArchiveFile({ key, body });
    expect(file.kind).toBe('rejected');
    if (file.kind !== 'rejected') return;
    expect(file.reason).toBe('a complete gzip stream followed by 7 bytes that are not gzip');
    expect(file.rawText).toContain(row);
  });
});
