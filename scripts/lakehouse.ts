#!/usr/bin/env node
/**
 * `npm run lakehouse -- <command>`: the embedded local lakehouse (MinIO + Apache Iceberg's REST
 * catalog as local processes, DuckDB extensions, PyIceberg), and its OpenAQ archive mirror.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import {
  catalogUrl,
  localQueueUrl,
  resolveLocalLakehouse,
  s3EndpointUrl,
} from '../job/localLakehouse.ts';
import { resolveLayout } from './lakehouse/layout.ts';
import {
  installLakehouse,
  lakehouseDown,
  lakehouseReset,
  lakehouseStatus,
  lakehouseUp,
} from './lakehouse/lakehouseControl.ts';
import { seedMirror } from './lakehouse/seedMirror.ts';

const log = (line: string): void => console.error(line);
const layout = resolveLayout(process.env);
const lake = resolveLocalLakehouse(process.env);

await yargs(hideBin(process.argv))
  .scriptName('npm run lakehouse --')
  .strict()
  .demandCommand(1, 'Name a command: install, up, down, status, reset or seed.')
  .command(
    'install',
    'Install what is missing (MinIO, REST catalog jars, DuckDB extensions, PyIceberg, ElasticMQ jars, the S3 Tables emulator) into the cache',
    {},
    async () => {
      await installLakehouse(layout, log);
      console.log(`installed; cache in ${layout.cacheDir}`);
    },
  )
  .command(
    'up',
    'Install what is missing, start MinIO, the Iceberg REST catalog and ElasticMQ (SQS), wait until healthy',
    {},
    async () => {
      const { started } = await lakehouseUp(layout, lake, log);
      console.log(started.length > 0 ? `started ${started.join(', ')}` : 'already running');
      console.log(
        `S3 (MinIO):       ${s3EndpointUrl(lake)}  buckets ${lake.warehouseBucket}, ${lake.archiveBucket}`,
      );
      console.log(`Iceberg catalog:  ${catalogUrl(lake)}`);
      console.log(`SQS (ElasticMQ):  ${localQueueUrl(lake, lake.notificationQueue)}`);
      console.log(`logs and data:    ${layout.workDir}`);
    },
  )
  .command('down', 'Stop the processes this checkout started (data is kept)', {}, async () => {
    const stopped = await lakehouseDown(layout);
    console.log(stopped.length > 0 ? `stopped ${stopped.join(', ')}` : 'nothing was running');
  })
  .command(
    'status',
    'Show whether each service runs and answers its health check',
    {},
    async () => {
      const states = await lakehouseStatus(layout, lake);
      for (const s of states) {
        console.log(
          s.state === 'running'
            ? `${s.name}: running (pid ${s.pid}, ${s.healthy ? 'healthy' : 'NOT answering'})`
            : `${s.name}: stopped`,
        );
      }
      if (states.some((s) => s.state !== 'running' || !s.healthy)) process.exitCode = 3;
    },
  )
  .command(
    'reset',
    'Stop the services and delete all lakehouse data (the install cache is kept)',
    {},
    async () => {
      await lakehouseReset(layout);
      console.log(`deleted ${layout.dataDir}`);
    },
  )
  .command(
    'seed',
    'Write generated OpenAQ archive files into the local mirror bucket (deterministic from --seed)',
    (y) =>
      y
        .option('from', {
          type: 'string',
          demandOption: true,
          describe: 'First archive day, YYYY-MM-DD',
        })
        .option('to', {
          type: 'string',
          demandOption: true,
          describe: 'Last archive day, YYYY-MM-DD (inclusive)',
        })
        .option('stations', { type: 'number', default: 50, describe: 'How many stations' })
        .option('seed', {
          type: 'number',
          default: 1,
          describe: 'Generator seed; the same seed gives the same files',
        })
        .option('notify', {
          type: 'boolean',
          default: true,
          describe:
            "Send each file's object-created notification (S3 event in the SNS envelope) to the local queue",
        }),
    async (args) => {
      const summary = await seedMirror(lake, args, log);
      console.log(
        `seeded ${summary.files} files (${summary.rows} rows, ${summary.bytes} bytes) into s3://${lake.archiveBucket}; ${summary.notifications} notifications sent`,
      );
    },
  )
  .fail((message, err, y) => {
    if (err) console.error(err.message);
    else {
      y.showHelp();
      console.error(`\n${message}`);
    }
    process.exit(1);
  })
  .parseAsync();
