import { join } from 'node:path';
import { cachedBuild } from './cachedBuild.ts';
import type { LakehouseLayout } from './layout.ts';
import { copyMavenJars } from './copyMavenJars.ts';
import { run } from './run.ts';

const definitionDir = join(import.meta.dirname, 'rest-catalog');
const pomFile = join(definitionDir, 'pom.xml');
const launcherSources = [
  'LocalRestCatalog.java',
  'TableMaintenance.java',
  'ParquetRewriter.java',
].map((name) => join(definitionDir, name));

/** The class `java` runs: Iceberg's REST catalog server, one change at a time (see its source). */
export const REST_CATALOG_MAIN_CLASS = 'org.apache.iceberg.rest.LocalRestCatalog';

/**
 * Resolves Apache Iceberg's REST catalog server (the code behind the apache/iceberg-rest-fixture
 * image) and its runtime classpath from Maven Central into the cache, and compiles our launcher
 * against it, once per pom.xml and launcher source. Returns the Java classpath.
 */
export async function installRestCatalog(
  layout: LakehouseLayout,
  log: (line: string) => void,
): Promise<string> {
  const folder = await cachedBuild(
    layout,
    'rest-catalog',
    [pomFile, ...launcherSources],
    async (target) => {
      log('iceberg rest catalog: resolving its jars from Maven Central (first time only)');
      await copyMavenJars(pomFile, target, 'the Iceberg REST catalog server');
      await run(
        'javac',
        ['-d', join(target, 'classes'), '-cp', `${target}/*`, ...launcherSources],
        {
          purpose: 'compile the local REST catalog launcher (install a JDK 17+)',
        },
      );
    },
  );
  return `${folder}/*:${join(folder, 'classes')}`;
}
