import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../job/model/archiveDay.ts';
import { parseArchiveKey } from '../../job/source/archiveKey.ts';
import { parseArchiveFile } from '../../job/source/parseArchiveFile.ts';
import {
  generateArchive,
  generateArchiveFile,
  generateStations,
  localDayReadingTimes,
} from '../../scripts/mirror/generateArchive.ts';
import type { GeneratedFile, Station } from '../../scripts/mirror/generateArchive.ts';

const SEED = 20240611;
/** 10 days around the end of European summer time (2023-10-29), old style. */
const DST_WINDOW = { from: '2023-10-24', to: '2023-11-02', stations: 30, seed: SEED } as const;
/** 10 days around the switch to the quoted CRLF style (2023-11-29). */
const STYLE_WINDOW = { from: '2023-11-24', to: '2023-12-03', stations: 30, seed: SEED } as const;

const dstFiles = [...generateArchive(DST_WINDOW)];
const styleFiles = [...generateArchive(STYLE_WINDOW)];

function text(file: GeneratedFile): string {
  return gunzipSync(file.body).toString('utf8');
}

function expectRoundTrip(file: GeneratedFile): void {
  const result = parseArchiveFile(file);
  if (result.kind !== 'parsed') throw new Error(`${file.key}: ${result.reason}`);
  expect(result.rejects, file.key).toEqual([]);
  expect(result.rows, file.key).toEqual(file.rows);
}

/** A generated station moved to another zone and cadence, with data every day. */
function stationIn(timeZone: string, cadenceMinutes: number): Station {
  const base = generateStations({ count: 1, seed: SEED })[0]!;
  return { ...base, timeZone, cadenceMinutes, mobile: false, coverage: 1 };
}

describe('generateArchive round trip', () => {
  it('makes a realistic number of files: some station-days have none', () => {
    expect(dstFiles.length).toBeGreaterThan(200);
    expect(dstFiles.length).toBeLessThan(300);
  });

  it('every file of a window with a DST change parses to exactly its rows, with no rejects', () => {
    for (const file of dstFiles) expectRoundTrip(file);
  });

  it('every file across the style switch parses to exactly its rows, with no rejects', () => {
    for (const file of styleFiles) expectRoundTrip(file);
  });

  it('the same window forced to the quoted style has the same rows and still round-trips', () => {
    const stations = generateStations({ count: 30, seed: SEED });
    let compared = 0;
    for (const station of stations) {
      const old = generateArchiveFile(station, '2023-10-29', { seed: SEED });
      const quoted = generateArchiveFile(station, '2023-10-29', {
        seed: SEED,
        style: 'quoted-crlf',
      });
      expect(quoted?.rows).toEqual(old?.rows);
      if (quoted === undefined) continue;
      expect(text(quoted).startsWith('"location_id","sensors_id","location"')).toBe(true);
      expectRoundTrip(quoted);
      compared += 1;
    }
    expect(compared).toBeGreaterThan(20);
  });

  it('keys parse back to the station and day', () => {
    const stationIds = new Set(
      generateStations({ count: 30, seed: SEED }).map((s) => s.locationId),
    );
    for (const file of dstFiles) {
      const target = parseArchiveKey(file.key);
      expect(target, file.key).toBeDefined();
      expect(stationIds.has(target!.locationId)).toBe(true);
      expect(file.rows.every((row) => row.locationId === target!.locationId)).toBe(true);
    }
  });
});

describe('generateArchive writing styles', () => {
  it('writes unquoted LF before 2023-11-29 and quoted CRLF from then on', () => {
    for (const file of styleFiles) {
      const day = parseArchiveKey(file.key)!.day;
      const body = text(file);
      if (day < '2023-11-29') {
        expect(body.startsWith('location_id,sensors_id,location,datetime,'), file.key).toBe(true);
        expect(body.includes('\r')).toBe(false);
      } else {
        expect(body.startsWith('"location_id","sensors_id","location","datetime",'), file.key).toBe(
          true,
        );
        expect(body.split('\r\n').length - 1).toBe(file.rows.length + 1);
      }
    }
  });

  it('quotes lat, lon and value in some quoted files only', () => {
    const quoted = styleFiles.filter((file) => parseArchiveKey(file.key)!.day >= '2023-11-29');
    const withQuotedNumbers = quoted.filter((file) => /,"-?\d+(\.\d+)?"\r\n/.test(text(file)));
    expect(withQuotedNumbers.length).toBeGreaterThan(0);
    expect(withQuotedNumbers.length).toBeLessThan(quoted.length);
  });
});

