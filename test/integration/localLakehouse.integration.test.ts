import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../job/lake/ensureTables.ts';
import { qualifiedName } from '../../job/lake/tableDdl.ts';
import { LOCATIONS, MEASUREMENTS, TABLES } from '../../job/tables.ts';
import { dropNamespace, uniqueNamespace, withLocalLake } from '../helpers/localLake.ts';
import { pyIcebergDigest } from '../helpers/pyIcebergDigest.ts';
import { duckdbTableDigest } from '../helpers/tableDigest.ts';

const namespace = uniqueNamespace('it_local');
const measurements = qualifiedName('lake', namespace, MEASUREMENTS.name);
const locations = qualifiedName('lake', namespace, LOCATIONS.name);

// Values chosen to stress both engines: non-ASCII and commas in names, a sentinel, a negative,
// float noise, nulls in optional columns (source_last_modified among them), and instants with
// local offsets.
const MEASUREMENT_ROWS_1 = `
  (2178, 3919, 'Del Norte-2178', TIMESTAMPTZ '2023-02-22 01:00:00-07:00', TIMESTAMP '2023-02-22 01:00:00', '-07:00',
   35.1353, -106.584702, 'pm10', 'µg/m³', 12.5, NULL,
   'records/csv.gz/locationid=2178/year=2023/month=02/location-2178-20230222.csv.gz', '"etag-1"', 2, 'run-1', TIMESTAMPTZ '2026-11-21 00:00:00+00', NULL),
  (2178, 3919, 'Del Norte-2178', TIMESTAMPTZ '2023-02-23 00:00:00-07:00', TIMESTAMP '2023-02-23 00:00:00', '-07:00',
   35.1353, -106.584702, 'pm10', 'µg/m³', -999, 'sentinel',
   'records/csv.gz/locationid=2178/year=2023/month=02/location-2178-20230222.csv.gz', '"etag-1"', 25, 'run-1', TIMESTAMPTZ '2026-11-21 00:00:00+00', NULL)`;
const MEASUREMENT_ROWS_2 = `
  (8118, NULL, 'Chandni Chowk, Delhi - IITM-15', TIMESTAMPTZ '2024-03-01 00:15:00+05:30', TIMESTAMP '2024-03-01 00:15:00', '+05:30',
   28.656756, 105.79990000000001, 'co', 'ppb', -1.25, 'negative',
   'records/csv.gz/locationid=8118/year=2024/month=02/location-8118-20240229.csv.gz', '"etag-2"', 2, 'run-2', TIMESTAMPTZ '2026-11-21 00:01:00+00', NULL),
  (9001, 77, 'Trạm Hà Nội – 北京-9', TIMESTAMPTZ '2024-03-01 07:00:00+07:00', NULL, NULL,
   NULL, NULL, 'pm25', NULL, 0.1, NULL,
   'records/csv.gz/locationid=9001/year=2024/month=03/location-9001-20240301.csv.gz', '"etag-3"', 3, 'run-2', TIMESTAMPTZ '2026-11-21 00:01:00+00', NULL)`;

