import { join } from 'node:path';
import { cachedBuild } from './cachedBuild.ts';
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
  return cachedBuild(layout, 'rest-catalog', pomFile, async (folder) => {
    log('iceberg rest catalog: resolving its jars from Maven Central (first time only)');
    await run(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        pomFile,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${folder}`,
        '-DincludeScope=runtime',
      ],
      {
        purpose:
          'download the Iceberg REST catalog server with Maven (install Maven 3 and a JDK 17+)',
      },
    );
  });
}
