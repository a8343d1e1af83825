import { describe, expect, it } from 'vitest';
import { dateValue, timestamptzValue } from '../../job/lake/duckdbTypes.ts';
import { duckdbPlatform, extensionFile } from '../../job/lake/duckdbExtensions.ts';
import { IN_WINDOW, rangeParameters, windowRange } from '../../job/lake/lakeLedger.ts';
import { REPORTS, reportParameters } from '../../job/lake/reports.ts';
import { columnSql, createTableSql, partitionSql, qualifiedName } from '../../job/lake/tableDdl.ts';
import { archiveDayToMs } from '../../job/model/archiveDay.ts';
import { FILES, MEASUREMENTS } from '../../job/tables.ts';

const HOUR = 3_600_000;
/** Epoch ms of a DuckDB TIMESTAMP / TIMESTAMPTZ value. */
const ms = (value: { micros: bigint }): number => Number(value.micros / 1000n);

describe('table DDL', () => {
  it('quotes every part of a qualified name', () => {
    expect(qualifiedName('lake', 'airquality', 'measurements')).toBe(
      '"lake"."airquality"."measurements"',
    );
    expect(qualifiedName('lake', 'a"b', 't')).toBe('"lake"."a""b"."t"');
  });

  it('writes columns with their DuckDB types and NOT NULL for required ones', () => {
    const [locationId, sensorsId] = MEASUREMENTS.columns;
    expect(columnSql(locationId!)).toBe('"location_id" BIGINT NOT NULL');
    expect(columnSql(sensorsId!)).toBe('"sensors_id" BIGINT');
  });

  it('partitions measurements by the local month, and the other tables not at all', () => {
    expect(partitionSql(MEASUREMENTS.partitionBy)).toBe('month("datetime_local")');
    expect(partitionSql([{ column: 'location_id', transform: 'identity' }])).toBe('"location_id"');
    const measurements = createTableSql('lake', 'aq', MEASUREMENTS);
    expect(measurements).toMatch(
      /^CREATE TABLE IF NOT EXISTS "lake"\."aq"\."measurements" \(.*"datetime" TIMESTAMPTZ NOT NULL, "datetime_local" TIMESTAMP,.*\) PARTITIONED BY \(month\("datetime_local"\)\)$/,
    );
    expect(createTableSql('lake', 'aq', FILES)).not.toContain('PARTITIONED BY');
  });
});

describe('DuckDB parameter values', () => {
  it('binds an archive day as days since the epoch and an instant in microseconds', () => {
    expect(dateValue('1970-01-02').days).toBe(1);
    expect(dateValue('2024-02-29').days).toBe(archiveDayToMs('2024-02-29') / 86_400_000);
    expect(timestamptzValue(new Date('2024-03-01T00:00:00.123Z')).micros).toBe(
      BigInt(Date.UTC(2024, 2, 1)) * 1000n + 123_000n,
    );
  });
});

describe('windowRange', () => {
  it('bounds the files of days [from, to] by local wall time and by the real offsets', () => {
    const from = archiveDayToMs('2024-03-01');
    const to = archiveDayToMs('2024-03-02');
    const range = windowRange(from, to);
    expect(ms(range.localLow)).toBe(from);
    expect(ms(range.localHigh)).toBe(to + 24 * HOUR);
    expect(ms(range.low)).toBe(from - 14 * HOUR);
    expect(ms(range.high)).toBe(to + 24 * HOUR + 12 * HOUR);
  });

  it('binds exactly the parameters IN_WINDOW names', () => {
    const named = [...IN_WINDOW.matchAll(/\$(\w+)/g)].map((m) => m[1]).sort();
    const range = windowRange(archiveDayToMs('2024-03-01'), archiveDayToMs('2024-03-01'));
    expect(Object.keys(rangeParameters(range)).sort()).toEqual(named);
  });

  it('refuses a window that ends before it starts', () => {
    expect(() => windowRange(archiveDayToMs('2024-03-02'), archiveDayToMs('2024-03-01'))).toThrow(
      'openaq: Expected local days first <= last',
    );
  });
});

describe('reports', () => {
  it('get exactly the parameters their SQL names', () => {
    for (const report of REPORTS) {
      const named = [...new Set([...report.sql.matchAll(/\$(\w+)/g)].map((m) => m[1]))].sort();
      const given = reportParameters(report, { days: 7, limit: 10, parameter: 'pm25' });
      expect(Object.keys(given).sort(), report.name).toEqual(named);
    }
  });
});

describe('DuckDB extensions', () => {
  it('names the platform folder and refuses other CPUs', () => {
    expect(duckdbPlatform('x64')).toBe('linux_amd64');
    expect(duckdbPlatform('arm64')).toBe('linux_arm64');
    expect(() => duckdbPlatform('ia32')).toThrow('duckdb: unsupported CPU architecture "ia32"');
    expect(extensionFile('/ext', 'iceberg', '1.5.5')).toBe(
      `/ext/v1.5.5/${duckdbPlatform()}/iceberg.duckdb_extension`,
    );
  });
});
