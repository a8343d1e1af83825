import { createHash, randomUUID } from 'node:crypto';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ArchiveSource } from './model/archiveSource.ts';
import type { CatalogTarget } from './model/catalogTarget.ts';
import type { DuckDBSettings } from './model/duckdbSettings.ts';
import {
  catalogUrl,
  localExtensionDir,
  localLakehouseDir,
  resolveLocalLakehouse,
  s3EndpointUrl,
} from './localLakehouse.ts';
import { addDays, archiveDayFromMs, parseArchiveDay, type ArchiveDay } from './model/archiveDay.ts';
import { parseStationSelection, type StationSelection } from './model/stationSelection.ts';
import { NAMESPACE } from './tables.ts';

export type { ArchiveSource } from './model/archiveSource.ts';

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

export const DEFAULTS = {
  namespace: NAMESPACE,
  sourceBucket: 'openaq-data-archive',
  concurrency: 64,
  commitDays: 31,
  commitFiles: 10_000,
  filesInMemory: 100_000,
  commitRetries: 10,
  maxRejectRate: 0.01,
  lookbackDays: 7,
  memoryLimit: '512MB',
  httpTimeoutSeconds: 300,
} as const;

/**
 * Upper bounds of the load options. A commit stages its files' rows on local disk and inserts them
 * in one statement: 100,000 files is ~34 M rows, whose write spills at the default memory limit
 * and whose failure costs the whole chunk again. Listed files take ~0.5 KB of heap each.
 */
export const LIMITS = {
  commitFiles: 100_000,
  commitDays: 366,
  filesInMemory: 2_000_000,
  /** Two pieces of one station-month (31 days) each. */
  minFilesInMemory: 62,
} as const;

export class ConfigError extends Error {
  constructor(message: string) {
    super(`config: ${message}`);
    this.name = 'ConfigError';
  }
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

/**
 * The target: S3 Tables by ARN, any REST catalog by URI, or (nothing configured) the embedded local
 * lakehouse, whose archive mirror is then the default source.
 */
function resolveEndpoints(
  options: SourceOptions,
  env: Readonly<Record<string, string | undefined>>,
): { target: CatalogTarget; source: ArchiveSource } {
  const kind =
    options.catalog ??
    (options.tableBucketArn ? 's3tables' : options.catalogUri ? 'rest' : 'local');
  const publicArchive: ArchiveSource = {
    bucket: options.sourceBucket ?? DEFAULTS.sourceBucket,
    region: 'us-east-1',
    credentials: 'anonymous',
    ...(options.sourceEndpoint
      ? { endpoint: url('--source-endpoint', options.sourceEndpoint) }
      : {}),
  };
  if (kind === 's3tables') {
    const arn = options.tableBucketArn;
    if (
      !arn ||
      !/^arn:aws[\w-]*:s3tables:[a-z0-9-]+:\d{12}:bucket\/[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(
        arn,
      )
    ) {
      throw new ConfigError(
        `Expected \`--table-bucket-arn\` (OPENAQ_TABLE_BUCKET_ARN) to be an S3 Tables bucket ARN like arn:aws:s3tables:us-east-1:123456789012:bucket/openaq, got \`${arn ?? ''}\``,
      );
    }
    return {
      target: { kind: 's3tables', tableBucketArn: arn },
      source: withSourceCredentials(publicArchive, options),
    };
  }
  const local = resolveLocalLakehouse(env);
  const localStorage = {
    endpoint: `${local.host}:${local.s3Port}`,
    useSsl: false,
    urlStyle: 'path' as const,
    region: local.region,
    // The job's own user, which cannot delete objects: see scripts/lakehouse/jobUser.ts.
    accessKeyId: local.job.accessKeyId,
    secretAccessKey: local.job.secretAccessKey,
  };
  if (kind === 'rest') {
    const endpoint = url('--catalog-uri', options.catalogUri ?? '');
    // A REST catalog's data files live in its own S3-compatible store, reached with static keys.
    const storage = {
      ...localStorage,
      endpoint: options.catalogS3Endpoint ?? localStorage.endpoint,
      useSsl: options.catalogS3UseSsl ?? false,
      accessKeyId: options.catalogS3AccessKeyId ?? localStorage.accessKeyId,
      secretAccessKey: options.catalogS3SecretAccessKey ?? localStorage.secretAccessKey,
    };
    return {
      target: { kind: 'rest', endpoint, warehouse: options.catalogWarehouse ?? '', storage },
      source: withSourceCredentials(publicArchive, options),
    };
  }
  if (kind !== 'local') {
    throw new ConfigError(
      `Expected \`--catalog\` to be one of local, rest, s3tables, got \`${kind}\``,
    );
  }
  const mirror: ArchiveSource = {
    bucket: options.sourceBucket ?? local.archiveBucket,
    region: local.region,
    endpoint: options.sourceEndpoint
      ? url('--source-endpoint', options.sourceEndpoint)
      : s3EndpointUrl(local),
    // Read like the public archive it stands for: unsigned (`lakehouse up` makes it public).
    credentials: 'anonymous',
    sideCredentials: {
      accessKeyId: local.job.accessKeyId,
      secretAccessKey: local.job.secretAccessKey,
    },
  };
  return {
    target: { kind: 'rest', endpoint: catalogUrl(local), warehouse: '', storage: localStorage },
    source: options.sourceCredentials ? withSourceCredentials(mirror, options) : mirror,
  };
}

function withSourceCredentials(source: ArchiveSource, options: SourceOptions): ArchiveSource {
  const value = options.sourceCredentials;
  if (value === undefined) return source;
  if (value === 'anonymous' || value === 'default-chain') return { ...source, credentials: value };
  throw new ConfigError(
    `Expected \`--source-credentials\` to be one of anonymous, default-chain, got \`${value}\``,
  );
}

function day(flag: string, value: string): ArchiveDay {
  try {
    return parseArchiveDay(value);
  } catch {
    throw new ConfigError(`Expected \`${flag}\` to be a date YYYY-MM-DD, got \`${value}\``);
  }
}

function stationSelection(value: string | undefined): StationSelection {
  if (value === undefined) return 'all';
  const parsed = parseStationSelection(value);
  if (typeof parsed === 'object' && 'error' in parsed) throw new ConfigError(parsed.error);
  return parsed;
}

export function integer(
  flag: string,
  value: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(
      `Expected \`${flag}\` to be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}, got \`${value}\``,
    );
  }
  return value;
}

function fraction(flag: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1)
    throw new ConfigError(`Expected \`${flag}\` to be a number from 0 to 1, got \`${value}\``);
  return value;
}

function memory(flag: string, value: string): string {
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(value)) {
    throw new ConfigError(`Expected \`${flag}\` to be a size like 2GB or 512MiB, got \`${value}\``);
  }
  return value;
}

function identifier(flag: string, value: string): string {
  if (!/^[a-z_][a-z0-9_]{0,254}$/.test(value)) {
    throw new ConfigError(
      `Expected \`${flag}\` to be a lower-case name of letters, digits and _, got \`${value}\``,
    );
  }
  return value;
}

export function url(flag: string, value: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:')
      return value.replace(/\/$/, '');
  } catch {
    // fall through
  }
  throw new ConfigError(`Expected \`${flag}\` to be an http(s) URL, got \`${value}\``);
}
