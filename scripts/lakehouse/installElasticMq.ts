import { join } from 'node:path';
import { cachedBuild } from './cachedBuild.ts';
import type { LakehouseLayout } from './layout.ts';
import { copyMavenJars } from './copyMavenJars.ts';

const pomFile = join(import.meta.dirname, 'elasticmq', 'pom.xml');

/** The class `java` runs: ElasticMQ's stand-alone server. */
export const ELASTICMQ_MAIN_CLASS = 'org.elasticmq.server.Main';

/**
 * Resolves ElasticMQ (an SQS-compatible server) and its runtime classpath from Maven Central into
 * the cache, once per pom.xml. Returns the Java classpath.
 */
export async function installElasticMq(
  layout: LakehouseLayout,
  log: (line: string) => void,
): Promise<string> {
  const folder = await cachedBuild(layout, 'elasticmq', pomFile, async (target) => {
    log('elasticmq: resolving its jars from Maven Central (first time only)');
    await copyMavenJars(pomFile, target, 'the ElasticMQ queue server');
  });
  return `${folder}/*`;
}
