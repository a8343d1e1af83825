import { join } from 'node:path';
import { cachedBuild } from './cachedBuild.ts';
import type { LakehouseLayout } from './layout.ts';
import { run } from './run.ts';

const requirementsFile = join(import.meta.dirname, 'pyiceberg', 'requirements.txt');

/** Python of a virtualenv with the pinned PyIceberg, built once per requirements file. */
export async function installPyIceberg(
  layout: LakehouseLayout,
  log: (line: string) => void,
): Promise<string> {
  const venv = await cachedBuild(layout, 'pyiceberg', requirementsFile, async (folder) => {
    log('pyiceberg: creating its virtualenv (first time only)');
    await run('python3', ['-m', 'venv', folder], {
      purpose: 'create a Python virtualenv for PyIceberg (install python3 with venv)',
    });
    await run(
      join(folder, 'bin', 'python'),
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirementsFile],
      {
        purpose: 'install PyIceberg from PyPI',
      },
    );
  });
  return join(venv, 'bin', 'python');
}

export const pyIcebergDigestScript = join(import.meta.dirname, 'pyiceberg', 'table_digest.py');
