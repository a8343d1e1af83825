/**
 * `openaq-lakehouse`: the job's command line. The only module that reads argv and the environment
 * or decides the exit code; everything below it takes a resolved config.
 */
import { resolve } from 'node:path';
import yargs from 'yargs';
import { optionsFromEnv } from './commands/envOptions.ts';
import { feedOptions, loadOptions, lakeOptions, sourceOptions } from './commands/sharedOptions.ts';
import { resolveFeedConfig } from './feedConfig.ts';
import { runLoadCommand } from './commands/loadCommand.ts';
import {
  manifestLocation,
  manifestS3,
  planBackfillCommand,
  verifyBackfillCommand,
} from './commands/shardCommands.ts';
import {
  emptyTablesCommand,
  queryCommand,
  snapshotsCommand,
  statusCommand,
  type Terminal,
} from './commands/lakeCommands.ts';
import {
  ConfigError,
  DEFAULTS,
  nightlyWindow,
  resolveBackfillConfig,
  resolveLakeConfig,
  resolveSource,
} from './config.ts';
import { reportNames } from './lake/reports.ts';
import { parseAsOf } from './lake/timeTravel.ts';
import { LakehouseError } from './lakehouseError.ts';
import { addDays, parseArchiveDay } from './model/archiveDay.ts';
import { redactSecrets } from './redactSecrets.ts';
import { MIN_FILES_PER_SHARD } from './shards/planShards.ts';
import { TABLES } from './tables.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2, rejectsAboveThreshold: 3 } as const;

const packageRoot = resolve(import.meta.dirname, '..');

