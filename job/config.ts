import { createHash, randomUUID } from 'node:crypto';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULTS, LIMITS } from './configDefaults.ts';
import {
  ConfigError,
  day,
  fraction,
  identifier,
  integer,
  memory,
  stationSelection,
} from './configValues.ts';
import { localExtensionDir, localLakehouseDir } from './localLakehouse.ts';
import { addDays, archiveDayFromMs, type ArchiveDay } from './model/archiveDay.ts';
import type { ArchiveSource } from './model/archiveSource.ts';
import type { CatalogTarget } from './model/catalogTarget.ts';
import type { DuckDBSettings } from './model/duckdbSettings.ts';
import type { StationSelection } from './model/stationSelection.ts';
import { resolveEndpoints } from './resolveEndpoints.ts';

export type { ArchiveSource } from './model/archiveSource.ts';
export { DEFAULTS, LIMITS } from './configDefaults.ts';
export { ConfigError, integer, url } from './configValues.ts';

export interface ChunkLimits {
  /** Archive days per commit at most. */
  readonly days: number;
  /** Files per commit at most. */
  readonly files: number;
}

/** Where the tables are and how DuckDB runs: what every command needs. */
export interface LakeConfig {
  readonly target: CatalogTarget;
  /** Whether the user named the target (flag or variable), rather than getting the local default. */
  readonly targetExplicit: boolean;
  readonly namespace: string;
  readonly duckdb: DuckDBSettings;
  /** Local folder for the station-list cache and the per-run folders (`runs/<runId>`). */
  readonly workDir: string;
  /**
   * This process's own folder under `<workDir>/runs/`: staging database and DuckDB spill files.
   * No two runs share it; leftovers of dead runs are removed at start (see withRunFolder).
   */
  readonly runDir: string;
}

/** Everything a backfill run needs, resolved and validated once, before any I/O. */
export interface BackfillConfig extends LakeConfig {
  readonly runId: string;
  /** `backfill` or `nightly`, recorded with the run. */
  readonly command: string;
  /** Archive days (the date in the file name), inclusive. */
  readonly window: { readonly from: ArchiveDay; readonly to: ArchiveDay };
  /** Every station, ids, or id ranges selecting from the archive's stations (see StationSelection). */
  readonly stations: StationSelection;
  /** The archive bucket; the socket pool is sized from `concurrency`. */
  readonly source: ArchiveSource;
  /** The file caching the archive's station ids between runs (see stationCache.ts). */
  readonly stationCachePath?: string;
  /** Parallel GETs, and the size of the HTTP socket pool. */
  readonly concurrency: number;
  /** Threads that decompress, parse and validate files (0: the main thread does). */
  readonly parseThreads: number;
  readonly commit: ChunkLimits;
  /**
   * Listed files held in memory at most: the window is streamed in pieces (a month of a slice of
   * stations) of up to half this many station-days, the next piece listed while one loads.
   */
  readonly filesInMemory: number;
  /** Conflict/transient retries of one commit. */
  readonly commitRetries: number;
  /** Above this share of rejected rows (or files), the run exits with code 3. */
  readonly maxRejectRate: number;
  readonly dryRun: boolean;
}

/** The raw target options, as the CLI parsed them (flags and their OPENAQ_* variables). */
export interface LakeOptions {
  readonly catalog?: string;
  readonly catalogUri?: string;
  readonly tableBucketArn?: string;
  readonly catalogWarehouse?: string;
  readonly catalogS3Endpoint?: string;
  readonly catalogS3AccessKeyId?: string;
  readonly catalogS3SecretAccessKey?: string;
  readonly catalogS3UseSsl?: boolean;
  readonly namespace?: string;
  readonly memoryLimit?: string;
  readonly threads?: number;
  readonly httpTimeout?: number;
  readonly workDir?: string;
  readonly extensionDir?: string;
}

/** The archive options, shared by the commands that read the archive. */
export interface SourceOptions extends LakeOptions {
  readonly stations?: string;
  readonly sourceBucket?: string;
  readonly sourceEndpoint?: string;
  readonly sourceCredentials?: string;
  readonly concurrency?: number;
}

export interface BackfillOptions extends SourceOptions {
  readonly from: string;
  readonly to: string;
  readonly parseThreads?: number;
  readonly commitDays?: number;
  readonly commitFiles?: number;
  readonly filesInMemory?: number;
  readonly commitRetries?: number;
  readonly maxRejectRate?: number;
  readonly dryRun?: boolean;
}

