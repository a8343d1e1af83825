import { existsSync } from 'node:fs';
import {
  DuckDBInstance,
  quotedIdentifier,
  quotedString,
  type DuckDBConnection,
} from '@duckdb/node-api';
import type { CatalogTarget } from './catalogTarget.ts';
import { describeTarget } from './catalogTarget.ts';
import { REQUIRED_EXTENSIONS, duckdbVersion, extensionFile } from './duckdbExtensions.ts';
import { classify } from '../lakehouseError.ts';
import type { DuckDBSettings } from '../model/duckdbSettings.ts';

export type { DuckDBSettings } from '../model/duckdbSettings.ts';

/** An open DuckDB with the Iceberg catalog attached under `catalog`. */
export interface LakeSession {
  readonly connection: DuckDBConnection;
  /** The name the catalog is attached as. */
  readonly catalog: string;
  /**
   * Fetches the credentials again (S3 Tables: re-runs the AWS credential chain); a no-op for a
   * catalog with static keys. Call it before each commit: task-role credentials expire after some
   * hours, and DuckDB 1.5's iceberg catalog keeps signing with the ones it was given (`REFRESH
   * auto` is not honoured there: requests after the expiry fail with ExpiredTokenException).
   */
  refreshCredentials(): Promise<void>;
  /**
   * Another connection to the same DuckDB (same attached databases, its own transactions), closed
   * with the session: for work that runs while `connection` is busy, such as staging the next
   * chunk during a commit.
   */
  connect(): Promise<DuckDBConnection>;
  /**
   * Empties DuckDB's external file cache: the parts of data and metadata files it has read from
   * storage, kept in memory until the memory limit needs them. A commit's lookups reread the same
   * files and gain from it; the next chunk's read other days' files, so across commits it only
   * grew: ~7 MB of RSS a month of backfill (docs/performance.md#memory). Call it between commits.
   */
  forgetCachedFiles(): Promise<void>;
}

export const LAKE_ALIAS = 'lake';

/** DuckDB's default Parquet row group. */
const ROW_GROUP_ROWS = 122_880;

/**
 * Opens DuckDB, loads the extensions from the configured directory (autoinstall off), attaches the
 * catalog (READ_ONLY with `readOnly`: no statement can change a table), runs `fn`, and closes
 * everything whatever happens.
 */
