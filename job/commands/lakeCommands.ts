import { createInterface } from 'node:readline/promises';
import { ConfigError, type BackfillConfig, type LakeConfig } from '../config.ts';
import { windowCoverage } from '../coverage.ts';
import { describeTarget } from '../lake/catalogTarget.ts';
import { emptyTables, tableRowCounts } from '../lake/emptyTables.ts';
import { existingTables } from '../lake/existingTables.ts';
import { lakeStatus } from '../lake/lakeStatus.ts';
import { withLake, type LakeSession } from '../lake/lakeSession.ts';
import { sealForQueries } from '../lake/sealForQueries.ts';
import { withRunFolder } from '../runFolder.ts';
import { REPORTS, reportParameters } from '../lake/reports.ts';
import { createTableViews, tableSnapshots, type AsOf } from '../lake/timeTravel.ts';
import { classify } from '../lakehouseError.ts';
import { bar, sparkline } from '../output/charts.ts';
import { formatCsv, formatJson, formatTextTable, type Rows } from '../output/formatRows.ts';
import { createS3ArchiveStore } from '../source/s3ArchiveStore.ts';
import { TABLES } from '../tables.ts';

export type RowFormat = 'table' | 'json' | 'csv';

export interface Terminal {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
}

/** DuckDB with the catalog attached, spilling into this command's own run folder. */
const withLakeCommand = <T>(
  lake: LakeConfig,
  fn: (session: LakeSession) => Promise<T>,
  options: { readonly readOnly?: boolean } = {},
): Promise<T> => withRunFolder(lake.runDir, () => withLake(lake.duckdb, lake.target, fn, options));

const print = (rows: Rows, format: RowFormat): string =>
  format === 'json' ? formatJson(rows) : format === 'csv' ? formatCsv(rows) : formatTextTable(rows);

/** `query`: SQL, or a named report, against the tables as they are or as they were (`--as-of`). */
export async function queryCommand(
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
        `${print({ columns: reader.columnNames(), rows: reader.getRowsJson() }, format)}\n`,
      );
      return 0;
    },
    readOnly,
  );
}

/** `snapshots`: a table's commit history, for `--as-of`. */
export async function snapshotsCommand(
  lake: LakeConfig,
  table: string,
  format: RowFormat,
  terminal: Terminal,
): Promise<number> {
  return withLakeCommand(lake, async (session) => {
    const snapshots = await tableSnapshots(session, lake.namespace, table);
    terminal.stdout.write(
      `${print(
        {
          columns: ['sequence', 'snapshot_id', 'committed_at', 'operation'],
          rows: snapshots.map((s) => [s.sequence, s.snapshotId, s.committedAt, s.operation]),
        },
        format,
      )}\n`,
    );
    return 0;
  });
}

/**
 * `empty-tables`: deletes every row so that `pulumi destroy` can follow. Only against a catalog
 * named explicitly, and only after a confirmation (a typed "yes" on a terminal, or --yes).
 */
export async function emptyTablesCommand(
  lake: LakeConfig,
  yes: boolean,
  terminal: Terminal,
): Promise<number> {
  if (!lake.targetExplicit) {
    throw new ConfigError(
      'empty-tables deletes data: name the catalog explicitly with --catalog local, --catalog-uri or --table-bucket-arn (or their OPENAQ_* variables)',
    );
  }
  return withLakeCommand(lake, async (session) => {
    const counts = await tableRowCounts(session, lake.namespace, TABLES);
    terminal.stdout.write(
      `This removes every row from ${describeTarget(lake.target)}, namespace ${lake.namespace}:\n`,
    );
    for (const { table, rows } of counts)
      terminal.stdout.write(`  ${table.padEnd(14)} ${rows.toLocaleString('en-US')} rows\n`);
    if (!yes) {
      if (!terminal.stdin.isTTY) {
        terminal.stderr.write(
          'empty-tables: refusing without confirmation; not on a terminal, so pass --yes\n',
        );
        return 2;
      }
      const prompt = createInterface({ input: terminal.stdin, output: terminal.stdout });
      const answer = await prompt.question('Type "yes" to delete them: ');
      prompt.close();
      if (answer.trim() !== 'yes') {
        terminal.stdout.write('Nothing was deleted.\n');
        return 2;
      }
    }
    await emptyTables(
      session,
      lake.namespace,
      counts.map((c) => c.table),
    );
    const after = await tableRowCounts(session, lake.namespace, TABLES);
    terminal.stdout.write(
      `Emptied: ${after.map((c) => `${c.table} ${c.rows}`).join(', ')} rows left. The tables remain; \`pulumi destroy\` can follow.\n`,
    );
    return 0;
  });
}

