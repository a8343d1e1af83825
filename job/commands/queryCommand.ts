import { ConfigError, resolveLakeConfig, type LakeConfig } from '../config.ts';
import { existingTables } from '../lake/existingTables.ts';
import { REPORTS, reportNames, reportParameters } from '../lake/reports.ts';
import { sealForQueries } from '../lake/sealForQueries.ts';
import { createTableViews, parseAsOf, type AsOf } from '../lake/timeTravel.ts';
import { classify } from '../lakehouseError.ts';
import { TABLES } from '../tables.ts';
import {
  defineCommand,
  printRows,
  rowFormat,
  withLakeCommand,
  type CommandContext,
  type RowFormat,
  type Terminal,
} from './commandContext.ts';
import { lakeOptions } from './sharedOptions.ts';

export const queryCommand = ({ env, terminal, packageRoot, exit }: CommandContext) =>
  defineCommand(
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
      exit(await runQuery(lake, request, rowFormat(args), terminal));
    },
  );

/** `query`: SQL, or a named report, against the tables as they are or as they were (`--as-of`). */
export async function runQuery(
  lake: LakeConfig,
  request: {
    sql?: string;
    report?: string;
    asOf?: AsOf;
    params: { days: number; limit: number; parameter: string };
  },
  format: RowFormat,
  terminal: Terminal,
): Promise<number> {
  const report = request.report ? REPORTS.find((r) => r.name === request.report) : undefined;
  if (request.report && !report) {
    throw new ConfigError(
      `Expected \`--report\` to be one of ${REPORTS.map((r) => r.name).join(', ')}, got \`${request.report}\``,
    );
  }
  const sql = report?.sql ?? request.sql;
  if (!sql) throw new ConfigError('Expected SQL (`query "SELECT …"`) or `--report <name>`');
  // The user's SQL runs on a read-only attach, sealed (see sealForQueries).
  const readOnly = { readOnly: true };
  return withLakeCommand(
    lake,
    async (session) => {
      const tables = [...(await existingTables(session, lake.namespace))].filter((name) =>
        TABLES.some((t) => t.name === name),
      );
      await createTableViews(session, lake.namespace, tables, request.asOf);
      await sealForQueries(session, lake.namespace, tables);
      const params = report ? reportParameters(report, request.params) : undefined;
      let reader;
      try {
        reader = await session.connection.runAndReadAll(sql, params);
      } catch (err) {
        throw classify(err, `run the query${report ? ` (report ${report.name})` : ''}`);
      }
      terminal.stdout.write(
        `${printRows({ columns: reader.columnNames(), rows: reader.getRowsJson() }, format)}\n`,
      );
      return 0;
    },
    readOnly,
  );
}
