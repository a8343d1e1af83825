import { ConfigError, resolveBackfillConfig, type BackfillConfig } from '../config.ts';
import {
  writeManifestObject,
  type ManifestLocation,
  type ManifestS3,
} from '../shards/manifestObject.ts';
import { manifestText } from '../shards/manifestText.ts';
import { MIN_FILES_PER_SHARD, planShards } from '../shards/planShards.ts';
import { countWindowFiles } from '../source/countWindowFiles.ts';
import { createS3ArchiveStore } from '../source/s3ArchiveStore.ts';
import { stationCacheOption } from '../source/stationCache.ts';
import { defineCommand, type CommandContext, type Terminal } from './commandContext.ts';
import { manifestLocation, manifestS3 } from './manifestAccess.ts';
import { lakeOptions, sourceOptions } from './sharedOptions.ts';
import { secondsSince } from '../secondsSince.ts';

export const planBackfillCommand = ({ env, terminal, packageRoot, exit }: CommandContext) =>
  defineCommand(
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
      exit(await runPlanBackfill(config, maxFiles, out, s3, terminal));
    },
  );

/**
 * `plan-backfill`: counts the window's files per station and month from the real listing, packs
 * shards of at most `maxFiles` files, and writes the manifest (JSON lines) to `out` or stdout. A
 * summary goes to stderr.
 */
export async function runPlanBackfill(
  config: BackfillConfig,
  maxFiles: number,
  out: ManifestLocation | undefined,
  s3: ManifestS3,
  terminal: Pick<Terminal, 'stdout' | 'stderr'>,
): Promise<number> {
  const store = createS3ArchiveStore({ ...config.source, maxSockets: config.concurrency });
  try {
    const started = performance.now();
    const counts = await countWindowFiles(store, {
      stations: config.stations,
      from: config.window.from,
      to: config.window.to,
      concurrency: config.concurrency,
      ...stationCacheOption(config.stationCachePath),
    });
    const shards = planShards(config.window, counts, maxFiles);
    const text = manifestText(shards);
    if (out === undefined) terminal.stdout.write(text);
    else await writeManifestObject(out, text, s3);
    const largest = shards.reduce((m, s) => Math.max(m, s.files), 0);
    const smallest = shards.reduce((m, s) => Math.min(m, s.files), largest);
    terminal.stderr.write(
      `plan-backfill: ${config.window.from}..${config.window.to}: ${counts.files} files of ${counts.stations.length} stations ` +
        `in ${shards.length} shards (${smallest}..${largest} files each, at most ${maxFiles}); ` +
        `${counts.listRequests} listings in ${secondsSince(started).toFixed(1)} s` +
        `${counts.unmatchedKeys > 0 ? `; ${counts.unmatchedKeys} keys off the layout ignored` : ''}` +
        `${out === undefined ? '' : `; written to ${out.kind === 's3' ? `s3://${out.bucket}/${out.key}` : out.path}`}\n`,
    );
    return 0;
  } finally {
    store.close();
  }
}