export async function withLake<T>(
  settings: DuckDBSettings,
  target: CatalogTarget,
  fn: (session: LakeSession) => Promise<T>,
  options: { readonly readOnly?: boolean } = {},
): Promise<T> {
  assertExtensionsPresent(settings.extensionDirectory);
  const instance = await DuckDBInstance.create(':memory:', {
    extension_directory: settings.extensionDirectory,
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    memory_limit: settings.memoryLimit,
    temp_directory: settings.tempDirectory,
    threads: String(settings.threads),
    // Without them, memory DuckDB frees after a commit stays resident and RSS creeps up commit by
    // commit (measured: +300 MB over ten commits; flat with them).
    allocator_background_threads: 'true',
    // A partitioned write buffers up to this many rows per partition and thread before writing
    // them (default 524,288): one row group's worth keeps a commit ~200 MB smaller, with the same
    // data files.
    partitioned_write_flush_threshold: String(ROW_GROUP_ROWS),
  });
  const others: DuckDBConnection[] = [];
  try {
    const connection = await instance.connect();
    try {
      // aws only provides the credential chain S3 Tables needs; skipping it saves ~0.16 s a start.
      for (const name of REQUIRED_EXTENSIONS) {
        if (name !== 'aws' || target.kind === 's3tables') await connection.run(`LOAD ${name}`);
      }
      // An httpfs setting, so only known once httpfs is loaded.
      await connection.run(`SET http_timeout = ${Math.trunc(settings.httpTimeoutSeconds)}`);
      // The multipart part size is this over 10,000 parts, and each file being written holds a
      // part in memory: the default 800 GB makes 76 MiB parts, 50 GB makes S3's 5 MiB minimum.
      // A data file here stays far below 50 GB (a commit is at most ~1.5 GB of Parquet).
      await connection.run(`SET s3_uploader_max_filesize = '50GB'`);
      await attachCatalog(connection, target, options.readOnly ?? false);
      const refreshCredentials = async (): Promise<void> => {
        if (target.kind !== 's3tables') return;
        try {
          await connection.run(S3TABLES_SECRET);
          // The iceberg extension copies the credentials into a secret per loaded table (scoped
          // to the table's location, so it wins over ours); drop them, or data files keep being
          // signed with the old credentials. Tables loaded later get copies of the new ones.
          const copies = await connection.runAndReadAll(
            `SELECT name FROM duckdb_secrets() WHERE starts_with(name, '__internal_ic_')`,
          );
          for (const [name] of copies.getRows()) {
            await connection.run(`DROP SECRET ${quotedIdentifier(String(name))}`);
          }
        } catch (err) {
          throw classify(err, `refresh the credentials for ${describeTarget(target)}`);
        }
      };
      const connect = async (): Promise<DuckDBConnection> => {
        const other = await instance.connect();
        others.push(other);
        return other;
      };
      const forgetCachedFiles = async (): Promise<void> => {
        // Turning the cache off empties it (DuckDB 1.5.5; checked by a test).
        await connection.run('SET enable_external_file_cache = false');
        await connection.run('SET enable_external_file_cache = true');
      };
      return await fn({
        connection,
        catalog: LAKE_ALIAS,
        refreshCredentials,
        connect,
        forgetCachedFiles,
      });
    } finally {
      for (const other of others) other.closeSync();
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

function assertExtensionsPresent(extensionDirectory: string): void {
  const missing = REQUIRED_EXTENSIONS.filter(
    (name) => !existsSync(extensionFile(extensionDirectory, name)),
  );
  if (missing.length > 0) {
    throw new Error(
      `duckdb: extension${missing.length > 1 ? 's' : ''} ${missing.join(', ')} for DuckDB v${duckdbVersion()} ` +
        `not found in ${extensionDirectory}; run \`npm run lakehouse -- install\` (or, with internet, ` +
        `\`INSTALL ${missing[0]}\` into that directory), or point --extension-dir (OPENAQ_EXTENSION_DIR) at a directory that has them`,
    );
  }
}

/** The S3 Tables secret: the AWS credential chain, read when the secret is (re)created. */
const S3TABLES_SECRET = `CREATE OR REPLACE SECRET lake_storage (TYPE s3, PROVIDER credential_chain)`;

const s3TablesAttach = (tableBucketArn: string, mode: string): string =>
  `ATTACH ${quotedString(tableBucketArn)} AS ${LAKE_ALIAS} (TYPE iceberg, ENDPOINT_TYPE s3_tables${mode})`;

async function attachCatalog(
  connection: DuckDBConnection,
  target: CatalogTarget,
  readOnly: boolean,
): Promise<void> {
  const mode = readOnly ? ', READ_ONLY' : '';
  try {
    if (target.kind === 'rest') {
      const s3 = target.storage;
      await connection.run(
        `CREATE OR REPLACE SECRET lake_storage (TYPE s3, KEY_ID ${quotedString(s3.accessKeyId)}, ` +
          `SECRET ${quotedString(s3.secretAccessKey)}, ENDPOINT ${quotedString(s3.endpoint)}, ` +
          `URL_STYLE ${quotedString(s3.urlStyle)}, USE_SSL ${s3.useSsl}, REGION ${quotedString(s3.region)})`,
      );
      const auth = target.oauth2
        ? `CLIENT_ID ${quotedString(target.oauth2.clientId)}, CLIENT_SECRET ${quotedString(target.oauth2.clientSecret)}`
        : `AUTHORIZATION_TYPE 'none'`;
      await connection.run(
        `ATTACH ${quotedString(target.warehouse)} AS ${LAKE_ALIAS} (TYPE iceberg, ` +
          `ENDPOINT ${quotedString(target.endpoint)}, ${auth}, ACCESS_DELEGATION_MODE 'none'${mode})`,
      );
    } else {
      await connection.run(S3TABLES_SECRET);
      await connection.run(s3TablesAttach(target.tableBucketArn, mode));
    }
  } catch (err) {
    throw classify(err, `attach ${describeTarget(target)}`);
  }
}
