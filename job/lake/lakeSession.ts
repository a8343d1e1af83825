import { existsSync } from 'node:fs';
import { DuckDBInstance, quotedString, type DuckDBConnection } from '@duckdb/node-api';
import type { CatalogTarget } from './catalogTarget.ts';
import { describeTarget } from './catalogTarget.ts';
import { REQUIRED_EXTENSIONS, duckdbVersion, extensionFile } from './duckdbExtensions.ts';
import { classify } from '../lakehouseError.ts';

export interface DuckDBSettings {
  /** Folder holding `v<version>/<platform>/<name>.duckdb_extension`; nothing is downloaded at run time. */
  readonly extensionDirectory: string;
  /** DuckDB memory_limit, e.g. '2GB'. */
  readonly memoryLimit: string;
  /** Folder DuckDB spills to when staging exceeds memory. */
  readonly tempDirectory: string;
  readonly threads: number;
  /**
   * DuckDB's http_timeout, for the catalog and data files. Longer than any commit: a commit the
   * client gives up on may still land, and the extension's resend of it is what goes wrong.
   */
  readonly httpTimeoutSeconds: number;
}

/** An open DuckDB with the Iceberg catalog attached under `catalog`. */
export interface LakeSession {
  readonly connection: DuckDBConnection;
  /** The name the catalog is attached as. */
  readonly catalog: string;
}

export const LAKE_ALIAS = 'lake';

/**
 * Opens DuckDB, loads the extensions from the configured directory (autoinstall off), attaches the
 * catalog, runs `fn`, and closes everything whatever happens.
 */
export async function withLake<T>(
  settings: DuckDBSettings,
  target: CatalogTarget,
  fn: (session: LakeSession) => Promise<T>,
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
  });
  try {
    const connection = await instance.connect();
    try {
      // aws only provides the credential chain S3 Tables needs; skipping it saves ~0.16 s a start.
      for (const name of REQUIRED_EXTENSIONS) {
        if (name !== 'aws' || target.kind === 's3tables') await connection.run(`LOAD ${name}`);
      }
      // An httpfs setting, so only known once httpfs is loaded.
      await connection.run(`SET http_timeout = ${Math.trunc(settings.httpTimeoutSeconds)}`);
      await attachCatalog(connection, target);
      return await fn({ connection, catalog: LAKE_ALIAS });
    } finally {
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

async function attachCatalog(connection: DuckDBConnection, target: CatalogTarget): Promise<void> {
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
          `ENDPOINT ${quotedString(target.endpoint)}, ${auth}, ACCESS_DELEGATION_MODE 'none')`,
      );
    } else {
      await connection.run(
        `CREATE OR REPLACE SECRET lake_storage (TYPE s3, PROVIDER credential_chain)`,
      );
      await connection.run(
        `ATTACH ${quotedString(target.tableBucketArn)} AS ${LAKE_ALIAS} (TYPE iceberg, ENDPOINT_TYPE s3_tables)`,
      );
    }
  } catch (err) {
    throw classify(err, `attach ${describeTarget(target)}`);
  }
}
