import { describe, expect, it } from 'vitest';
import {
  addDays,
  archiveDayFromMs,
  archiveDayToMs,
  daysBetween,
  parseArchiveDay,
} from '../../job/model/archiveDay.ts';

describe('parseArchiveDay', () => {
  it('accepts real calendar dates, leap days included', () => {
    expect(parseArchiveDay('2023-02-22')).toBe('2023-02-22');
    expect(parseArchiveDay('2024-02-29')).toBe('2024-02-29');
    expect(parseArchiveDay('2000-02-29')).toBe('2000-02-29');
    expect(parseArchiveDay('2023-12-31')).toBe('2023-12-31');
  });

  it.each([
    '2023-02-29',
    '1900-02-29',
    '2023-04-31',
    '2023-13-01',
    '2023-00-10',
    '2023-01-00',
    '2023-2-1',
    '20230222',
    '2023-02-22T00:00:00Z',
    ' 2023-02-22',
    '0099-01-01',
    '',
  ])('refuses %j, naming it', (bad) => {
    expect(() => parseArchiveDay(bad)).toThrow(`openaq: invalid day "${bad}", expected YYYY-MM-DD`);
  });
});

describe('addDays', () => {
  it('crosses month, year and leap-day boundaries in both directions', () => {
    expect(addDays('2023-02-22', 1)).toBe('2023-02-23');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-12-31', 1)).toBe('2024-01-01');
    expect(addDays('2024-01-01', -1)).toBe('2023-12-31');
    expect(addDays('2023-03-26', 0)).toBe('2023-03-26');
    expect(addDays('2023-01-01', 365)).toBe('2024-01-01');
  });

  it('refuses a fractional count and an invalid day', () => {
    expect(() => addDays('2023-01-01', 1.5)).toThrow('got 1.5');
    expect(() => addDays('2023-02-30', 1)).toThrow('openaq: invalid day "2023-02-30"');
  });
});

describe('daysBetween', () => {
  it('lists every day, both ends included', () => {
    expect(daysBetween('2023-02-27', '2023-03-02')).toEqual([
      '2023-02-27',
      '2023-02-28',
      '2023-03-01',
      '2023-03-02',
    ]);
    expect(daysBetween('2023-05-05', '2023-05-05')).toEqual(['2023-05-05']);
    expect(daysBetween('2024-01-01', '2024-12-31')).toHaveLength(366);
  });

  it('is empty when from is after to', () => {
    expect(daysBetween('2023-05-06', '2023-05-05')).toEqual([]);
  });
});

describe('archiveDayToMs / archiveDayFromMs', () => {
  it('converts to UTC midnight and back', () => {
    expect(archiveDayToMs('2023-02-22')).toBe(Date.UTC(2023, 1, 22));
    expect(archiveDayFromMs(Date.UTC(2023, 1, 22, 23, 59, 59))).toBe('2023-02-22');
    expect(() => archiveDayFromMs(Number.NaN)).toThrow('openaq: invalid instant NaN');
  });
});
