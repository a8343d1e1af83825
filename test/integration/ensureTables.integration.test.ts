import { afterAll, describe, expect, it } from 'vitest';
import { ensureTables, PARTITION_SPEC_PROPERTY } from '../../job/lake/ensureTables.ts';
import { qualifiedName } from '../../job/lake/tableDdl.ts';
import { MEASUREMENTS, REJECTS } from '../../job/tables.ts';
import { dropNamespace, localLake, uniqueNamespace, withLocalLake } from '../helpers/localLake.ts';

const namespace = uniqueNamespace('it_evolve');

describe('ensureTables on a table made elsewhere (as Pulumi makes it on S3 Tables)', () => {
  afterAll(async () => {
    await dropNamespace(namespace);
  });

  it('adds the missing columns and the partition spec, keeps the rows, and then has nothing left to do', async () => {
    await withLocalLake(async (session) => {
      const table = qualifiedName(session.catalog, namespace, MEASUREMENTS.name);
      await session.connection.run(`CREATE SCHEMA ${session.catalog}.${namespace}`);
      // An older, unpartitioned layout without the lineage and flag columns.
      await session.connection.run(
        `CREATE TABLE ${table} (location_id BIGINT NOT NULL, datetime TIMESTAMPTZ NOT NULL, parameter VARCHAR NOT NULL, value DOUBLE)`,
      );
      await session.connection.run(
        `INSERT INTO ${table} VALUES (1, TIMESTAMPTZ '2024-03-01 00:00:00+00', 'pm25', 4.5)`,
      );

      const first = await ensureTables(session, namespace, [MEASUREMENTS]);
      expect(first.created).toEqual([]);
      expect(first.partitioned).toEqual(['measurements']);
      expect(first.columnsAdded).toEqual(
        MEASUREMENTS.columns
          .filter((c) => !['location_id', 'datetime', 'parameter', 'value'].includes(c.name))
          .map((c) => `measurements.${c.name}`),
      );
      expect(await ensureTables(session, namespace, [MEASUREMENTS])).toEqual({
        created: [],
        columnsAdded: [],
        partitioned: [],
      });
      const rows = await session.connection.runAndReadAll(
        `SELECT location_id::INT, value, source_key FROM ${table}`,
      );
      expect(rows.getRows()).toEqual([[1, 4.5, null]]);
    });

    const response = await fetch(
      `http://${localLake.host}:${localLake.catalogPort}/v1/namespaces/${namespace}/tables/measurements`,
    );
    const { metadata } = (await response.json()) as {
      metadata: {
        properties: Record<string, string>;
        'default-spec-id': number;
        'partition-specs': { 'spec-id': number; fields: { transform: string }[] }[];
      };
    };
    const spec = metadata['partition-specs'].find(
      (s) => s['spec-id'] === metadata['default-spec-id'],
    );
    expect(spec?.fields.map((f) => f.transform)).toEqual(['month']);
    expect(metadata.properties[PARTITION_SPEC_PROPERTY]).toBe('month("datetime_local")');
  });

  it('adds rejects.archive_day to a rejects table that has rows, and fills it from their keys once', async () => {
    await withLocalLake(async (session) => {
      const table = qualifiedName(session.catalog, namespace, REJECTS.name);
      await session.connection.run(`CREATE SCHEMA IF NOT EXISTS ${session.catalog}.${namespace}`);
      // The rejects table as it was before the column (every column but archive_day).
      await session.connection.run(
        `CREATE TABLE ${table} (source_key VARCHAR NOT NULL, source_etag VARCHAR NOT NULL, line_number INTEGER,
           scope VARCHAR NOT NULL, reason VARCHAR NOT NULL, raw_text VARCHAR, run_id VARCHAR NOT NULL,
           rejected_at TIMESTAMPTZ NOT NULL)`,
      );
      await session.connection.run(
        `INSERT INTO ${table} VALUES ('records/csv.gz/locationid=7/year=2024/month=03/location-7-20240305.csv.gz',
           'e', 2, 'row', 'bad', 'x', 'r', TIMESTAMPTZ '2024-03-08 00:00:00+00')`,
      );
      const first = await ensureTables(session, namespace, [REJECTS]);
      expect(first.columnsAdded).toEqual(['rejects.archive_day']);
      const rows = await session.connection.runAndReadAll(
        `SELECT strftime(archive_day, '%Y-%m-%d'), count(*)::INT FROM ${table} GROUP BY ALL`,
      );
      expect(rows.getRows()).toEqual([['2024-03-05', 1]]);
      expect(await ensureTables(session, namespace, [REJECTS])).toEqual({
        created: [],
        columnsAdded: [],
        partitioned: [],
      });
    });
  });
});
