import { describe, expect, it } from 'vitest';
import { icebergSchema } from '../../infra/icebergSchema.ts';
import { MEASUREMENTS, TABLES, type TableDefinition } from '../../job/tables.ts';

describe('icebergSchema', () => {
  it('keeps every column of a table, in order, with its Iceberg type and required flag', () => {
    const fields = icebergSchema(MEASUREMENTS).iceberg.schema.fields;
    expect(fields.map((f) => f.name)).toEqual(MEASUREMENTS.columns.map((c) => c.name));
    expect(fields[0]).toEqual({ name: 'location_id', type: 'long', required: true });
    expect(fields.find((f) => f.name === 'datetime')).toEqual({
      name: 'datetime',
      type: 'timestamptz',
      required: true,
    });
    expect(fields.find((f) => f.name === 'value')).toEqual({
      name: 'value',
      type: 'double',
      required: false,
    });
  });

  it('maps every table without loss of name, type or nullability', () => {
    for (const table of TABLES) {
      expect(icebergSchema(table).iceberg.schema.fields).toEqual(
        table.columns.map(({ name, type, required }) => ({ name, type, required })),
      );
    }
  });

  it('passes table properties through, and omits them when there are none', () => {
    const withProperties: TableDefinition = {
      ...MEASUREMENTS,
      properties: { 'write.parquet.compression-codec': 'zstd' },
    };
    expect(icebergSchema(withProperties).iceberg.properties).toEqual({
      'write.parquet.compression-codec': 'zstd',
    });
    expect(icebergSchema({ ...MEASUREMENTS, properties: {} }).iceberg).not.toHaveProperty(
      'properties',
    );
  });
});