describe('generateArchive determinism', () => {
  it('gives byte-identical files for the same seed', () => {
    const again = [...generateArchive(DST_WINDOW)];
    expect(again.map((file) => file.key)).toEqual(dstFiles.map((file) => file.key));
    again.forEach((file, i) => expect(Buffer.from(file.body).equals(dstFiles[i]!.body)).toBe(true));
  });

  it('gives different files for a different seed', () => {
    const other = [...generateArchive({ ...DST_WINDOW, seed: SEED + 1 })];
    const otherBodies = new Set(other.map((file) => Buffer.from(file.body).toString('base64')));
    const same = dstFiles.filter((file) =>
      otherBodies.has(Buffer.from(file.body).toString('base64')),
    );
    expect(same).toEqual([]);
  });

  it('keeps the first stations the same when more are asked for', () => {
    expect(generateStations({ count: 50, seed: SEED }).slice(0, 7)).toEqual(
      generateStations({ count: 7, seed: SEED }),
    );
  });

  it('orders files by station, then day', () => {
    const order = dstFiles.map((file) => parseArchiveKey(file.key)!);
    const sorted = [...order].sort(
      (a, b) => a.locationId - b.locationId || (a.day < b.day ? -1 : 1),
    );
    expect(order).toEqual(sorted);
  });
});

describe('generateArchive local-day rule', () => {
  it('every row is in (D 00:00, D+1 00:00] local, and hourly files end at D+1 00:00', () => {
    let hourly = 0;
    const stations = new Map(
      generateStations({ count: 30, seed: SEED }).map((s) => [s.locationId, s]),
    );
    for (const file of [...dstFiles, ...styleFiles]) {
      const { locationId, day } = parseArchiveKey(file.key)!;
      const next = addDays(day, 1);
      for (const row of file.rows) {
        expect(row.datetimeLocal > `${day} 00:00:00`, file.key).toBe(true);
        expect(row.datetimeLocal <= `${next} 00:00:00`, file.key).toBe(true);
      }
      if (stations.get(locationId)!.cadenceMinutes === 60) {
        hourly += 1;
        expect(file.rows.at(-1)!.datetimeLocal, file.key).toBe(`${next} 00:00:00`);
      }
    }
    expect(hourly).toBeGreaterThan(50);
  });

  it('has 25 hourly readings with two offsets when Berlin leaves summer time', () => {
    const times = localDayReadingTimes('Europe/Berlin', '2023-10-29', 60);
    expect(times).toHaveLength(25);
    expect(times.slice(0, 3).map((t) => t.datetime)).toEqual([
      '2023-10-29T01:00:00+02:00',
      '2023-10-29T02:00:00+02:00',
      '2023-10-29T02:00:00+01:00',
    ]);
    expect(times.at(-1)!.datetime).toBe('2023-10-30T00:00:00+01:00');
    expect(times.at(-1)!.utcMs).toBe(Date.UTC(2023, 9, 29, 23));
  });

  it('has 23 hourly readings when Berlin and Denver start summer time', () => {
    const berlin = localDayReadingTimes('Europe/Berlin', '2023-03-26', 60);
    expect(berlin).toHaveLength(23);
    expect(berlin.slice(0, 2).map((t) => t.datetime)).toEqual([
      '2023-03-26T01:00:00+01:00',
      '2023-03-26T03:00:00+02:00',
    ]);
    expect(localDayReadingTimes('America/Denver', '2023-03-12', 60)).toHaveLength(23);
  });

  it('uses half- and quarter-hour offsets and sub-hourly cadences', () => {
    const kolkata = localDayReadingTimes('Asia/Kolkata', '2023-06-01', 60);
    expect(kolkata).toHaveLength(24);
    expect(kolkata[0]!.datetime).toBe('2023-06-01T01:00:00+05:30');
    expect(kolkata[0]!.utcMs).toBe(Date.UTC(2023, 4, 31, 19, 30));
    const kathmandu = localDayReadingTimes('Asia/Kathmandu', '2023-06-01', 15);
    expect(kathmandu).toHaveLength(96);
    expect(kathmandu[0]!.datetime).toBe('2023-06-01T00:15:00+05:45');
    expect(localDayReadingTimes('UTC', '2023-06-01', 5)).toHaveLength(288);
    expect(localDayReadingTimes('UTC', '2023-06-01', 5).at(-1)!.datetime).toBe(
      '2023-06-02T00:00:00+00:00',
    );
  });

  it('writes a DST-change day with mixed offsets that round-trips', () => {
    const file = generateArchiveFile(stationIn('Europe/Berlin', 60), '2023-10-29', { seed: SEED })!;
    expect(new Set(file.rows.map((row) => row.utcOffset))).toEqual(new Set(['+02:00', '+01:00']));
    expectRoundTrip(file);
    const spring = generateArchiveFile(stationIn('America/Denver', 60), '2023-03-12', {
      seed: SEED,
      style: 'quoted-crlf',
    })!;
    expect(new Set(spring.rows.map((row) => row.utcOffset))).toEqual(new Set(['-07:00', '-06:00']));
    expectRoundTrip(spring);
  });
});

