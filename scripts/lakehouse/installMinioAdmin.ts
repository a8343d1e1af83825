import { join } from 'node:path';
import { cachedBuild } from './cachedBuild.ts';
import type { LakehouseLayout } from './layout.ts';
import { run } from './run.ts';

const SOURCE_DIR = join(import.meta.dirname, 'minio-admin');

/**
 * Builds the small MinIO admin tool (scripts/lakehouse/minio-admin, on MinIO's own madmin-go) once
 * per source: it gives the job a MinIO user of its own whose policy cannot delete objects.
 */
export async function installMinioAdmin(
  layout: LakehouseLayout,
  log: (line: string) => void,
): Promise<string> {
  const folder = await cachedBuild(
    layout,
    'minio-admin',
    ['main.go', 'go.mod', 'go.sum'].map((file) => join(SOURCE_DIR, file)),
    async (target) => {
      log('minio-admin: building the job-user tool with go build (first time only)');
      await run('go', ['build', '-o', join(target, 'minio-admin'), '.'], {
        cwd: SOURCE_DIR,
        env: { GOTOOLCHAIN: 'auto', CGO_ENABLED: '0' },
        purpose: 'build the MinIO admin tool (install Go 1.24 or newer from https://go.dev/dl)',
      });
    },
  );
  return join(folder, 'minio-admin');
}
