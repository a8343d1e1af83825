import { mkdir, rm, writeFile } from 'node:fs/promises';
import type { LocalLakehouse } from '../../job/localLakehouse.ts';
import { installElasticMq } from './installElasticMq.ts';
import { installDuckdbExtensions } from './installDuckdbExtensions.ts';
import { installMinio } from './installMinio.ts';
import { installMinioAdmin } from './installMinioAdmin.ts';
import { ensureJobUser } from './jobUser.ts';
import { installPyIceberg } from './installPyIceberg.ts';
import { installRestCatalog } from './installRestCatalog.ts';
import { installS3TablesEmulator } from './installS3TablesEmulator.ts';
import type { LakehouseLayout } from './layout.ts';
import { ensureArchiveBucket, ensureBucket, localS3Client } from './s3Admin.ts';
import { serviceState, startService, stopService, type ServiceState } from './serviceProcess.ts';
import {
  elasticMqConfig,
  elasticMqConfigPath,
  elasticMqService,
  minioService,
  restCatalogService,
} from './services.ts';

export interface InstalledParts {
  readonly minioBinary: string;
  readonly minioAdmin: string;
  readonly restCatalogClasspath: string;
  readonly pyIcebergPython: string;
  /** Python with ministack, for the S3 Tables emulator tests (`npm run test:s3tables`). */
  readonly s3TablesEmulatorPython: string;
  readonly elasticMqClasspath: string;
}

export interface UpResult {
  /** Services this call started (the rest were already running and are reused). */
  readonly started: readonly string[];
}

type Log = (line: string) => void;

/** Installs what is missing; every part is cached, so a warm call only checks files. */
export async function installLakehouse(layout: LakehouseLayout, log: Log): Promise<InstalledParts> {
  // Builds are CPU-bound and the machine may have two cores: one at a time is as fast and clearer.
  await installDuckdbExtensions(layout, log);
  const minioBinary = await installMinio(layout, log);
  const minioAdmin = await installMinioAdmin(layout, log);
  const restCatalogClasspath = await installRestCatalog(layout, log);
  const pyIcebergPython = await installPyIceberg(layout, log);
  const s3TablesEmulatorPython = await installS3TablesEmulator(layout, log);
  const elasticMqClasspath = await installElasticMq(layout, log);
  return {
    minioBinary,
    minioAdmin,
    restCatalogClasspath,
    pyIcebergPython,
    s3TablesEmulatorPython,
    elasticMqClasspath,
  };
}

export async function lakehouseUp(
  layout: LakehouseLayout,
  lake: LocalLakehouse,
  log: Log,
): Promise<UpResult> {
  const parts = await installLakehouse(layout, log);
  const started: string[] = [];
  if (await startService(layout, minioService(layout, lake, parts.minioBinary)))
    started.push('minio');
  const s3 = localS3Client(lake);
  try {
    await ensureBucket(s3, lake.warehouseBucket);
    await ensureArchiveBucket(s3, lake.archiveBucket);
  } finally {
    s3.destroy();
  }
  await ensureJobUser(lake, parts.minioAdmin);
  await mkdir(layout.runDir, { recursive: true });
  await writeFile(elasticMqConfigPath(layout), elasticMqConfig(lake));
  // Two JVMs that need nothing from each other: their start-ups overlap.
  const [catalog, queues] = await Promise.all([
    startService(layout, restCatalogService(layout, lake, parts.restCatalogClasspath)),
    startService(layout, elasticMqService(layout, lake, parts.elasticMqClasspath)),
  ]);
  if (catalog) started.push('rest-catalog');
  if (queues) started.push('elasticmq');
  return { started };
}

/** Stops the services this checkout started, catalog first. Returns the ones it stopped. */
export async function lakehouseDown(layout: LakehouseLayout): Promise<string[]> {
  const stopped: string[] = [];
  for (const name of ['elasticmq', 'rest-catalog', 'minio'])
    if (await stopService(layout, name)) stopped.push(name);
  return stopped;
}

export async function lakehouseStatus(
  layout: LakehouseLayout,
  lake: LocalLakehouse,
): Promise<ServiceState[]> {
  // The specs are only used for their names and health URLs here; paths need not be installed.
  return [
    await serviceState(layout, minioService(layout, lake, '')),
    await serviceState(layout, restCatalogService(layout, lake, '')),
    await serviceState(layout, elasticMqService(layout, lake, '')),
  ];
}

/** Stops the services and deletes all lakehouse data (catalog, warehouse, mirror, queues). Keeps the cache. */
export async function lakehouseReset(layout: LakehouseLayout): Promise<void> {
  await lakehouseDown(layout);
  await rm(layout.dataDir, { recursive: true, force: true });
}
