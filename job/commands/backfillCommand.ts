import { resolveBackfillConfig } from '../config.ts';
import { defineCommand, type CommandContext } from './commandContext.ts';
import { loadOutput, runLoadCommand } from './loadCommand.ts';
import { lakeOptions, loadOptions, sourceOptions } from './sharedOptions.ts';

export const backfillCommand = ({ env, terminal, packageRoot, exit }: CommandContext) =>
  defineCommand(
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
      exit(
        await runLoadCommand(
          resolveBackfillConfig(args, env, packageRoot),
          loadOutput(args, terminal),
        ),
      ),
  );
