import { describe, expect, it } from 'vitest';
import { MeasurementColumns } from '../../job/model/measurementColumns.ts';

const WALL_MS = Date.UTC(2024, 2, 10, 1, 30, 0);

function pushRow(columns: MeasurementColumns, line: number, value: number): void {
  columns.push(
    line,
    2178,
    line % 2 === 0 ? null : 3919,
    line % 3 === 0 ? null : 'Del Norte-2178',
    WALL_MS + 7 * 3_600_000,
    WALL_MS,
    '-07:00',
    line % 5 === 0 ? null : 35.1353,
    -106.584702,
    'pm10',
    line % 7 === 0 ? null : 'µg/m³',
    value,
  );
}

describe('MeasurementColumns', () => {
  it('gives back each row as the Measurement it was pushed as, past its first capacity', () => {
    const columns = new MeasurementColumns();
    for (let line = 2; line < 3002; line++) pushRow(columns, line, line === 2999 ? -999 : -line);
    expect(columns.length).toBe(3000);
    expect(columns.measurement(0)).toEqual({
      line: 2,
      locationId: 2178,
      sensorsId: null,
      location: 'Del Norte-2178',
      datetimeUtcMs: WALL_MS + 7 * 3_600_000,
      datetimeLocal: '2024-03-10 01:30:00',
      utcOffset: '-07:00',
      lat: 35.1353,
      lon: -106.584702,
      parameter: 'pm10',
      units: 'µg/m³',
      value: -2,
      valueFlag: 'negative',
    });
    expect(columns.measurement(2997)).toMatchObject({
      line: 2999,
      sensorsId: 3919,
      location: 'Del Norte-2178',
      value: -999,
      valueFlag: 'sentinel',
    });
    expect(columns.measurement(2998)).toMatchObject({ line: 3000, location: null, lat: null });
    expect(columns.measurement(2994)).toMatchObject({ line: 2996, units: null });
  });

  it('starts over after clear, with no flag left from the row it overwrites', () => {
    const columns = new MeasurementColumns();
    pushRow(columns, 3, -999);
    columns.clear();
    expect(columns.length).toBe(0);
    pushRow(columns, 4, 0);
    expect(columns.length).toBe(1);
    expect(columns.measurement(0)).toMatchObject({ line: 4, value: 0, valueFlag: null });
  });
});
