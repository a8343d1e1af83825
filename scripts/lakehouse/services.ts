import { join } from 'node:path';
import {
  LOCAL_LAKEHOUSE_ENV,
  catalogUrl,
  s3EndpointUrl,
  sqsEndpointUrl,
  type LocalLakehouse,
} from '../../job/localLakehouse.ts';
import type { LakehouseLayout } from './layout.ts';
import { ELASTICMQ_MAIN_CLASS } from './installElasticMq.ts';
import { REST_CATALOG_MAIN_CLASS } from './installRestCatalog.ts';
import type { ServiceSpec } from './serviceProcess.ts';

export function minioService(
  layout: LakehouseLayout,
  lake: LocalLakehouse,
  binary: string,
): ServiceSpec {
  return {
    name: 'minio',
    command: binary,
    args: [
      'server',
      join(layout.dataDir, 'minio'),
      '--address',
      `${lake.host}:${lake.s3Port}`,
      '--quiet',
    ],
    env: {
      MINIO_ROOT_USER: lake.accessKeyId,
      MINIO_ROOT_PASSWORD: lake.secretAccessKey,
      MINIO_BROWSER: 'off',
      MINIO_UPDATE: 'off',
    },
    host: lake.host,
    port: lake.s3Port,
    portVariable: LOCAL_LAKEHOUSE_ENV.s3Port,
    healthUrl: `${s3EndpointUrl(lake)}/minio/health/live`,
    startTimeoutMs: 60_000,
  };
}

/**
 * Apache Iceberg's REST catalog server (one change at a time: see LocalRestCatalog.java), configured
 * through CATALOG_* variables (CATALOG_A_B__C becomes property a.b-c): a JDBC catalog in a SQLite
 * file so the catalog survives restarts, and S3FileIO writing metadata to MinIO's warehouse bucket.
 */
export function restCatalogService(
  layout: LakehouseLayout,
  lake: LocalLakehouse,
  classpath: string,
): ServiceSpec {
  return {
    name: 'rest-catalog',
    command: 'java',
    args: ['-Xmx512m', '-cp', classpath, REST_CATALOG_MAIN_CLASS],
    env: {
      AWS_ACCESS_KEY_ID: lake.accessKeyId,
      AWS_SECRET_ACCESS_KEY: lake.secretAccessKey,
      AWS_REGION: lake.region,
      CATALOG_CATALOG__IMPL: 'org.apache.iceberg.jdbc.JdbcCatalog',
      // One pooled SQLite connection: with several, a write waits behind another connection's
      // lock (rollback journal) or fails on a stale snapshot (WAL) and answers HTTP 500. The
      // journal mode is explicit because WAL, once set, stays in the file.
      CATALOG_URI: `jdbc:sqlite:${join(layout.dataDir, 'iceberg-catalog.db')}?journal_mode=DELETE&busy_timeout=30000`,
      CATALOG_CLIENTS: '1',
      CATALOG_JDBC_USER: 'user',
      CATALOG_JDBC_PASSWORD: 'password',
      CATALOG_WAREHOUSE: `s3://${lake.warehouseBucket}/`,
      CATALOG_IO__IMPL: 'org.apache.iceberg.aws.s3.S3FileIO',
      CATALOG_S3_ENDPOINT: s3EndpointUrl(lake),
      CATALOG_S3_PATH__STYLE__ACCESS: 'true',
      CATALOG_REST_HOST: lake.host,
      CATALOG_REST_PORT: String(lake.catalogPort),
    },
    host: lake.host,
    port: lake.catalogPort,
    portVariable: LOCAL_LAKEHOUSE_ENV.catalogPort,
    healthUrl: `${catalogUrl(lake)}/v1/config`,
    startTimeoutMs: 90_000,
  };
}

/**
 * ElasticMQ (SQS API) with the notification queue and its dead-letter queue declared in its config
 * file (see elasticMqConfig). Messages live in memory: a restart empties the queues, like a new
 * subscription. Healthy once the notification queue exists, not merely once the port answers.
 */
export function elasticMqService(
  layout: LakehouseLayout,
  lake: LocalLakehouse,
  classpath: string,
): ServiceSpec {
  return {
    name: 'elasticmq',
    command: 'java',
    args: [
      '-Xmx256m',
      `-Dconfig.file=${elasticMqConfigPath(layout)}`,
      '-cp',
      classpath,
      ELASTICMQ_MAIN_CLASS,
    ],
    env: {},
    host: lake.host,
    port: lake.sqsPort,
    portVariable: LOCAL_LAKEHOUSE_ENV.sqsPort,
    healthUrl: `${sqsEndpointUrl(lake)}/?Action=GetQueueUrl&QueueName=${lake.notificationQueue}`,
    startTimeoutMs: 120_000,
  };
}

export const elasticMqConfigPath = (layout: LakehouseLayout): string =>
  join(layout.runDir, 'elasticmq.conf');

/**
 * ElasticMQ's HOCON config: bound to loopback on the lakehouse's SQS port, the notification queue
 * redriving to its dead-letter queue after `maxReceiveCount` receives, a 15-minute visibility
 * timeout (a batch is deleted only after its commit), AWS-style limits (`strict`).
 */
export function elasticMqConfig(lake: LocalLakehouse): string {
  return `include classpath("application.conf")
node-address { protocol = http, host = "${lake.host}", port = ${lake.sqsPort}, context-path = "" }
rest-sqs { enabled = true, bind-port = ${lake.sqsPort}, bind-hostname = "${lake.host}", sqs-limits = strict }
rest-stats { enabled = false }
generate-node-address = false
aws { region = "${lake.region}", accountId = "000000000000" }
queues {
  "${lake.notificationQueue}" {
    defaultVisibilityTimeout = 900 seconds
    deadLettersQueue { name = "${lake.deadLetterQueue}", maxReceiveCount = ${lake.maxReceiveCount} }
  }
  "${lake.deadLetterQueue}" { }
}
`;
}
