import { resolveLakeConfig, resolveSource, type LakeConfig } from '../config.ts';
import { existingTables } from '../lake/existingTables.ts';
import { withLake } from '../lake/lakeSession.ts';
import { ledgerFileCount } from '../lake/ledgerFileCount.ts';
import { classify } from '../lakehouseError.ts';
import { withRunFolder } from '../runFolder.ts';
import {
  readManifestObject,
  type ManifestLocation,
  type ManifestS3,
} from '../shards/manifestObject.ts';
import { parseManifest } from '../shards/manifestText.ts';
import { parseStationSelection, selectionRanges } from '../model/stationSelection.ts';
import { FILES } from '../tables.ts';
import { defineCommand, type CommandContext, type Terminal } from './commandContext.ts';
import { manifestLocation, manifestS3 } from './manifestAccess.ts';
import { lakeOptions, sourceOptions } from './sharedOptions.ts';

export const verifyBackfillCommand = ({ env, terminal, packageRoot, exit }: CommandContext) =>
  defineCommand(
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
      exit(await runVerifyBackfill(lake, manifest, s3, args.json, terminal));
    },
  );

/**
 * `verify-backfill`: for every shard of the manifest, whether the files ledger holds at least the
 * files the plan listed for its days and stations. Prints one line a shard; exits 1 naming the
 * shards that are not covered (re-run those: each is a plain, resumable backfill).
 */
export async function runVerifyBackfill(
  lake: LakeConfig,
  manifest: ManifestLocation,
  s3: ManifestS3,
  json: boolean,
  terminal: Pick<Terminal, 'stdout' | 'stderr'>,
): Promise<number> {
  const name = manifest.kind === 's3' ? `s3://${manifest.bucket}/${manifest.key}` : manifest.path;
  const shards = parseManifest(await readManifestObject(manifest, s3), name);
  const results = await withRunFolder(lake.runDir, () =>
    withLake(lake.duckdb, lake.target, async (session) => {
      if (!(await existingTables(session, lake.namespace)).has(FILES.name)) {
        return shards.map((shard) => ({ shard, loaded: 0 }));
      }
      const counted = [];
      for (const shard of shards) {
        const selection = parseStationSelection(shard.stations);
        // parseManifest has checked that every shard names ids or ranges.
        if (selection === 'all' || 'error' in selection) throw new Error('unreachable');
        const ranges = selectionRanges(selection);
        try {
          counted.push({
            shard,
            loaded: await ledgerFileCount(session, lake.namespace, { ...shard, ranges }),
          });
        } catch (err) {
          throw classify(err, `count the ledger of shard ${shard.shard}`);
        }
      }
      return counted;
    }),
  );
  const uncovered = results.filter((r) => r.loaded < r.shard.files);
  if (json) {
    terminal.stdout.write(
      `${JSON.stringify(
        {
          shards: results.length,
          covered: results.length - uncovered.length,
          uncovered: uncovered.map((r) => ({ ...r.shard, loaded: r.loaded })),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    for (const { shard, loaded } of results) {
      terminal.stdout.write(
        `${loaded >= shard.files ? 'covered  ' : 'UNCOVERED'} ${shard.shard} ${shard.from}..${shard.to} stations ${shard.stations}: ${loaded} of ${shard.files} files in the ledger\n`,
      );
    }
  }
  if (uncovered.length > 0) {
    terminal.stderr.write(
      `verify-backfill: ${uncovered.length} of ${results.length} shards of ${name} are not covered: ${uncovered
        .slice(0, 50)
        .map((r) => r.shard.shard)
        .join(
          ', ',
        )}${uncovered.length > 50 ? ', …' : ''}; re-run each (its manifest line's command) and verify again\n`,
    );
    return 1;
  }
  terminal.stderr.write(`verify-backfill: all ${results.length} shards of ${name} are covered\n`);
  return 0;
}
