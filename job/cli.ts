/**
 * `openaq-lakehouse`: the job's command line. The only module that reads argv and the environment
 * or sets the exit code; everything below it takes a resolved config.
 */
import { resolve } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { pino } from 'pino';
import yargs from 'yargs';
import { runBackfill } from './backfill.ts';
import { ConfigError, DEFAULTS, resolveBackfillConfig } from './config.ts';
import { formatSummary } from './formatSummary.ts';
import { LakehouseError } from './lakehouseError.ts';
import { createS3ArchiveStore } from './source/s3ArchiveStore.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2, rejectsAboveThreshold: 3 } as const;

const packageRoot = resolve(import.meta.dirname, '..');

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let exitCode: number = EXIT.ok;
  await yargs(argv)
    .scriptName('openaq-lakehouse')
    .env('OPENAQ')
    .strict()
    .demandCommand(1, 'Name a command, e.g. backfill.')
    // The local lakehouse's OPENAQ_LAKEHOUSE_* variables share our env prefix: accept, don't list.
    .option('lakehouse-s3-port', { type: 'string', hidden: true })
    .option('lakehouse-catalog-port', { type: 'string', hidden: true })
    .option('lakehouse-access-key', { type: 'string', hidden: true })
    .option('lakehouse-secret-key', { type: 'string', hidden: true })
    .option('lakehouse-dir', { type: 'string', hidden: true })
    .option('lakehouse-cache', { type: 'string', hidden: true })
    .option('json', {
      type: 'boolean',
      default: false,
      describe: 'Print the summary as JSON (logs stay on stderr)',
    })
    .option('log-level', {
      type: 'string',
      default: 'info',
      choices: ['debug', 'info', 'warn', 'error', 'silent'],
      describe: 'Log level of the JSON logs on stderr',
    })
    .command(
      'backfill',
      'Load a window of OpenAQ archive days into the Iceberg tables, exactly once',
      (y) =>
        y
          .option('from', {
            type: 'string',
            demandOption: true,
            describe: 'First archive day (the date in the file name), YYYY-MM-DD',
          })
          .option('to', {
            type: 'string',
            demandOption: true,
            describe: 'Last archive day, inclusive, YYYY-MM-DD',
          })
          .option('stations', {
            type: 'string',
            default: 'all',
            describe: 'Location ids, comma-separated, or "all" stations in the archive listing',
          })
          .option('catalog', {
            type: 'string',
            choices: ['local', 'rest', 's3tables'],
            describe:
              'Target catalog; default: s3tables when --table-bucket-arn is set, rest when --catalog-uri is, else the embedded local lakehouse',
          })
          .option('table-bucket-arn', {
            type: 'string',
            describe: 'Amazon S3 Tables bucket ARN (AWS credential chain)',
          })
          .option('catalog-uri', { type: 'string', describe: 'Any Iceberg REST catalog URI' })
          .option('namespace', {
            type: 'string',
            default: DEFAULTS.namespace,
            describe: 'Iceberg namespace of the tables',
          })
          .option('source-bucket', {
            type: 'string',
            describe: `Archive bucket; default ${DEFAULTS.sourceBucket} (the local mirror on the local target)`,
          })
          .option('source-endpoint', {
            type: 'string',
            describe:
              'S3-compatible endpoint of the archive bucket; default AWS S3 (local MinIO on the local target)',
          })
          .option('source-credentials', {
            type: 'string',
            choices: ['anonymous', 'default-chain'],
            describe: 'How archive requests are signed; default anonymous for the public archive',
          })
          .option('concurrency', {
            type: 'number',
            default: DEFAULTS.concurrency,
            describe: 'Parallel GETs, and HTTP sockets',
          })
          .option('commit-days', {
            type: 'number',
            default: DEFAULTS.commitDays,
            describe: 'Archive days per commit at most',
          })
          .option('commit-files', {
            type: 'number',
            default: DEFAULTS.commitFiles,
            describe: 'Files per commit at most',
          })
          .option('commit-retries', {
            type: 'number',
            default: DEFAULTS.commitRetries,
            describe: 'Retries of a commit after a conflict or a transient failure',
          })
          .option('max-reject-rate', {
            type: 'number',
            default: DEFAULTS.maxRejectRate,
            describe: 'Exit with code 3 above this share of rejected rows or files',
          })
          .option('memory-limit', {
            type: 'string',
            default: DEFAULTS.memoryLimit,
            describe: 'DuckDB memory limit; staging spills to disk beyond it',
          })
          .option('threads', { type: 'number', describe: 'DuckDB threads; default min(4, cores)' })
          .option('work-dir', {
            type: 'string',
            describe: 'Local folder for staging and caches; default <tmp>/openaq-lakehouse',
          })
          .option('extension-dir', {
            type: 'string',
            describe: 'DuckDB extension directory; default .lakehouse/duckdb-extensions',
          })
          .option('catalog-warehouse', {
            type: 'string',
            default: '',
            describe: 'Warehouse to attach on a REST catalog',
          })
          .option('catalog-s3-endpoint', {
            type: 'string',
            describe: "host:port of a REST catalog's S3-compatible storage",
          })
          .option('catalog-s3-access-key-id', {
            type: 'string',
            describe: "Access key of a REST catalog's storage",
          })
          .option('catalog-s3-secret-access-key', {
            type: 'string',
            describe: "Secret key of a REST catalog's storage",
          })
          .option('catalog-s3-use-ssl', {
            type: 'boolean',
            default: false,
            describe: "Use TLS for a REST catalog's storage",
          })
          .option('dry-run', {
            type: 'boolean',
            default: false,
            describe:
              'List and plan only: print files, bytes and commits, fetch and commit nothing',
          }),
      async (args) => {
        const config = resolveBackfillConfig(args, env, packageRoot);
        const logger = pino(
          { level: args.logLevel, base: { runId: config.runId } },
          pino.destination(2),
        );
        await mkdir(config.workDir, { recursive: true });
        const store = createS3ArchiveStore({ ...config.source, maxSockets: config.concurrency });
        try {
          const summary = await runBackfill(config, { store, logger });
          logger.info({ summary }, 'run finished');
          console.log(args.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
          exitCode = summary.exitCode;
        } finally {
          store.close();
          logger.flush();
        }
      },
    )
    .fail((message, err, y) => {
      if (err) throw err;
      y.showHelp();
      console.error(`\n${message}`);
      exitCode = EXIT.usage;
    })
    .parseAsync(argv)
    .catch((err: unknown) => {
      exitCode = err instanceof ConfigError ? EXIT.usage : EXIT.failed;
      const message = err instanceof Error ? err.message : String(err);
      console.error(
        err instanceof LakehouseError || err instanceof ConfigError
          ? message
          : `openaq-lakehouse: ${message}`,
      );
    });
  return exitCode;
}
