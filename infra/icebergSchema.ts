import type { TableDefinition } from '../job/tables.ts';

/** `metadata` of an aws.s3tables.Table: the Iceberg schema (and properties) it is created with. */
export interface S3TablesMetadata {
  iceberg: {
    schema: { fields: { name: string; type: string; required: boolean }[] };
    properties?: Record<string, string>;
  };
}

/**
 * The S3 Tables metadata for one table of `job/tables.ts`: same columns, same order, same Iceberg
 * primitive types and required flags. Column docs and the partition spec cannot be declared
 * through the provider; the job applies the partition spec on its first run.
 */
export function icebergSchema(table: TableDefinition): S3TablesMetadata {
  const fields = table.columns.map(({ name, type, required }) => ({ name, type, required }));
  const hasProperties = Object.keys(table.properties).length > 0;
  return {
    iceberg: {
      schema: { fields },
      ...(hasProperties ? { properties: { ...table.properties } } : {}),
    },
  };
}
