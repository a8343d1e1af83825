import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LakehouseLayout } from './layout.ts';
import { run } from './run.ts';

const pomFile = join(import.meta.dirname, 'rest-catalog', 'pom.xml');

/**
 * Resolves Apache Iceberg's REST catalog server (the code behind the apache/iceberg-rest-fixture
 * image) and its runtime classpath from Maven Central into the cache, once per pom.xml.
 * Returns the classpath directory (`java -cp '<dir>/*' org.apache.iceberg.rest.RESTCatalogServer`).
 */
export async function installRestCatalog(
  layout: LakehouseLayout,
  log: (line: string) => void,
): Promise<string> {
  const pom = await readFile(pomFile);
  const hash = createHash('sha256').update(pom).digest('hex').slice(0, 12);
  const libDir = join(layout.cacheDir, 'rest-catalog', hash);
  const marker = join(libDir, '.complete');
  if (existsSync(marker)) return libDir;
  log('iceberg rest catalog: resolving its jars from Maven Central (first time only)');
  await rm(libDir, { recursive: true, force: true });
  await run(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      pomFile,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${libDir}`,
      '-DincludeScope=runtime',
    ],
    {
      purpose:
        'download the Iceberg REST catalog server with Maven (install Maven 3 and a JDK 17+)',
    },
  );
  await writeFile(marker, '');
  return libDir;
}
