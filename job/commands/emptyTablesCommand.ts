import { createInterface } from 'node:readline/promises';
import { ConfigError, resolveLakeConfig, type LakeConfig } from '../config.ts';
import { describeTarget } from '../lake/catalogTarget.ts';
import { emptyTables, tableRowCounts } from '../lake/emptyTables.ts';
import { TABLES } from '../tables.ts';
import {
  defineCommand,
  withLakeCommand,
  type CommandContext,
  type Terminal,
} from './commandContext.ts';
import { lakeOptions } from './sharedOptions.ts';

export const emptyTablesCommand = ({ env, terminal, packageRoot, exit }: CommandContext) =>
  defineCommand(
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
      exit(await runEmptyTables(resolveLakeConfig(args, env, packageRoot), args.yes, terminal)),
  );

/**
 * `empty-tables`: deletes every row so that `pulumi destroy` can follow. Only against a catalog
 * named explicitly, and only after a confirmation (a typed "yes" on a terminal, or --yes).
 */
export async function runEmptyTables(
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