export function resolveLakeConfig(
  options: LakeOptions,
  env: Readonly<Record<string, string | undefined>>,
  packageRoot: string,
  runId: string = newRunId(),
): LakeConfig {
  const workDir = resolve(options.workDir ?? join(tmpdir(), 'openaq-lakehouse'));
  const runDir = join(workDir, 'runs', runId);
  return {
    target: resolveEndpoints(options, env).target,
    targetExplicit: Boolean(options.catalog ?? options.tableBucketArn ?? options.catalogUri),
    namespace: identifier('--namespace', options.namespace ?? DEFAULTS.namespace),
    duckdb: {
      extensionDirectory: resolve(
        options.extensionDir ?? localExtensionDir(localLakehouseDir(env, packageRoot)),
      ),
      memoryLimit: memory('--memory-limit', options.memoryLimit ?? DEFAULTS.memoryLimit),
      tempDirectory: join(runDir, 'spill'),
      threads: integer('--threads', options.threads ?? Math.min(4, availableParallelism()), 1),
      httpTimeoutSeconds: integer(
        '--http-timeout',
        options.httpTimeout ?? DEFAULTS.httpTimeoutSeconds,
        1,
      ),
    },
    workDir,
    runDir,
  };
}

/** `20261201T230548-1a2b3c4d`: sortable by start time, unique per run; names the run's folder. */
export const newRunId = (now = new Date()): string =>
  `${now.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`;

export function resolveBackfillConfig(
  options: BackfillOptions,
  env: Readonly<Record<string, string | undefined>>,
  packageRoot: string,
  command = 'backfill',
): BackfillConfig {
  const from = day('--from', options.from);
  const to = day('--to', options.to);
  if (from > to)
    throw new ConfigError(`Expected \`--from\` (${from}) to be on or before \`--to\` (${to})`);
  const runId = newRunId();
  const lake = resolveLakeConfig(options, env, packageRoot, runId);
  const source = resolveSource(options, env);
  return {
    ...lake,
    runId,
    command,
    window: { from, to },
    stations: stationSelection(options.stations),
    source,
    // One cache per archive (endpoint and bucket): a mirror and the real archive list other stations.
    stationCachePath: join(
      lake.workDir,
      `stations-${createHash('sha256')
        .update(`${source.endpoint ?? 's3'}|${source.bucket}`)
        .digest('hex')
        .slice(0, 12)}.json`,
    ),
    concurrency: integer('--concurrency', options.concurrency ?? DEFAULTS.concurrency, 1, 1024),
    parseThreads: integer(
      '--parse-threads',
      options.parseThreads ?? Math.max(1, availableParallelism() - 1),
      0,
      64,
    ),
    commit: {
      days: integer(
        '--commit-days',
        options.commitDays ?? DEFAULTS.commitDays,
        1,
        LIMITS.commitDays,
      ),
      files: integer(
        '--commit-files',
        options.commitFiles ?? DEFAULTS.commitFiles,
        1,
        LIMITS.commitFiles,
      ),
    },
    filesInMemory: integer(
      '--files-in-memory',
      options.filesInMemory ?? DEFAULTS.filesInMemory,
      LIMITS.minFilesInMemory,
      LIMITS.filesInMemory,
    ),
    commitRetries: integer(
      '--commit-retries',
      options.commitRetries ?? DEFAULTS.commitRetries,
      0,
      100,
    ),
    maxRejectRate: fraction('--max-reject-rate', options.maxRejectRate ?? DEFAULTS.maxRejectRate),
    dryRun: options.dryRun ?? false,
  };
}

/**
 * The nightly window: the last `lookbackDays` archive days ending yesterday (UTC). OpenAQ writes a
 * day about 72 hours after it ends and patches files later, so recent days are re-scanned every
 * night; unchanged files cost a listing, not a download.
 */
export function nightlyWindow(
  lookbackDays: number,
  now: Date,
): { from: ArchiveDay; to: ArchiveDay } {
  const days = integer('--lookback-days', lookbackDays, 1, 3660);
  const to = archiveDayFromMs(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - 86_400_000,
  );
  return { from: addDays(to, -(days - 1)), to };
}

/** The archive bucket and how it is reached (the local mirror on the local target). */
export function resolveSource(
  options: SourceOptions,
  env: Readonly<Record<string, string | undefined>>,
): ArchiveSource {
  return resolveEndpoints(options, env).source;
}
