import { quotedIdentifier, quotedString } from '@duckdb/node-api';
import type { BackfillConfig } from '../../job/config.ts';
import { withLake } from '../../job/lake/lakeSession.ts';
import { s3EndpointUrl, type LocalLakehouse } from '../../job/localLakehouse.ts';
import { createS3ArchiveStore } from '../../job/source/s3ArchiveStore.ts';

/** The live files of one Iceberg table in the current snapshot, with their sizes. */
export interface TableDataFiles {
  readonly dataFiles: number;
  readonly dataBytes: number;
  readonly averageDataFileBytes: number;
  readonly largestDataFileBytes: number;
  readonly records: number;
  /** Partitions (the data files' partition folders) and the most data files any one holds. */
  readonly partitions: number;
  readonly maxFilesPerPartition: number;
  /** Delete files (positional or equality), e.g. after replacing patched files' rows. */
  readonly deleteFiles: number;
}

/**
 * Reads the table's manifests with DuckDB's `iceberg_metadata` (paths, record counts) and takes
 * the sizes from a listing of the warehouse bucket, since the manifests' sizes are not exposed.
 */
export async function tableDataFiles(
  config: BackfillConfig,
  lake: LocalLakehouse,
  namespace: string,
  table: string,
): Promise<TableDataFiles> {
  const entries = await withLake(config.duckdb, config.target, async ({ connection, catalog }) => {
    const name = [catalog, namespace, table].map(quotedIdentifier).join('.');
    const reader = await connection.runAndReadAll(
      // DuckDB 1.5.5 reports the entry status in either column; a DELETED entry is not live.
      `SELECT manifest_content, file_path, record_count FROM iceberg_metadata(${name})
       WHERE coalesce(status, '') <> 'DELETED' AND coalesce(content, '') <> 'DELETED'`,
    );
    return reader.getRows() as [string, string, bigint][];
  });

  const prefix = `s3://${lake.warehouseBucket}/`;
  const sizes = new Map<string, number>();
  const store = createS3ArchiveStore({
    bucket: lake.warehouseBucket,
    region: lake.region,
    endpoint: s3EndpointUrl(lake),
    credentials: { accessKeyId: lake.accessKeyId, secretAccessKey: lake.secretAccessKey },
    maxSockets: 4,
  });
  try {
    for await (const object of store.listObjects(`${namespace}/${table}/`)) {
      sizes.set(`${prefix}${object.key}`, object.size);
    }
  } finally {
    store.close();
  }

  const data = entries.filter(([content]) => content === 'DATA');
  const dataSizes = data.map(([, path]) => {
    const size = sizes.get(path);
    if (size === undefined) {
      throw new Error(
        `bench: data file ${quotedString(path)} of ${namespace}.${table} is not in the warehouse listing`,
      );
    }
    return size;
  });
  const perPartition = new Map<string, number>();
  for (const [, path] of data) {
    const folder = path.slice(0, path.lastIndexOf('/'));
    perPartition.set(folder, (perPartition.get(folder) ?? 0) + 1);
  }
  const dataBytes = dataSizes.reduce((a, b) => a + b, 0);
  return {
    dataFiles: data.length,
    dataBytes,
    averageDataFileBytes: data.length > 0 ? dataBytes / data.length : 0,
    largestDataFileBytes: Math.max(0, ...dataSizes),
    records: data.reduce((sum, [, , n]) => sum + Number(n), 0),
    partitions: perPartition.size,
    maxFilesPerPartition: Math.max(0, ...perPartition.values()),
    deleteFiles: entries.length - data.length,
  };
}
