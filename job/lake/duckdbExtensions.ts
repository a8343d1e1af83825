import { createRequire } from 'node:module';

/** The DuckDB extensions the job loads, in load order (iceberg needs avro; S3 needs httpfs). */
export const REQUIRED_EXTENSIONS = ['httpfs', 'avro', 'aws', 'iceberg'] as const;
export type ExtensionName = (typeof REQUIRED_EXTENSIONS)[number];

/** The DuckDB version of the installed `@duckdb/node-api` (e.g. "1.5.5" for "1.5.5-r.5"). */
export function duckdbVersion(): string {
  const require = createRequire(import.meta.url);
  const { version } = require('@duckdb/node-api/package.json') as { version: string };
  const match = /^(\d+\.\d+\.\d+)/.exec(version);
  if (!match?.[1])
    throw new Error(`duckdb: cannot read a version from @duckdb/node-api "${version}"`);
  return match[1];
}

/** DuckDB's platform name for this process, as used in extension directories. */
export function duckdbPlatform(arch: string = process.arch): string {
  if (arch === 'x64') return 'linux_amd64';
  if (arch === 'arm64') return 'linux_arm64';
  throw new Error(`duckdb: unsupported CPU architecture "${arch}"; expected x64 or arm64`);
}

/** Path of an extension's binary inside an extension directory. */
export function extensionFile(
  extensionDir: string,
  name: ExtensionName,
  version = duckdbVersion(),
): string {
  return `${extensionDir}/v${version}/${duckdbPlatform()}/${name}.duckdb_extension`;
}
