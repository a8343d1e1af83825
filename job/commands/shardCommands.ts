import {
  ConfigError,
  type ArchiveSource,
  type BackfillConfig,
  type LakeConfig,
} from '../config.ts';
import { ledgerFileCount } from '../lake/ledgerFileCount.ts';
import { existingTables } from '../lake/existingTables.ts';
import { withLake } from '../lake/lakeSession.ts';
import { classify } from '../lakehouseError.ts';
import { withRunFolder } from '../runFolder.ts';
import {
  parseManifestLocation,
  readManifestObject,
  writeManifestObject,
  type ManifestLocation,
  type ManifestS3,
} from '../shards/manifestObject.ts';
import { manifestText, parseManifest } from '../shards/manifestText.ts';
import { planShards } from '../shards/planShards.ts';
import { countWindowFiles } from '../source/countWindowFiles.ts';
import { createS3ArchiveStore } from '../source/s3ArchiveStore.ts';
import { parseStationSelection, selectionRanges } from '../source/stationSelection.ts';
import { FILES } from '../tables.ts';
import type { Terminal } from './lakeCommands.ts';

/** `--out` / `--manifest`: a local path or s3://bucket/key, checked before any I/O. */
export function manifestLocation(flag: string, value: string): ManifestLocation {
  const parsed = parseManifestLocation(value);
  if ('error' in parsed) throw new ConfigError(`\`${flag}\`: ${parsed.error}`);
  return parsed;
}

/**
 * S3 manifests are read and written at the archive's endpoint (the local MinIO on the local
 * target), with the job's keys there, else on AWS in `awsRegion` (the task's AWS_REGION) with the
 * credential chain (the public archive itself is read anonymously, which cannot write).
 */
export const manifestS3 = (source: ArchiveSource, awsRegion: string | undefined): ManifestS3 => ({
  region: source.endpoint ? (source.region ?? 'us-east-1') : (awsRegion ?? 'us-east-1'),
  ...(source.endpoint ? { endpoint: source.endpoint } : {}),
  credentials:
    source.credentials !== 'anonymous'
      ? source.credentials
      : (source.sideCredentials ?? 'default-chain'),
});

/**
 * `plan-backfill`: counts the window's files per station and month from the real listing, packs
 * shards of at most `maxFiles` files, and writes the manifest (JSON lines) to `out` or stdout. A
 * summary goes to stderr.
 */
export async function planBackfillCommand(
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
      ...(config.stationCache ? { stationCache: config.stationCache } : {}),
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
        `${counts.listRequests} listings in ${((performance.now() - started) / 1000).toFixed(1)} s` +
        `${counts.unmatchedKeys > 0 ? `; ${counts.unmatchedKeys} keys off the layout ignored` : ''}` +
        `${out === undefined ? '' : `; written to ${out.kind === 's3' ? `s3://${out.bucket}/${out.key}` : out.path}`}\n`,
    );
    return 0;
  } finally {
    store.close();
  }
}

/**
 * `verify-backfill`: for every shard of the manifest, whether the files ledger holds at least the
 * files the plan listed for its days and stations. Prints one line a shard; exits 1 naming the
 * shards that are not covered (re-run those: each is a plain, resumable backfill).
 */
export async function verifyBackfillCommand(
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
