import { join, resolve } from 'node:path';

/**
 * Where the embedded local lakehouse lives: MinIO (S3 API), Apache Iceberg's REST catalog and
 * ElasticMQ (SQS API, the archive's object-created notifications) on loopback ports. Both the `lakehouse` script that starts it and the job that writes to it resolve
 * their settings here, from the same environment variables, so they always agree.
 */

export interface LocalLakehouse {
  /** Host the services bind to and are reached on. */
  readonly host: string;
  /** MinIO's S3 API port. Env OPENAQ_LAKEHOUSE_S3_PORT, default 9000. */
  readonly s3Port: number;
  /** Iceberg REST catalog port. Env OPENAQ_LAKEHOUSE_CATALOG_PORT, default 8181. */
  readonly catalogPort: number;
  /** ElasticMQ's SQS API port. Env OPENAQ_LAKEHOUSE_SQS_PORT, default 9324. */
  readonly sqsPort: number;
  /** MinIO root user, also the S3 access key. Env OPENAQ_LAKEHOUSE_ACCESS_KEY, default "admin". */
  readonly accessKeyId: string;
  /** MinIO root password, also the S3 secret key. Env OPENAQ_LAKEHOUSE_SECRET_KEY, default "password". */
  readonly secretAccessKey: string;
  /**
   * The job's own MinIO user (created by `npm run lakehouse -- up`): reads every bucket and writes
   * table files, but cannot delete objects. Env OPENAQ_LAKEHOUSE_JOB_ACCESS_KEY /
   * OPENAQ_LAKEHOUSE_JOB_SECRET_KEY, default "openaq-job" / "openaq-job-password".
   */
  readonly job: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly region: string;
  /** Bucket that holds the Iceberg warehouse (data and metadata files). */
  readonly warehouseBucket: string;
  /** Bucket that mirrors the public OpenAQ archive's key layout. */
  readonly archiveBucket: string;
  /** Queue the mirror's object-created notifications are sent to (SNS envelope, S3 event inside). */
  readonly notificationQueue: string;
  /** Where the notification queue redrives a message after `maxReceiveCount` receives. */
  readonly deadLetterQueue: string;
  /** Receives of one message before the queue moves it to the dead-letter queue. */
  readonly maxReceiveCount: number;
}

export const LOCAL_LAKEHOUSE_ENV = {
  s3Port: 'OPENAQ_LAKEHOUSE_S3_PORT',
  catalogPort: 'OPENAQ_LAKEHOUSE_CATALOG_PORT',
  sqsPort: 'OPENAQ_LAKEHOUSE_SQS_PORT',
  accessKeyId: 'OPENAQ_LAKEHOUSE_ACCESS_KEY',
  secretAccessKey: 'OPENAQ_LAKEHOUSE_SECRET_KEY',
  jobAccessKeyId: 'OPENAQ_LAKEHOUSE_JOB_ACCESS_KEY',
  jobSecretAccessKey: 'OPENAQ_LAKEHOUSE_JOB_SECRET_KEY',
  workDir: 'OPENAQ_LAKEHOUSE_DIR',
} as const;

/**
 * The local lakehouse's folder (data, logs, DuckDB extensions): env OPENAQ_LAKEHOUSE_DIR, default
 * `<repo>/.lakehouse`. `npm run lakehouse -- install` puts the extensions here, and the job looks
 * for them here, through this one function.
 */
export function localLakehouseDir(
  env: Readonly<Record<string, string | undefined>>,
  repoRoot: string,
): string {
  return resolve(env[LOCAL_LAKEHOUSE_ENV.workDir] || join(repoRoot, '.lakehouse'));
}

/** The DuckDB extension directory of the local lakehouse folder `workDir`. */
export const localExtensionDir = (workDir: string): string => join(workDir, 'duckdb-extensions');

export function resolveLocalLakehouse(
  env: Readonly<Record<string, string | undefined>>,
): LocalLakehouse {
  return {
    host: '127.0.0.1',
    s3Port: parsePort(env, LOCAL_LAKEHOUSE_ENV.s3Port, 9000),
    catalogPort: parsePort(env, LOCAL_LAKEHOUSE_ENV.catalogPort, 8181),
    sqsPort: parsePort(env, LOCAL_LAKEHOUSE_ENV.sqsPort, 9324),
    accessKeyId: env[LOCAL_LAKEHOUSE_ENV.accessKeyId] || 'admin',
    secretAccessKey: env[LOCAL_LAKEHOUSE_ENV.secretAccessKey] || 'password',
    job: {
      accessKeyId: env[LOCAL_LAKEHOUSE_ENV.jobAccessKeyId] || 'openaq-job',
      secretAccessKey: env[LOCAL_LAKEHOUSE_ENV.jobSecretAccessKey] || 'openaq-job-password',
    },
    region: 'us-east-1',
    warehouseBucket: 'warehouse',
    archiveBucket: 'openaq-data-archive',
    notificationQueue: 'openaq-archive-object-created',
    deadLetterQueue: 'openaq-archive-object-created-dlq',
    maxReceiveCount: 5,
  };
}

export const s3EndpointUrl = (lake: LocalLakehouse): string => `http://${lake.host}:${lake.s3Port}`;
export const sqsEndpointUrl = (lake: LocalLakehouse): string =>
  `http://${lake.host}:${lake.sqsPort}`;
/** ElasticMQ's queue URLs: `<endpoint>/<account id>/<queue name>`. */
export const localQueueUrl = (lake: LocalLakehouse, queue: string): string =>
  `${sqsEndpointUrl(lake)}/000000000000/${queue}`;
export const catalogUrl = (lake: LocalLakehouse): string =>
  `http://${lake.host}:${lake.catalogPort}`;

function parsePort(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1024 || port > 65535) {
    throw new Error(
      `config: Expected \`${name}\` to be a port number from 1024 to 65535, got \`${raw}\``,
    );
  }
  return port;
}
