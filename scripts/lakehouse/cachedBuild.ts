import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LakehouseLayout } from './layout.ts';

/**
 * A folder in the cache built once per content of its definition files (a pom.xml, a
 * requirements.txt, a source file): a changed definition builds a new folder, an interrupted build
 * is redone.
 */
export async function cachedBuild(
  layout: LakehouseLayout,
  name: string,
  definitionFiles: string | readonly string[],
  build: (folder: string) => Promise<void>,
): Promise<string> {
  const hasher = createHash('sha256');
  for (const file of [definitionFiles].flat()) hasher.update(await readFile(file));
  const hash = hasher.digest('hex').slice(0, 12);
  const folder = join(layout.cacheDir, name, hash);
  const marker = join(folder, '.complete');
  if (existsSync(marker)) return folder;
  await rm(folder, { recursive: true, force: true });
  await build(folder);
  await writeFile(marker, '');
  return folder;
}
