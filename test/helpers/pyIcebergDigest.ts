import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { catalogUrl, s3EndpointUrl } from '../../job/localLakehouse.ts';
import {
  installPyIceberg,
  pyIcebergDigestScript,
} from '../../scripts/lakehouse/installPyIceberg.ts';
import { resolveLayout } from '../../scripts/lakehouse/layout.ts';
import { localLake } from './localLake.ts';
import type { TableDigest } from './tableDigest.ts';

export interface PyIcebergTableDigest extends TableDigest {
  readonly snapshots: number;
}

/** Reads tables with PyIceberg (the independent reader) through the local REST catalog and MinIO. */
export async function pyIcebergDigest(
  tables: readonly string[],
): Promise<Record<string, PyIcebergTableDigest>> {
  const python = await installPyIceberg(resolveLayout(process.env), () => {});
  const { stdout } = await promisify(execFile)(
    python,
    [
      pyIcebergDigestScript,
      catalogUrl(localLake),
      s3EndpointUrl(localLake),
      localLake.accessKeyId,
      localLake.secretAccessKey,
      ...tables,
    ],
    { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as Record<string, PyIcebergTableDigest>;
}
