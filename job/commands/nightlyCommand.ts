import { DEFAULTS, nightlyWindow, resolveBackfillConfig } from '../config.ts';
import { resolveFeedConfig } from '../feedConfig.ts';
import { defineCommand, type CommandContext } from './commandContext.ts';
import { loadOutput, runLoadCommand } from './loadCommand.ts';
import { feedOptions, lakeOptions, loadOptions, sourceOptions } from './sharedOptions.ts';

export const nightlyCommand = ({ env, terminal, packageRoot, exit }: CommandContext) =>
  defineCommand(
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
      exit(await runLoadCommand(config, loadOutput(args, terminal), load));
    },
  );
