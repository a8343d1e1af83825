import { join } from 'node:path';
import { cachedBuild } from './cachedBuild.ts';
import type { LakehouseLayout } from './layout.ts';
import { run } from './run.ts';

const requirementsFile = join(import.meta.dirname, 's3tables', 'requirements.txt');

/**
 * The S3 Tables emulator's launcher (ministack from PyPI with two handlers fixed; see the
 * launcher's docstring). Run it with the Python this returns.
 */
export const s3TablesEmulatorLauncher = join(import.meta.dirname, 's3tables', 'launcher.py');

/** Python of a virtualenv with the pinned ministack, built once per requirements file. */
export async function installS3TablesEmulator(
  layout: LakehouseLayout,
  log: (line: string) => void,
): Promise<string> {
  const venv = await cachedBuild(layout, 's3tables-emulator', requirementsFile, async (folder) => {
    log('s3tables emulator: creating its virtualenv (first time only)');
    await run('python3', ['-m', 'venv', folder], {
      purpose: 'create a Python virtualenv for the S3 Tables emulator (install python3 with venv)',
    });
    await run(
      join(folder, 'bin', 'python'),
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirementsFile],
      { purpose: 'install the S3 Tables emulator (ministack) from PyPI' },
    );
  });
  return join(venv, 'bin', 'python');
}
