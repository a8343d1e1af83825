import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualifiedName } from '../../job/lake/tableDdl.ts';
import { formatArchiveKey, parseArchiveKey } from '../../job/source/archiveKey.ts';
import { MEASUREMENTS } from '../../job/tables.ts';
import {
  generateArchive,
  generateArchiveFile,
  generateStations,
  type GeneratedFile,
} from '../../scripts/mirror/generateArchive.ts';
import {
  backfillConfig,
  createMirrorBucket,
  expectedRowsDigest,
  putFiles,
  runLocalBackfill,
  tableRowsDigest,
} from '../helpers/backfillHarness.ts';
import { dropNamespace, uniqueNamespace, withLocalLake } from '../helpers/localLake.ts';
import { locationsMismatches } from '../helpers/locationsMismatches.ts';
import { pyIcebergDigest } from '../helpers/pyIcebergDigest.ts';
import { duckdbTableDigest } from '../helpers/tableDigest.ts';

const WINDOW = { from: '2024-03-08', to: '2024-03-14' } as const;
const SEED = 11;
const STATIONS = 25;
const namespace = uniqueNamespace('it_backfill');
let bucket: string;
let files: GeneratedFile[];

async function snapshotCount(table: string): Promise<number> {
  return withLocalLake(async ({ connection, catalog }) => {
    const reader = await connection.runAndReadAll(
      `SELECT count(*)::INT FROM iceberg_snapshots(${qualifiedName(catalog, namespace, table)})`,
    );
    return Number(reader.getRows()[0]?.[0]);
  });
}

