import type { Argv } from 'yargs';
import { DEFAULTS, LIMITS } from '../config.ts';
import { FEED_DEFAULTS } from '../feedConfig.ts';

/** Where the tables are and how DuckDB runs: every command that touches the lake takes these. */
export function lakeOptions<T>(y: Argv<T>) {
  return y
    .option('catalog', {
      type: 'string',
      choices: ['local', 'rest', 's3tables'],
      describe:
        'Target catalog [default: s3tables with --table-bucket-arn, rest with --catalog-uri, else local]',
    })
    .option('table-bucket-arn', {
      type: 'string',
      describe: 'Amazon S3 Tables bucket ARN (AWS credential chain) [default: none]',
    })
    .option('catalog-uri', {
      type: 'string',
      describe: 'Any Iceberg REST catalog URI [default: none]',
    })
    .option('catalog-warehouse', {
      type: 'string',
      default: '',
      describe: 'Warehouse to attach on a REST catalog',
    })
    .option('catalog-s3-endpoint', {
      type: 'string',
      describe: "host:port of a REST catalog's S3-compatible storage [default: the local MinIO]",
    })
    .option('catalog-s3-access-key-id', {
      type: 'string',
      describe: "Access key of a REST catalog's storage [default: the local MinIO's]",
    })
    .option('catalog-s3-secret-access-key', {
      type: 'string',
      describe: "Secret key of a REST catalog's storage [default: the local MinIO's]",
    })
    .option('catalog-s3-use-ssl', {
      type: 'boolean',
      default: false,
      describe: "Use TLS for a REST catalog's storage",
    })
    .option('namespace', {
      type: 'string',
      default: DEFAULTS.namespace,
      describe: 'Iceberg namespace of the tables',
    })
    .option('memory-limit', {
      type: 'string',
      default: DEFAULTS.memoryLimit,
      describe: 'DuckDB memory limit; staging spills to disk beyond it',
    })
    .option('threads', { type: 'number', describe: 'DuckDB threads [default: min(4, cores)]' })
    .option('http-timeout', {
      type: 'number',
      default: DEFAULTS.httpTimeoutSeconds,
      describe:
        'Seconds DuckDB waits for an answer from the catalog or storage; keep it longer than any commit',
    })
    .option('work-dir', {
      type: 'string',
      describe: 'Local folder for staging and caches [default: <tmp>/openaq-lakehouse]',
    })
    .option('extension-dir', {
      type: 'string',
      describe:
        'DuckDB extension directory [default: duckdb-extensions in $OPENAQ_LAKEHOUSE_DIR, else .lakehouse]',
    });
}

/** Where the archive is: the commands that list or fetch it take these. */
export function sourceOptions<T>(y: Argv<T>) {
  return y
    .option('stations', {
      type: 'string',
      default: 'all',
      describe: 'Location ids, comma-separated, or "all" stations in the archive listing',
    })
    .option('source-bucket', {
      type: 'string',
      describe: `Archive bucket [default: ${DEFAULTS.sourceBucket}, the local mirror on the local target]`,
    })
    .option('source-endpoint', {
      type: 'string',
      describe:
        'S3-compatible endpoint of the archive bucket [default: AWS S3, the local MinIO on the local target]',
    })
    .option('source-credentials', {
      type: 'string',
      choices: ['anonymous', 'default-chain'],
      describe: 'How archive requests are signed [default: anonymous for the public archive]',
    })
    .option('concurrency', {
      type: 'number',
      default: DEFAULTS.concurrency,
      describe: 'Parallel requests, and HTTP sockets',
    });
}

/** How a load commits: backfill and nightly take these. */
export function loadOptions<T>(y: Argv<T>) {
  return y
    .option('parse-threads', {
      type: 'number',
      describe:
        'Threads that decompress, parse and validate files; 0 parses on the main thread [default: cores − 1, at least 1]',
    })
    .option('commit-days', {
      type: 'number',
      default: DEFAULTS.commitDays,
      describe: 'Archive days per commit at most',
    })
    .option('commit-files', {
      type: 'number',
      default: DEFAULTS.commitFiles,
      describe: `Files per commit at most (up to ${LIMITS.commitFiles})`,
    })
    .option('files-in-memory', {
      type: 'number',
      default: DEFAULTS.filesInMemory,
      describe:
        'Listed files held in memory at most: the window loads in pieces (a month of a slice of stations) of up to half this, the next listed while one loads',
    })
    .option('commit-retries', {
      type: 'number',
      default: DEFAULTS.commitRetries,
      describe: 'Retries of a commit after a conflict or a transient failure',
    })
    .option('max-reject-rate', {
      type: 'number',
      default: DEFAULTS.maxRejectRate,
      describe: 'Exit with code 3 above this share of rejected rows or files',
    })
    .option('dry-run', {
      type: 'boolean',
      default: false,
      describe: 'List and plan only: print files, bytes and commits, fetch and commit nothing',
    });
}

/** The notification feed: nightly takes these. */
export function feedOptions<T>(y: Argv<T>) {
  return y
    .option('source', {
      type: 'string',
      choices: ['listing', 'notifications', 'reconcile'],
      describe:
        'listing: list the last --lookback-days; notifications: load the files the queue names; reconcile: the feed, then a listing of the last --reconcile-days [default: notifications with --queue-url, else listing]',
    })
    .option('queue-url', {
      type: 'string',
      describe:
        "SQS queue subscribed to the archive's object-created topic [default: none; the local queue on the local target]",
    })
    .option('dead-letter-queue-url', {
      type: 'string',
      describe:
        'Where unreadable notifications go [default: none; the local one on the local target]',
    })
    .option('reconcile-days', {
      type: 'number',
      default: FEED_DEFAULTS.reconcileDays,
      describe: 'Archive days, ending yesterday, that --source reconcile lists',
    })
    .option('wait-seconds', {
      type: 'number',
      default: FEED_DEFAULTS.waitSeconds,
      describe:
        'Long polling: seconds a receive waits for messages (0-20); an empty receive ends the run',
    })
    .option('visibility-timeout', {
      type: 'number',
      default: FEED_DEFAULTS.visibilityTimeout,
      describe: 'Seconds received messages stay hidden while their files load',
    })
    .option('max-messages', {
      type: 'number',
      default: FEED_DEFAULTS.maxMessages,
      describe: 'Messages received per run at most',
    });
}
