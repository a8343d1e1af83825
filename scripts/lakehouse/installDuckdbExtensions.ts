import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  REQUIRED_EXTENSIONS,
  duckdbPlatform,
  duckdbVersion,
  extensionFile,
} from '../../job/lake/duckdbExtensions.ts';
import type { LakehouseLayout } from './layout.ts';
import { run } from './run.ts';

/**
 * Puts DuckDB's iceberg, avro, httpfs and aws extensions into the project's extension directory.
 * Where DuckDB cannot download them (no internet, as in CI), they come from PyPI's
 * `duckdb-extension-<name>` wheels, which repackage DuckDB's signed binaries unchanged; otherwise
 * DuckDB's own INSTALL is used.
 */
export async function installDuckdbExtensions(
  layout: LakehouseLayout,
  log: (line: string) => void,
): Promise<void> {
  const version = duckdbVersion();
  const missing = REQUIRED_EXTENSIONS.filter(
    (name) => !existsSync(extensionFile(layout.extensionDir, name)),
  );
  if (missing.length === 0) return;
  await mkdir(dirname(extensionFile(layout.extensionDir, 'iceberg')), { recursive: true });
  log(`duckdb extensions: installing ${missing.join(', ')} for DuckDB v${version}`);
  try {
    await installFromWheels(layout, missing, version);
  } catch (wheelError) {
    log(
      `duckdb extensions: PyPI wheels unavailable (${firstLine(wheelError)}); trying DuckDB's INSTALL`,
    );
    await installWithDuckdb(layout, missing);
  }
}

async function installFromWheels(
  layout: LakehouseLayout,
  names: readonly string[],
  version: string,
): Promise<void> {
  const wheelDir = join(layout.cacheDir, 'duckdb-wheels', version);
  const wheelPlatform =
    duckdbPlatform() === 'linux_arm64' ? 'manylinux2014_aarch64' : 'manylinux2014_x86_64';
  await run(
    'python3',
    [
      '-m',
      'pip',
      'download',
      '--quiet',
      '--no-deps',
      '--only-binary=:all:',
      '--platform',
      wheelPlatform,
      '--python-version',
      '3.11',
      '-d',
      wheelDir,
      ...names.map((name) => `duckdb-extension-${name}==${version}`),
    ],
    { purpose: `download DuckDB extension wheels (${names.join(', ')}) from PyPI` },
  );
  // A wheel is a zip holding duckdb_extension_<name>/extensions/v<version>/<name>.duckdb_extension.
  const extract = `
import glob, os, sys, zipfile
wheel_dir, version, target = sys.argv[1], sys.argv[2], sys.argv[3]
for name in sys.argv[4:]:
    wheels = glob.glob(os.path.join(wheel_dir, f"duckdb_extension_{name}-{version}-*.whl"))
    if not wheels: sys.exit(f"no wheel for {name} in {wheel_dir}")
    with zipfile.ZipFile(wheels[0]) as z:
        member = f"duckdb_extension_{name}/extensions/v{version}/{name}.duckdb_extension"
        tmp = os.path.join(target, name + ".duckdb_extension.part")
        with z.open(member) as src, open(tmp, "wb") as dst: dst.write(src.read())
        os.replace(tmp, os.path.join(target, name + ".duckdb_extension"))
`;
  const target = dirname(extensionFile(layout.extensionDir, 'iceberg'));
  await run('python3', ['-c', extract, wheelDir, version, target, ...names], {
    purpose: 'extract DuckDB extensions from their wheels',
  });
}

async function installWithDuckdb(layout: LakehouseLayout, names: readonly string[]): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:', {
    extension_directory: layout.extensionDir,
  });
  try {
    const connection = await instance.connect();
    try {
      for (const name of names) await connection.run(`INSTALL ${name}`);
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

const firstLine = (err: unknown): string =>
  String(err instanceof Error ? err.message : err).split('\n')[0] ?? '';