describe('backfill of a window into the local lakehouse', () => {
  beforeAll(async () => {
    bucket = await createMirrorBucket('it-backfill');
    files = [...generateArchive({ ...WINDOW, stations: STATIONS, seed: SEED })];
    await putFiles(bucket, files);
  });

  afterAll(async () => {
    await dropNamespace(namespace);
  });

  it('loads exactly the generated rows, in one commit, and PyIceberg reads the same', async () => {
    const { summary, counts } = await runLocalBackfill(
      await backfillConfig({ ...WINDOW, namespace, sourceBucket: bucket }),
    );
    const expected = expectedRowsDigest(files);
    expect(summary).toMatchObject({
      filesListed: files.length,
      filesFetched: files.length,
      filesSkipped: 0,
      filesRejected: 0,
      rowsCommitted: expected.rows,
      rowsRejected: 0,
      commits: 1,
      exitCode: 0,
    });
    expect(summary.snapshotIds).toHaveLength(1);
    expect(counts.get).toBe(files.length);
    expect(await tableRowsDigest(namespace)).toEqual(expected);

    const fromDuckdb = await withLocalLake(({ connection, catalog }) =>
      duckdbTableDigest(connection, qualifiedName(catalog, namespace, MEASUREMENTS.name)),
    );
    const fromPyIceberg = await pyIcebergDigest([`${namespace}.measurements`]);
    expect(fromPyIceberg[`${namespace}.measurements`]).toMatchObject(fromDuckdb);
    expect(await locationsMismatches(namespace)).toEqual([]);
  });

  it('re-running the same window adds 0 rows, creates 0 snapshots and fetches 0 objects', async () => {
    const before = await snapshotCount(MEASUREMENTS.name);
    const { summary, counts } = await runLocalBackfill(
      await backfillConfig({ ...WINDOW, namespace, sourceBucket: bucket }),
    );
    expect(summary).toMatchObject({
      filesSkipped: files.length,
      filesFetched: 0,
      rowsCommitted: 0,
      commits: 0,
    });
    expect(counts.get).toBe(0);
    expect(await snapshotCount(MEASUREMENTS.name)).toBe(before);
    expect(await tableRowsDigest(namespace)).toEqual(expectedRowsDigest(files));
  });

  it('replaces exactly the rows of a file OpenAQ patched (new content, new ETag)', async () => {
    const original = files[3]!;
    const { locationId, day } = parseArchiveKey(original.key)!;
    const station = generateStations({ count: STATIONS, seed: SEED }).find(
      (s) => s.locationId === locationId,
    )!;
    // The patched version: the same station-day generated with another seed (other values, other count).
    const patched = generateArchiveFile(station, day, { seed: SEED + 1000 })!;
    expect(patched.key).toBe(original.key);
    await putFiles(bucket, [patched]);
    files = files.map((file) => (file.key === original.key ? patched : file));

    const { summary, counts } = await runLocalBackfill(
      await backfillConfig({ ...WINDOW, namespace, sourceBucket: bucket }),
    );
    expect(summary).toMatchObject({
      filesChanged: 1,
      filesFetched: 1,
      rowsReplaced: original.rows.length,
      rowsCommitted: patched.rows.length,
      commits: 1,
      // Its station's locations row is maintained from the two versions, not recomputed.
      stationsRecomputed: 0,
    });
    expect(counts.get).toBe(1);
    expect(await tableRowsDigest(namespace)).toEqual(expectedRowsDigest(files));
    expect(await locationsMismatches(namespace)).toEqual([]);
  });

  it('keeps bad input with its reason in rejects, loads the good rows of other files, and exits 3 above the threshold', async () => {
    const badBucket = await createMirrorBucket('it-bad');
    const badNamespace = uniqueNamespace('it_bad');
    const day = '2024-03-20';
    const header = 'location_id,sensors_id,location,datetime,lat,lon,parameter,units,value';
    const good = `${header}\n901,1,Good-901,2024-03-20T01:00:00+00:00,1.5,2.5,pm25,µg/m³,3.0\n`;
    const csv = (lines: string[]): Uint8Array => gzipSync(`${header}\n${lines.join('\n')}\n`);
    const row = (id: number, datetime: string, value: string, extra = ''): string =>
      `${id},1,Station-${id},${datetime},1.5,2.5,pm25,µg/m³,${value}${extra}`;
    const inputs = [
      { id: 901, body: gzipSync(good), reason: undefined },
      {
        id: 902,
        body: gzipSync(`location_id,sensor_id,location,datetime,lat,lon,parameter,unit,value\n`),
        reason: /header/,
      },
      { id: 903, body: new TextEncoder().encode(good), reason: /not a gzip file/ },
      {
        id: 904,
        body: gzipSync(good.replaceAll('901', '904')).subarray(0, 30),
        reason: /truncated or corrupt gzip/,
      },
      {
        id: 905,
        body: csv([
          row(905, '2024-03-20 01:00', '3.0'),
          row(905, '2024-03-20T02:00:00+00:00', '4.0'),
        ]),
        reason: /datetime/,
      },
      {
        id: 906,
        body: csv([
          row(906, '2024-03-20T01:00:00+00:00', 'n/a'),
          row(906, '2024-03-20T02:00:00+00:00', '4.0'),
        ]),
        reason: /value/,
      },
      {
        id: 907,
        body: csv([
          `907,1,Station-907,2024-03-20T01:00:00+00:00,1.5,2.5,,µg/m³,3.0`,
          row(907, '2024-03-20T02:00:00+00:00', '4.0'),
        ]),
        reason: /parameter/,
      },
      {
        id: 908,
        body: gzipSync(
          `"location_id","sensors_id","location","datetime","lat","lon","parameter","units","value"\r\n908,1,"S-908","2024-03-20T01:00:00+00:00",1.5,2.5,"pm25","ppb",3.0,"extra"\r\n908,1,"S-908","2024-03-20T02:00:00+00:00",1.5,2.5,"pm25","ppb",4.0\r\n`,
        ),
        reason: /expected 9 fields, got 10/,
      },
      // A header-only file: nothing to load and nothing wrong, but remembered like the others.
      { id: 909, body: gzipSync(`${header}\n`), reason: undefined },
    ];
    await putFiles(
      badBucket,
      inputs.map(({ id, body }) => ({ key: formatArchiveKey(id, day), body })),
    );
    try {
      const config = await backfillConfig({
        from: day,
        to: day,
        namespace: badNamespace,
        sourceBucket: badBucket,
        maxRejectRate: 0.2,
      });
      const { summary } = await runLocalBackfill(config);
      expect(summary).toMatchObject({
        filesFetched: 9,
        filesRejected: 3,
        rowsRejected: 4,
        rowsCommitted: 5,
        exitCode: 3,
      });
      const rejects = await withLocalLake(async ({ connection, catalog }) => {
        const reader = await connection.runAndReadAll(
          `SELECT source_key, scope, reason, line_number FROM ${qualifiedName(catalog, badNamespace, 'rejects')} ORDER BY source_key`,
        );
        return reader.getRowObjectsJson() as {
          source_key: string;
          scope: string;
          reason: string;
          line_number: number | null;
        }[];
      });
      for (const input of inputs.filter((i) => i.reason)) {
        const found = rejects.filter((r) => r.source_key === formatArchiveKey(input.id, day));
        expect(found.length, `reject for station ${input.id}`).toBe(1);
        expect(found[0]!.reason).toMatch(input.reason!);
      }
      const loaded = await withLocalLake(async ({ connection, catalog }) => {
        const reader = await connection.runAndReadAll(
          `SELECT location_id::INT AS id, count(*)::INT AS n FROM ${qualifiedName(catalog, badNamespace, 'measurements')} GROUP BY 1 ORDER BY 1`,
        );
        return reader.getRowObjectsJson();
      });
      expect(loaded).toEqual([
        { id: 901, n: 1 },
        { id: 905, n: 1 },
        { id: 906, n: 1 },
        { id: 907, n: 1 },
        { id: 908, n: 1 },
      ]);
      // Rejected and empty files are remembered too: a re-run fetches nothing.
      const again = await runLocalBackfill(
        await backfillConfig({
          from: day,
          to: day,
          namespace: badNamespace,
          sourceBucket: badBucket,
        }),
      );
      expect(again.counts.get).toBe(0);
    } finally {
      await dropNamespace(badNamespace);
    }
  });
});