/** `status`: reachability, tables, the last run, freshness, rejects, and coverage of a window. */
export async function statusCommand(
  lake: LakeConfig,
  /** The coverage window's config, given the newest archive day loaded (for its default). */
  coverageFor: (latestArchiveDay: string | null) => BackfillConfig | undefined,
  json: boolean,
  terminal: Terminal,
): Promise<number> {
  return withLakeCommand(lake, async (session) => {
    const status = await lakeStatus(session, lake.namespace);
    const coverage = coverageFor(status.latestArchiveDay);
    let days;
    if (coverage) {
      const store = createS3ArchiveStore({ ...coverage.source, maxSockets: coverage.concurrency });
      try {
        days = await windowCoverage(session, store, coverage);
      } finally {
        store.close();
      }
    }
    if (json) {
      terminal.stdout.write(
        `${JSON.stringify({ catalog: describeTarget(lake.target), reachable: true, ...status, coverage: days ?? null }, null, 2)}\n`,
      );
      return 0;
    }
    const out: string[] = [`catalog   ${describeTarget(lake.target)}: reachable`, '', 'tables'];
    for (const t of status.tables) {
      out.push(
        t.exists
          ? `  ${t.table.padEnd(14)} ${t.rows.toLocaleString('en-US').padStart(14)} rows  ${String(t.snapshots).padStart(5)} snapshots  last commit ${t.lastCommit ?? '-'}`
          : `  ${t.table.padEnd(14)} (not created yet: the first run creates it)`,
      );
    }
    const run = status.lastRun;
    out.push(
      '',
      run
        ? `last run  ${run.command} ${run.runId}, ${run.startedAt} → ${run.finishedAt}, window ${run.window}, exit ${run.exitCode}: ` +
            `${run.filesFetched} files fetched, ${run.rowsCommitted} rows committed, ${run.rowsRejected} rejected${run.error ? `; error: ${run.error}` : ''}`
        : 'last run  none recorded',
      `freshness latest archive day loaded ${status.latestArchiveDay ?? '-'}, latest reading ${status.latestReading ?? '-'}`,
      `rejects   ${status.rejects} waiting in ${lake.namespace}.rejects${status.rejects > 0 ? ' (see: openaq-lakehouse query "SELECT * FROM rejects")' : ''}`,
    );
    if (status.rowsPerDay.length > 0) {
      out.push(
        `rows/day  ${sparkline(status.rowsPerDay.map((d) => d.rows))}  ${status.rowsPerDay[0]?.day} … ${status.rowsPerDay.at(-1)?.day}`,
      );
    }
    if (days) {
      out.push(
        '',
        `coverage  archive day   loaded/listed files (${coverage?.window.from} … ${coverage?.window.to})`,
      );
      for (const d of days) {
        out.push(
          `          ${d.day}  ${bar(d.loaded, d.listed)} ${d.loaded}/${d.listed}${d.stale > 0 ? `  (${d.stale} patched since loading)` : ''}`,
        );
      }
    }
    terminal.stdout.write(`${out.join('\n')}\n`);
    return 0;
  });
}
