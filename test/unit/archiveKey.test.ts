import { describe, expect, it } from 'vitest';
import {
  ARCHIVE_KEY_PREFIX,
  formatArchiveKey,
  monthPrefix,
  parseArchiveKey,
} from '../../job/source/archiveKey.ts';

const DEL_NORTE = 'records/csv.gz/locationid=2178/year=2023/month=02/location-2178-20230222.csv.gz';

describe('formatArchiveKey', () => {
  it('writes the archive layout', () => {
    expect(ARCHIVE_KEY_PREFIX).toBe('records/csv.gz/');
    expect(formatArchiveKey(2178, '2023-02-22')).toBe(DEL_NORTE);
    expect(formatArchiveKey(7, '2024-12-01')).toBe(
      'records/csv.gz/locationid=7/year=2024/month=12/location-7-20241201.csv.gz',
    );
  });

  it('refuses a bad location id or day, naming it', () => {
    expect(() => formatArchiveKey(0, '2023-02-22')).toThrow('got 0');
    expect(() => formatArchiveKey(2.5, '2023-02-22')).toThrow('got 2.5');
    expect(() => formatArchiveKey(2178, '2023-02-30')).toThrow('openaq: invalid day "2023-02-30"');
  });
});

describe('parseArchiveKey', () => {
  it('reads the location and day, and round-trips with formatArchiveKey', () => {
    expect(parseArchiveKey(DEL_NORTE)).toEqual({ locationId: 2178, day: '2023-02-22' });
    const key = formatArchiveKey(123456, '2024-02-29');
    expect(parseArchiveKey(key)).toEqual({ locationId: 123456, day: '2024-02-29' });
  });

  it.each([
    [
      'loc- file name',
      'records/csv.gz/locationid=2178/year=2023/month=02/loc-2178-20230222.csv.gz',
    ],
    [
      'ids disagree',
      'records/csv.gz/locationid=2178/year=2023/month=02/location-2179-20230222.csv.gz',
    ],
    [
      'year folder disagrees',
      'records/csv.gz/locationid=2178/year=2022/month=02/location-2178-20230222.csv.gz',
    ],
    [
      'month folder disagrees',
      'records/csv.gz/locationid=2178/year=2023/month=03/location-2178-20230222.csv.gz',
    ],
    [
      'no such date',
      'records/csv.gz/locationid=2178/year=2023/month=02/location-2178-20230230.csv.gz',
    ],
    ['month 13', 'records/csv.gz/locationid=2178/year=2023/month=13/location-2178-20231301.csv.gz'],
    [
      'leading zero id',
      'records/csv.gz/locationid=02178/year=2023/month=02/location-02178-20230222.csv.gz',
    ],
    ['not gzipped', 'records/csv.gz/locationid=2178/year=2023/month=02/location-2178-20230222.csv'],
    [
      'other prefix',
      'archive/records/csv.gz/locationid=2178/year=2023/month=02/location-2178-20230222.csv.gz',
    ],
    [
      'unpadded month',
      'records/csv.gz/locationid=2178/year=2023/month=2/location-2178-20230222.csv.gz',
    ],
    ['folder only', 'records/csv.gz/locationid=2178/year=2023/month=02/'],
    [
      'unsafe integer id',
      'records/csv.gz/locationid=99999999999999999/year=2023/month=02/location-99999999999999999-20230222.csv.gz',
    ],
    ['empty', ''],
  ])('does not match: %s', (_name, key) => {
    expect(parseArchiveKey(key)).toBeUndefined();
  });
});

describe('monthPrefix', () => {
  it('is the folder of one month of one location, ending in /', () => {
    expect(monthPrefix(2178, 2023, 2)).toBe('records/csv.gz/locationid=2178/year=2023/month=02/');
    expect(monthPrefix(2178, 2023, 11)).toBe('records/csv.gz/locationid=2178/year=2023/month=11/');
    expect(DEL_NORTE.startsWith(monthPrefix(2178, 2023, 2))).toBe(true);
  });

  it('refuses bad arguments, naming them', () => {
    expect(() => monthPrefix(2178, 2023, 13)).toThrow('got 13');
    expect(() => monthPrefix(2178, 23, 1)).toThrow('got 23');
    expect(() => monthPrefix(-1, 2023, 1)).toThrow('got -1');
  });
});