describe('generateArchive faithful features', () => {
  const many = generateStations({ count: 300, seed: SEED });
  const window = [
    ...generateArchive({ from: '2023-06-01', to: '2023-06-03', stations: 120, seed: SEED }),
  ];
  const rows = window.flatMap((file) => file.rows);

  it('uses real zones, every cadence, mobile stations and 1-4 sensors', () => {
    expect(new Set(many.map((s) => s.timeZone))).toEqual(
      new Set([
        'America/Denver',
        'Asia/Kolkata',
        'Asia/Ho_Chi_Minh',
        'Europe/Berlin',
        'UTC',
        'Asia/Shanghai',
        'America/Sao_Paulo',
        'Asia/Kathmandu',
        'America/New_York',
        'Australia/Sydney',
        'America/Mexico_City',
      ]),
    );
    expect(new Set(many.map((s) => s.cadenceMinutes))).toEqual(new Set([60, 15, 10, 5]));
    expect(many.some((s) => s.mobile)).toBe(true);
    expect(new Set(many.map((s) => s.sensors.length))).toEqual(new Set([1, 2, 3, 4]));
    const ids = many.map((s) => s.locationId);
    expect(new Set(ids).size).toBe(ids.length);
    const sensorIds = many.flatMap((s) => s.sensors.map((sensor) => sensor.sensorsId));
    expect(new Set(sensorIds).size).toBe(sensorIds.length);
  });

  it('writes names with commas, double quotes and non-ASCII text, suffixed with a system id', () => {
    const names = many.map((s) => s.location);
    expect(names.some((n) => n.includes(','))).toBe(true);
    expect(names.some((n) => n.includes('"'))).toBe(true);
    expect(names.some((n) => /[\u4e00-\u9fff]/.test(n))).toBe(true);
    expect(names.some((n) => /[ạ-ỹ]/.test(n))).toBe(true);
    expect(names.every((n) => /-\d+$/.test(n))).toBe(true);
    expect(many.some((s) => !s.location.endsWith(`-${s.locationId}`))).toBe(true);
  });

  it('uses all the documented parameters and units, with CO in ppm and in ppb', () => {
    const sensors = many.flatMap((s) => s.sensors);
    expect(new Set(sensors.map((s) => s.parameter))).toEqual(
      new Set([
        'pm25',
        'pm10',
        'pm1',
        'o3',
        'no2',
        'so2',
        'co',
        'bc',
        'um003',
        'temperature',
        'relativehumidity',
      ]),
    );
    expect(new Set(sensors.map((s) => s.units))).toEqual(
      new Set(['µg/m³', 'ppm', 'ppb', 'particles/cm³', 'c', '%']),
    );
    expect(new Set(sensors.filter((s) => s.parameter === 'co').map((s) => s.units))).toEqual(
      new Set(['ppm', 'ppb']),
    );
  });

  it('has float noise in coordinates and mobile positions that change within a file', () => {
    expect(many.some((s) => String(s.lat).length > 15 || String(s.lon).length > 15)).toBe(true);
    const mobile = window.filter((file) => new Set(file.rows.map((row) => row.lat)).size > 1);
    expect(mobile.length).toBeGreaterThan(0);
  });

  it('has sentinels and other negatives now and then', () => {
    const sentinels = rows.filter((row) => row.valueFlag === 'sentinel');
    const negatives = rows.filter((row) => row.valueFlag === 'negative');
    expect(sentinels.length).toBeGreaterThan(0);
    expect(sentinels.every((row) => row.value === -999)).toBe(true);
    expect(negatives.length).toBeGreaterThan(0);
    expect(sentinels.length + negatives.length).toBeLessThan(rows.length * 0.05);
  });

  it('makes files of tens to a few hundred rows and a few KB', () => {
    for (const file of window) {
      expect(file.rows.length).toBeGreaterThan(10);
      expect(file.rows.length).toBeLessThanOrEqual(600);
      expect(file.body.length).toBeLessThan(12 * 1024);
    }
    const average = rows.length / window.length;
    expect(average).toBeGreaterThan(50);
    expect(average).toBeLessThan(400);
  });
});

describe('generateArchive options', () => {
  it('refuses bad options, naming the value', () => {
    expect(() => generateArchive({ ...DST_WINDOW, stations: 0 })).toThrow('got `0`');
    expect(() => generateArchive({ ...DST_WINDOW, from: '2023-02-30' })).toThrow(
      'openaq: invalid day "2023-02-30"',
    );
    expect(() => generateStations({ count: 3, seed: 1.5 })).toThrow('got `1.5`');
  });
});
