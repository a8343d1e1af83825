/**
 * `openaq-lakehouse`: the job's command line. The only module that reads argv and the environment
 * or decides the exit code; every command (one module each in commands/) takes them from here.
 */
import { resolve } from 'node:path';
import yargs from 'yargs';
import { backfillCommand } from './commands/backfillCommand.ts';
import type { CommandContext, Terminal } from './commands/commandContext.ts';
import { emptyTablesCommand } from './commands/emptyTablesCommand.ts';
import { optionsFromEnv } from './commands/envOptions.ts';
import { nightlyCommand } from './commands/nightlyCommand.ts';
import { planBackfillCommand } from './commands/planBackfillCommand.ts';
import { queryCommand } from './commands/queryCommand.ts';
import { snapshotsCommand } from './commands/snapshotsCommand.ts';
import { statusCommand } from './commands/statusCommand.ts';
import { verifyBackfillCommand } from './commands/verifyBackfillCommand.ts';
import { ConfigError } from './config.ts';
import { LakehouseError } from './lakehouseError.ts';
import { redactSecrets } from './redactSecrets.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2, rejectsAboveThreshold: 3 } as const;

export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv,
  terminal: Terminal = process,
): Promise<number> {
  let exitCode: number = EXIT.ok;
  const context: CommandContext = {
    env,
    terminal,
    packageRoot: resolve(import.meta.dirname, '..'),
    exit: (code) => {
      exitCode = code;
    },
  };
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
    .command(backfillCommand(context))
    .command(nightlyCommand(context))
    .command(planBackfillCommand(context))
    .command(verifyBackfillCommand(context))
    .command(statusCommand(context))
    .command(queryCommand(context))
    .command(snapshotsCommand(context))
    .command(emptyTablesCommand(context))
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
