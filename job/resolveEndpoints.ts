import type { SourceOptions } from './config.ts';
import { DEFAULTS } from './configDefaults.ts';
import { ConfigError, url } from './configValues.ts';
import {
  catalogUrl,
  resolveLocalLakehouse,
  s3EndpointUrl,
  type LocalLakehouse,
} from './localLakehouse.ts';
import type { ArchiveSource } from './model/archiveSource.ts';
import type { CatalogTarget, S3Storage } from './model/catalogTarget.ts';

interface Endpoints {
  readonly target: CatalogTarget;
  readonly source: ArchiveSource;
}

const S3_TABLES_ARN =
  /^arn:aws[\w-]*:s3tables:[a-z0-9-]+:\d{12}:bucket\/[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * The target: S3 Tables by ARN, any REST catalog by URI, or (nothing configured) the embedded local
 * lakehouse, whose archive mirror is then the default source.
 */
export function resolveEndpoints(
  options: SourceOptions,
  env: Readonly<Record<string, string | undefined>>,
): Endpoints {
  const kind =
    options.catalog ??
    (options.tableBucketArn ? 's3tables' : options.catalogUri ? 'rest' : 'local');
  if (kind === 's3tables') return s3TablesEndpoints(options);
  const local = resolveLocalLakehouse(env);
  if (kind === 'rest') return restEndpoints(options, localStorage(local));
  if (kind === 'local') return localEndpoints(options, local);
  throw new ConfigError(
    `Expected \`--catalog\` to be one of local, rest, s3tables, got \`${kind}\``,
  );
}

/** OpenAQ's bucket, read unsigned, unless options say otherwise. */
const publicArchive = (options: SourceOptions): ArchiveSource =>
  withSourceCredentials(
    {
      bucket: options.sourceBucket ?? DEFAULTS.sourceBucket,
      region: 'us-east-1',
      credentials: 'anonymous',
      ...(options.sourceEndpoint
        ? { endpoint: url('--source-endpoint', options.sourceEndpoint) }
        : {}),
    },
    options,
  );

function s3TablesEndpoints(options: SourceOptions): Endpoints {
  const arn = options.tableBucketArn;
  if (!arn || !S3_TABLES_ARN.test(arn)) {
    throw new ConfigError(
      `Expected \`--table-bucket-arn\` (OPENAQ_TABLE_BUCKET_ARN) to be an S3 Tables bucket ARN like arn:aws:s3tables:us-east-1:123456789012:bucket/openaq, got \`${arn ?? ''}\``,
    );
  }
  return { target: { kind: 's3tables', tableBucketArn: arn }, source: publicArchive(options) };
}

/** A REST catalog's data files live in its own S3-compatible store, reached with static keys. */
function restEndpoints(options: SourceOptions, defaults: S3Storage): Endpoints {
  const endpoint = url('--catalog-uri', options.catalogUri ?? '');
  const storage = {
    ...defaults,
    endpoint: options.catalogS3Endpoint ?? defaults.endpoint,
    useSsl: options.catalogS3UseSsl ?? false,
    accessKeyId: options.catalogS3AccessKeyId ?? defaults.accessKeyId,
    secretAccessKey: options.catalogS3SecretAccessKey ?? defaults.secretAccessKey,
  };
  return {
    target: { kind: 'rest', endpoint, warehouse: options.catalogWarehouse ?? '', storage },
    source: publicArchive(options),
  };
}

/** The embedded lakehouse: its catalog, its MinIO, and its mirror of the archive. */
function localEndpoints(options: SourceOptions, local: LocalLakehouse): Endpoints {
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
    target: {
      kind: 'rest',
      endpoint: catalogUrl(local),
      warehouse: '',
      storage: localStorage(local),
    },
    source: options.sourceCredentials ? withSourceCredentials(mirror, options) : mirror,
  };
}

/** The local MinIO, as the job's own user, which cannot delete objects (scripts/lakehouse/jobUser.ts). */
const localStorage = (local: LocalLakehouse): S3Storage => ({
  endpoint: `${local.host}:${local.s3Port}`,
  useSsl: false,
  urlStyle: 'path',
  region: local.region,
  accessKeyId: local.job.accessKeyId,
  secretAccessKey: local.job.secretAccessKey,
});

function withSourceCredentials(source: ArchiveSource, options: SourceOptions): ArchiveSource {
  const value = options.sourceCredentials;
  if (value === undefined) return source;
  if (value === 'anonymous' || value === 'default-chain') return { ...source, credentials: value };
  throw new ConfigError(
    `Expected \`--source-credentials\` to be one of anonymous, default-chain, got \`${value}\``,
  );
}
