import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LakehouseLayout } from './layout.ts';
import { run } from './run.ts';

const requirementsFile = join(import.meta.dirname, 'pyiceberg', 'requirements.txt');

/** Python of a virtualenv with the pinned PyIceberg, built once per requirements file. */
export async function installPyIceberg(
  layout: LakehouseLayout,
  log: (line: string) => void,
): Promise<string> {
  const requirements = await readFile(requirementsFile);
  const hash = createHash('sha256').update(requirements).digest('hex').slice(0, 12);
  const venv = join(layout.cacheDir, 'pyiceberg', hash);
  const python = join(venv, 'bin', 'python');
  const marker = join(venv, '.complete');
  if (existsSync(marker)) return python;
  log('pyiceberg: creating its virtualenv (first time only)');
  await rm(venv, { recursive: true, force: true });
  await run('python3', ['-m', 'venv', venv], {
    purpose: 'create a Python virtualenv for PyIceberg (install python3 with venv)',
  });
  await run(
    python,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirementsFile],
    {
      purpose: 'install PyIceberg from PyPI',
    },
  );
  await writeFile(marker, '');
  return python;
}

export const pyIcebergDigestScript = join(import.meta.dirname, 'pyiceberg', 'table_digest.py');
