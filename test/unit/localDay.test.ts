import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { windowRange } from '../../job/lake/lakeLedger.ts';
import { archiveDayToMs } from '../../job/model/archiveDay.ts';
import {
  formatUtcOffset,
  isInLocalDay,
  isRealUtcOffset,
  localDaysBounds,
} from '../../job/model/localDay.ts';
import { parseArchiveFile } from '../../job/source/parseArchiveFile.ts';

const KEY = 'records/csv.gz/locationid=2178/year=2023/month=02/location-2178-20230222.csv.gz';
const DAY_MS = archiveDayToMs('2023-02-22');
const HEADER = 'location_id,sensors_id,location,datetime,lat,lon,parameter,units,value';

const row = (datetime: string): string =>
  `2178,3919,Del Norte-2178,${datetime},35.1353,-106.584702,pm10,µg/m³,12.0`;

/** Epoch ms of a DuckDB TIMESTAMP / TIMESTAMPTZ value (microseconds). */
const ms = (value: { micros: bigint }): number => Number(value.micros / 1000n);

describe('the local day and its instant bounds', () => {
  it('takes real offsets to be −12:00 … +14:00', () => {
    expect(isRealUtcOffset(-12 * 60)).toBe(true);
    expect(isRealUtcOffset(14 * 60)).toBe(true);
    expect(isRealUtcOffset(-12 * 60 - 1)).toBe(false);
    expect(isRealUtcOffset(14 * 60 + 1)).toBe(false);
    expect(formatUtcOffset(-720)).toBe('-12:00');
    expect(formatUtcOffset(330)).toBe('+05:30');
  });

  it('holds (D 00:00, D+1 00:00] local wall time', () => {
    expect(isInLocalDay(DAY_MS, DAY_MS)).toBe(false);
    expect(isInLocalDay(DAY_MS + 1000, DAY_MS)).toBe(true);
    expect(isInLocalDay(DAY_MS + 86_400_000, DAY_MS)).toBe(true);
    expect(isInLocalDay(DAY_MS + 86_401_000, DAY_MS)).toBe(false);
  });

  it('bounds instants by the extreme offsets at the extreme wall times', () => {
    expect(localDaysBounds(DAY_MS, DAY_MS + 86_400_000)).toEqual({
      wallAfterMs: DAY_MS,
      wallUntilMs: DAY_MS + 2 * 86_400_000,
      instantFromMs: DAY_MS - 14 * 3_600_000,
      instantUntilMs: DAY_MS + 2 * 86_400_000 + 12 * 3_600_000,
    });
    expect(() => localDaysBounds(DAY_MS + 1, DAY_MS)).toThrow(
      /^openaq: Expected local days first <= last/,
    );
  });

  it('the parser refuses offsets outside −12:00 … +14:00, with a reason', () => {
    const text = [
      HEADER,
      row('2023-02-22T00:01:00+18:00'),
      row('2023-02-22T12:00:00-13:00'),
      row('2023-02-22T12:00:00+14:01'),
      row('2023-02-22T12:00:00+14:00'),
      '',
    ].join('\n');
    const file = parseArchiveFile({ key: KEY, body: gzipSync(text) });
    if (file.kind !== 'parsed') throw new Error(file.reason);
    expect(file.rows.map((r) => r.line)).toEqual([5]);
    expect(file.rejects.map((r) => [r.line, r.reason])).toEqual([
      [
        2,
        'datetime "2023-02-22T00:01:00+18:00" has UTC offset +18:00, outside the real range -12:00 … +14:00',
      ],
      [
        3,
        'datetime "2023-02-22T12:00:00-13:00" has UTC offset -13:00, outside the real range -12:00 … +14:00',
      ],
      [
        4,
        'datetime "2023-02-22T12:00:00+14:01" has UTC offset +14:01, outside the real range -12:00 … +14:00',
      ],
    ]);
  });

  it('every reading the parser accepts lies within the bounds the lake looks in', () => {
    const datetimes: string[] = [];
    for (const offset of ['+18:00', '+14:00', '+05:45', '+00:00', '-09:30', '-12:00', '-18:59']) {
      for (const wall of ['2023-02-22T00:00:01', '2023-02-22T13:00:00', '2023-02-23T00:00:00']) {
        datetimes.push(`${wall}${offset}`);
      }
    }
    const file = parseArchiveFile({
      key: KEY,
      body: gzipSync([HEADER, ...datetimes.map(row), ''].join('\n')),
    });
    if (file.kind !== 'parsed') throw new Error(file.reason);
    expect(file.rows).toHaveLength(15);
    const range = windowRange(DAY_MS, DAY_MS);
    for (const reading of file.rows) {
      expect(reading.datetimeUtcMs).toBeGreaterThanOrEqual(ms(range.low));
      expect(reading.datetimeUtcMs).toBeLessThanOrEqual(ms(range.high));
      const wallMs = Date.parse(`${reading.datetimeLocal.replace(' ', 'T')}Z`);
      expect(wallMs).toBeGreaterThan(ms(range.localLow));
      expect(wallMs).toBeLessThanOrEqual(ms(range.localHigh));
    }
  });
});
