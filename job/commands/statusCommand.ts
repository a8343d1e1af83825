import {
  resolveBackfillConfig,
  resolveLakeConfig,
  type BackfillConfig,
  type LakeConfig,
} from '../config.ts';
import { windowCoverage } from '../coverage.ts';
import { describeTarget } from '../lake/catalogTarget.ts';
import { lakeStatus } from '../lake/lakeStatus.ts';
import { addDays, parseArchiveDay } from '../model/archiveDay.ts';
import { bar, sparkline } from '../output/charts.ts';
import { createS3ArchiveStore } from '../source/s3ArchiveStore.ts';
import {
  defineCommand,
  withLakeCommand,
  type CommandContext,
  type Terminal,
} from './commandContext.ts';
import { lakeOptions, sourceOptions } from './sharedOptions.ts';

export const statusCommand = ({ env, terminal, packageRoot, exit }: CommandContext) =>
  defineCommand(
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
      exit(await runStatus(lake, coverageFor, args.json, terminal));
    },
  );

/** `status`: reachability, tables, the last run, freshness, rejects, and coverage of a window. */
export async function runStatus(
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