describe('the local lakehouse (DuckDB + Iceberg REST catalog + MinIO)', () => {
  beforeAll(async () => {
    await withLocalLake(async (session) => {
      const result = await ensureTables(session, namespace, TABLES);
      expect(result.created).toEqual(['measurements', 'locations', 'rejects', 'runs', 'files']);
      // Two INSERTs, each committed on its own: two snapshots.
      await session.connection.run(`INSERT INTO ${measurements} VALUES ${MEASUREMENT_ROWS_1}`);
      await session.connection.run(`INSERT INTO ${measurements} VALUES ${MEASUREMENT_ROWS_2}`);
      await session.connection.run(
        `INSERT INTO ${locations} VALUES (2178, 'Del Norte', 35.1353, -106.584702, TIMESTAMPTZ '2023-02-22 08:00:00+00',
          TIMESTAMPTZ '2023-02-23 07:00:00+00', 2, 'pm10', TIMESTAMPTZ '2026-11-21 00:00:00+00')`,
      );
    });
  });

  afterAll(async () => {
    await dropNamespace(namespace);
  });

  it('reads back through DuckDB exactly the rows it inserted', async () => {
    await withLocalLake(async ({ connection }) => {
      const reader = await connection.runAndReadAll(
        `SELECT location_id, location, epoch(datetime)::BIGINT AS t, value, value_flag FROM ${measurements} ORDER BY t, location_id`,
      );
      expect(reader.getRowObjectsJson()).toEqual([
        {
          location_id: '2178',
          location: 'Del Norte-2178',
          t: '1677052800',
          value: 12.5,
          value_flag: null,
        },
        {
          location_id: '2178',
          location: 'Del Norte-2178',
          t: '1677135600',
          value: -999,
          value_flag: 'sentinel',
        },
        {
          location_id: '8118',
          location: 'Chandni Chowk, Delhi - IITM-15',
          t: '1709232300',
          value: -1.25,
          value_flag: 'negative',
        },
        {
          location_id: '9001',
          location: 'Trạm Hà Nội – 北京-9',
          t: '1709251200',
          value: 0.1,
          value_flag: null,
        },
      ]);
    });
  });

  it('commits each INSERT as a snapshot in the catalog history', async () => {
    await withLocalLake(async ({ connection }) => {
      const reader = await connection.runAndReadAll(
        `SELECT sequence_number, operation FROM iceberg_snapshots(${measurements}) ORDER BY sequence_number`,
      );
      expect(reader.getRowObjectsJson()).toEqual([
        { sequence_number: '1', operation: 'append' },
        { sequence_number: '2', operation: 'append' },
      ]);
    });
  });

  it('declares the schema of job/tables.ts, required columns and month partitioning included', async () => {
    const response = await fetch(
      `http://127.0.0.1:${process.env.OPENAQ_LAKEHOUSE_CATALOG_PORT ?? 8181}/v1/namespaces/${namespace}/tables/measurements`,
    );
    const { metadata } = (await response.json()) as {
      metadata: {
        schemas: { fields: { name: string; type: string; required: boolean }[] }[];
        'default-spec-id': number;
        'partition-specs': { 'spec-id': number; fields: { transform: string }[] }[];
      };
    };
    const fields = metadata.schemas
      .at(-1)
      ?.fields.map(({ name, type, required }) => ({ name, type, required }));
    expect(fields).toEqual(
      MEASUREMENTS.columns.map(({ name, type, required }) => ({ name, type, required })),
    );
    const spec = metadata['partition-specs'].find(
      (s) => s['spec-id'] === metadata['default-spec-id'],
    );
    expect(spec?.fields.map((f) => f.transform)).toEqual(['month']);
  });

  it('is read identically by PyIceberg, an independent engine: same rows, same content checksum', async () => {
    const fromDuckdb = await withLocalLake(async ({ connection }) => ({
      measurements: await duckdbTableDigest(connection, measurements),
      locations: await duckdbTableDigest(connection, locations),
    }));
    const fromPyIceberg = await pyIcebergDigest([
      `${namespace}.measurements`,
      `${namespace}.locations`,
    ]);
    expect(fromDuckdb.measurements.rows).toBe(4);
    expect(fromDuckdb.locations.rows).toBe(1);
    expect(fromPyIceberg[`${namespace}.measurements`]).toEqual({
      ...fromDuckdb.measurements,
      snapshots: 2,
    });
    expect(fromPyIceberg[`${namespace}.locations`]).toEqual({
      ...fromDuckdb.locations,
      snapshots: 1,
    });
  });

  it('creates nothing twice when the tables already exist', async () => {
    await withLocalLake(async (session) => {
      expect(await ensureTables(session, namespace, TABLES)).toEqual({
        created: [],
        columnsAdded: [],
        partitioned: [],
      });
      const count = await session.connection.runAndReadAll(
        `SELECT count(*)::INT FROM ${measurements}`,
      );
      expect(count.getRows()).toEqual([[4]]);
    });
  });
});
