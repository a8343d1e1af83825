import { resolveLakeConfig, type LakeConfig } from '../config.ts';
import { tableSnapshots } from '../lake/timeTravel.ts';
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

export const snapshotsCommand = ({ env, terminal, packageRoot, exit }: CommandContext) =>
  defineCommand(
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
      exit(
        await runSnapshots(
          resolveLakeConfig(args, env, packageRoot),
          args.table,
          rowFormat(args),
          terminal,
        ),
      ),
  );

/** `snapshots`: a table's commit history, for `--as-of`. */
export async function runSnapshots(
  lake: LakeConfig,
  table: string,
  format: RowFormat,
  terminal: Terminal,
): Promise<number> {
  return withLakeCommand(lake, async (session) => {
    const snapshots = await tableSnapshots(session, lake.namespace, table);
    terminal.stdout.write(
      `${printRows(
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
