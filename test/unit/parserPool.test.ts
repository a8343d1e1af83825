import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { MeasurementColumns } from '../../job/model/measurementColumns.ts';
import { packRows, type PackedRows } from '../../job/model/packedRows.ts';
import { formatArchiveKey } from '../../job/source/archiveKey.ts';
import { parseArchiveFile, type ParsedFile } from '../../job/source/parseArchiveFile.ts';
import { ParserPool } from '../../job/source/parserPool.ts';
import type { PackedFileVerdict } from '../../job/source/readPackedFile.ts';
import { generateArchive } from '../../scripts/mirror/generateArchive.ts';

/** The verdict with its packed rows read back, to compare with parseArchiveFile's. */
function unpacked(verdict: PackedFileVerdict): ParsedFile {
  if (verdict.kind === 'rejected') return verdict;
  const columns = new MeasurementColumns();
  const rows = verdict.rows;
  const text = (column: PackedRows['location'], i: number): string =>
    column.values[column.index[i]!] as string;
  for (let i = 0; i < rows.length; i++) {
    columns.push(
      rows.line[i]!,
      rows.locationId[i]!,
      Number.isNaN(rows.sensorsId[i]) ? null : rows.sensorsId[i]!,
      text(rows.location, i),
      rows.datetimeUtcMs[i]!,
      rows.datetimeWallMs[i]!,
      text(rows.utcOffset, i),
      Number.isNaN(rows.lat[i]) ? null : rows.lat[i]!,
      Number.isNaN(rows.lon[i]) ? null : rows.lon[i]!,
      text(rows.parameter, i),
      text(rows.units, i),
      rows.value[i]!,
    );
  }
  const { kind, day, locationId, rejects } = verdict;
  const measurements = Array.from({ length: rows.length }, (_, i) => columns.measurement(i));
  return { kind, day, locationId, rejects, rows: measurements };
}

const files = [
  ...generateArchive({ from: '2024-03-09', to: '2024-03-11', stations: 4, seed: 11 }),
  // The older writing style, unquoted.
  ...generateArchive({ from: '2022-06-01', to: '2022-06-01', stations: 2, seed: 12 }),
  { key: formatArchiveKey(77, '2024-03-10'), body: new TextEncoder().encode('not gzip') },
  {
    key: formatArchiveKey(78, '2024-03-10'),
    body: gzipSync('location_id,sensors_id,location,datetime,lat,lon,parameter,units,value\n78,1'),
  },
];

const pools: ParserPool[] = [];
afterAll(async () => {
  for (const pool of pools) await pool.close();
});

describe('ParserPool', () => {
  it.each([0, 2])('with %i threads reads every file as parseArchiveFile does', async (threads) => {
    const pool = ParserPool.create(threads);
    pools.push(pool);
    const verdicts = await Promise.all(files.map((file) => pool.parse(file)));
    expect(verdicts.map(unpacked)).toEqual(files.map((file) => parseArchiveFile(file)));
    expect(verdicts.at(-2)).toMatchObject({ kind: 'rejected', reason: 'not a gzip file' });
    expect(verdicts.at(-1)).toMatchObject({
      kind: 'parsed',
      rejects: [{ line: 2, reason: expect.stringContaining('cut short') as string }],
    });
    expect(pool.busyMs).toBeGreaterThan(0);
  });

  it('refuses work once closed, and a thread count that is not one', async () => {
    const pool = ParserPool.create(1);
    await pool.close();
    await expect(pool.parse(files[0]!)).rejects.toThrow('parser: used after it was closed');
    expect(() => ParserPool.create(-1)).toThrow(
      'parser: Expected `threads` to be an integer >= 0, got `-1`',
    );
  });
});

describe('packRows', () => {
  it('keeps nulls and repeats in its dictionaries, each distinct value once', () => {
    const columns = new MeasurementColumns();
    const units = ['µg/m³', null, 'µg/m³', 'ppm', null];
    units.forEach((unit, i) =>
      columns.push(i + 2, 9, null, null, 0, 0, '+01:00', null, null, 'pm25', unit, i),
    );
    const packed = packRows(columns);
    expect(packed.units.values).toEqual(['µg/m³', null, 'ppm']);
    expect([...packed.units.index].map((i) => packed.units.values[i])).toEqual(units);
    expect(packed.location.values).toEqual([null]);
    expect(packed.value).toEqual(new Float64Array([0, 1, 2, 3, 4]));
  });
});
