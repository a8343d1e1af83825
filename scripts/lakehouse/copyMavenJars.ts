import { run } from './run.ts';

/**
 * Resolves a pom.xml's runtime dependencies from Maven Central into `target` (the jars a `java -cp`
 * needs). `what` names the server in the error a missing Maven or JDK gives.
 */
export async function copyMavenJars(pomFile: string, target: string, what: string): Promise<void> {
  await run(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      pomFile,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${target}`,
      '-DincludeScope=runtime',
    ],
    { purpose: `download ${what} with Maven (install Maven 3 and a JDK 17+)` },
  );
}