export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv,
  terminal: Terminal = process,
): Promise<number> {
  let exitCode: number = EXIT.ok;
  const done = (code: number): void => {
    exitCode = code;
  };
  const output = (args: { json: boolean; logLevel: string | undefined }) => ({
    json: args.json,
    logLevel: args.logLevel,
    stdout: terminal.stdout,
    stderr: terminal.stderr,
  });

  const parser = yargs(argv)
    .scriptName('openaq-lakehouse')
    // Options are also read from OPENAQ_* variables, but only the running command's own.
    .middleware(optionsFromEnv(env), true)
    .strict()
    .wrap(Math.min(120, terminal.stdout.columns || 100))
    .demandCommand(
      1,
      'Name a command: backfill, nightly, status, query, snapshots, empty-tables, plan-backfill or verify-backfill.',
    )
    .option('json', {
      type: 'boolean',
      default: false,
      describe: 'Print the result as JSON on stdout (logs stay on stderr)',
    })
    .option('log-level', {
      type: 'string',
      choices: ['debug', 'info', 'warn', 'error', 'silent'],
      describe:
        'Level of the JSON logs on stderr [default: info; warn while a progress line is shown]',
    })
    .command(
      'backfill',
      'Load a window of OpenAQ archive days into the Iceberg tables, exactly once',
      (y) =>
        loadOptions(sourceOptions(lakeOptions(y)))
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
          .example(
            '$0 backfill --from 2024-03-01 --to 2024-03-31',
            'a month, into the local lakehouse',
          ),
      async (args) =>
        done(await runLoadCommand(resolveBackfillConfig(args, env, packageRoot), output(args))),
    )
    .command(
      'nightly',
      'Backfill the last --lookback-days archive days ending yesterday (the container default)',
      (y) =>
        feedOptions(loadOptions(sourceOptions(lakeOptions(y))))
          .option('lookback-days', {
            type: 'number',
            default: DEFAULTS.lookbackDays,
            describe:
              'Archive days to (re)scan, ending yesterday: OpenAQ publishes a day ~72 h late and patches files later',
          })
          .example(
            '$0 nightly --table-bucket-arn arn:aws:s3tables:us-east-1:123456789012:bucket/openaq',
            'what the Fargate task runs',
          ),
      async (args) => {
        const config0 = resolveBackfillConfig(
          { ...args, ...nightlyWindow(args.lookbackDays, new Date()) },
          env,
          packageRoot,
          'nightly',
        );
        const localTarget =
          (args.catalog ??
            (args.tableBucketArn ? 's3tables' : args.catalogUri ? 'rest' : 'local')) === 'local';
        const load = resolveFeedConfig(args, env, localTarget);
        const config =
          load.source === 'reconcile'
            ? { ...config0, window: nightlyWindow(args.reconcileDays, new Date()) }
            : config0;
        done(await runLoadCommand(config, output(args), load));
      },
    )
    .command(
      'plan-backfill',
      'Plan a long backfill as shards balanced by listed files: a manifest of JSON lines, each a plain `backfill` of a day range and a station id range',
      (y) =>
        sourceOptions(lakeOptions(y))
          .option('from', { type: 'string', demandOption: true, describe: 'First archive day' })
          .option('to', { type: 'string', demandOption: true, describe: 'Last archive day' })
          .option('max-files-per-shard', {
            type: 'number',
            demandOption: true,
            describe: `Listed files per shard at most (>= ${MIN_FILES_PER_SHARD})`,
          })
          .option('out', {
            type: 'string',
            describe: 'Write the manifest to this path or s3://bucket/key [default: stdout]',
          })
          .example(
            '$0 plan-backfill --from 2016-01-01 --to 2025-12-31 --max-files-per-shard 200000 --out s3://my-bucket/manifests/decade.jsonl',
            'a decade, for the Step Functions backfill',
          ),
      async (args) => {
        const maxFiles = args.maxFilesPerShard;
        if (!Number.isInteger(maxFiles) || maxFiles < MIN_FILES_PER_SHARD) {
          throw new ConfigError(
            `Expected \`--max-files-per-shard\` to be an integer >= ${MIN_FILES_PER_SHARD} (a month of one station), got \`${maxFiles}\``,
          );
        }
        const out = args.out === undefined ? undefined : manifestLocation('--out', args.out);
        const config = resolveBackfillConfig(args, env, packageRoot, 'plan-backfill');
        const s3 = manifestS3(config.source, env.AWS_REGION ?? env.AWS_DEFAULT_REGION);
        done(await planBackfillCommand(config, maxFiles, out, s3, terminal));
      },
    )
    .command(
      'verify-backfill',
      "Check that the files ledger covers every shard of a plan's manifest; exit 1 naming the shards that are not covered",
      (y) =>
        sourceOptions(lakeOptions(y)).option('manifest', {
          type: 'string',
          demandOption: true,
          describe: 'The manifest: a path or s3://bucket/key',
        }),
      async (args) => {
        const manifest = manifestLocation('--manifest', args.manifest);
        const lake = resolveLakeConfig(args, env, packageRoot);
        // The source options only say where S3 manifests are reached (the archive's endpoint).
        const s3 = manifestS3(resolveSource(args, env), env.AWS_REGION ?? env.AWS_DEFAULT_REGION);
        done(await verifyBackfillCommand(lake, manifest, s3, args.json, terminal));
      },
    )
    .command(
      'status',
      'Is the catalog reachable; tables, snapshots, the last run, freshness, rejects, coverage of a window',
      (y) =>
        sourceOptions(lakeOptions(y))
          .option('from', {
            type: 'string',
            describe: 'Coverage window start [default: 6 days before --to]',
          })
          .option('to', {
            type: 'string',
            describe: 'Coverage window end [default: the newest archive day loaded]',
          })
          .option('coverage', {
            type: 'boolean',
            default: true,
            describe: 'List the archive for the window and compare with the lake',
          }),
      async (args) => {
        const lake = resolveLakeConfig(args, env, packageRoot);
        const coverageFor = (latest: string | null) => {
          if (!args.coverage) return undefined;
          const to = args.to ?? latest;
          if (!to) return undefined;
          const from = args.from ?? addDays(parseArchiveDay(to), -6);
          return resolveBackfillConfig({ ...args, from, to }, env, packageRoot, 'status');
        };
        done(await statusCommand(lake, coverageFor, args.json, terminal));
      },
    )
    .command(
      'query [sql]',
      'Run SQL (tables by name: measurements, locations, rejects, runs) or a named report; --as-of for time travel',
      (y) =>
        lakeOptions(y)
          .positional('sql', {
            type: 'string',
            describe: 'SQL to run, e.g. "SELECT count(*) FROM measurements"',
          })
          .option('report', {
            type: 'string',
            choices: reportNames(),
            describe: 'A named report instead of SQL [default: none]',
          })
          .option('days', {
            type: 'number',
            default: 7,
            describe: 'Reports: days back from the newest reading',
          })
          .option('limit', { type: 'number', default: 10, describe: 'Reports: rows to show' })
          .option('parameter', {
            type: 'string',
            default: 'pm25',
            describe: 'Report trend: the parameter',
          })
          .option('as-of', {
            type: 'string',
            describe:
              'Read the tables as they were: a snapshot id, or a time in ISO 8601, read as UTC unless it carries an offset (2026-11-20T08:00:00+02:00) [default: now]',
          })
          .option('csv', { type: 'boolean', default: false, describe: 'Print CSV' })
          .example('$0 query --report overview', 'rows, stations, parameters, date range')
          .example(
            '$0 query "SELECT count(*) FROM measurements" --as-of 2026-11-20T00:00:00Z',
            'time travel',
          ),
      async (args) => {
        const lake = resolveLakeConfig(args, env, packageRoot);
        const request = {
          ...(args.sql ? { sql: args.sql } : {}),
          ...(args.report ? { report: args.report } : {}),
          ...(args.asOf ? { asOf: parseAsOf(args.asOf) } : {}),
          params: { days: args.days, limit: args.limit, parameter: args.parameter },
        };
        done(
          await queryCommand(
            lake,
            request,
            args.json ? 'json' : args.csv ? 'csv' : 'table',
            terminal,
          ),
        );
      },
    )
    .command(
      'snapshots',
      "List a table's snapshot history (ids and times for --as-of)",
      (y) =>
        lakeOptions(y)
          .option('table', {
            type: 'string',
            default: 'measurements',
            choices: TABLES.map((t) => t.name),
            describe: 'The table',
          })
          .option('csv', { type: 'boolean', default: false, describe: 'Print CSV' }),
      async (args) =>
        done(
          await snapshotsCommand(
            resolveLakeConfig(args, env, packageRoot),
            args.table,
            args.json ? 'json' : args.csv ? 'csv' : 'table',
            terminal,
          ),
        ),
    )
    .command(
      'empty-tables',
      'Delete every row of the tables (before `pulumi destroy`); needs an explicit catalog and confirmation',
      (y) =>
        lakeOptions(y)
          .option('yes', {
            type: 'boolean',
            default: false,
            describe: 'Do not ask for confirmation',
          })
          .example(
            '$0 empty-tables --table-bucket-arn arn:aws:s3tables:… --yes',
            'before pulumi destroy',
          ),
      async (args) =>
        done(
          await emptyTablesCommand(resolveLakeConfig(args, env, packageRoot), args.yes, terminal),
        ),
    )
    .fail((message, err, y) => {
      if (err) throw err;
      y.showHelp();
      terminal.stderr.write(`\n${redactSecrets(message)}\n`);
      exitCode = EXIT.usage;
    });
  try {
    // A middleware that throws makes parseAsync throw before it returns a promise.
    await parser.parseAsync();
  } catch (err) {
    exitCode = err instanceof ConfigError ? EXIT.usage : EXIT.failed;
    const message = redactSecrets(err instanceof Error ? err.message : String(err));
    terminal.stderr.write(
      `${err instanceof LakehouseError || err instanceof ConfigError ? message : `openaq-lakehouse: ${message}`}\n`,
    );
  }
  return exitCode;
}
