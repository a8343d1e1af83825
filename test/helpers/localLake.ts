import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RestCatalogTarget } from '../../job/lake/catalogTarget.ts';
import { withLake, type DuckDBSettings, type LakeSession } from '../../job/lake/lakeSession.ts';
import {
  catalogUrl,
  resolveLocalLakehouse,
  type LocalLakehouse,
} from '../../job/localLakehouse.ts';
import { dropLocalNamespace } from '../../scripts/lakehouse/dropLocalNamespace.ts';
import { resolveLayout } from '../../scripts/lakehouse/layout.ts';

export const localLake: LocalLakehouse = resolveLocalLakehouse(process.env);

export const duckdbSettings: DuckDBSettings = {
  extensionDirectory: resolveLayout(process.env).extensionDir,
  memoryLimit: '2GB',
  tempDirectory: join(tmpdir(), 'openaq-lakehouse-test-spill'),
  threads: 2,
  httpTimeoutSeconds: 300,
};

export function localTarget(
  overrides: Partial<RestCatalogTarget['storage']> = {},
): RestCatalogTarget {
  return {
    kind: 'rest',
    endpoint: catalogUrl(localLake),
    warehouse: '',
    storage: {
      endpoint: `${localLake.host}:${localLake.s3Port}`,
      useSsl: false,
      urlStyle: 'path',
      region: localLake.region,
      accessKeyId: localLake.accessKeyId,
      secretAccessKey: localLake.secretAccessKey,
      ...overrides,
    },
  };
}

/** A namespace of its own for one test file, so tests never see each other's tables. */
export const uniqueNamespace = (prefix: string): string =>
  `${prefix}_${randomBytes(4).toString('hex')}`;

export const withLocalLake = <T>(fn: (session: LakeSession) => Promise<T>): Promise<T> =>
  withLake(duckdbSettings, localTarget(), fn);

/** Drops a test namespace and its tables, and deletes their files. */
export const dropNamespace = (namespace: string): Promise<void> =>
  dropLocalNamespace(duckdbSettings, localTarget(), localLake, namespace);
