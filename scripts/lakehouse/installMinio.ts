import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LakehouseLayout } from './layout.ts';
import { run } from './run.ts';

/** MinIO's source is published as a Go module; this is the commit we build and test against. */
export const MINIO_MODULE = 'github.com/minio/minio';
export const MINIO_VERSION = 'v0.0.0-20260212201848-7aac2a2c5b7c';

export const minioBinary = (layout: LakehouseLayout): string =>
  join(layout.cacheDir, 'minio', MINIO_VERSION, 'minio');

/** Builds MinIO with `go install` once per version into the cache (about 3 minutes cold). */
export async function installMinio(
  layout: LakehouseLayout,
  log: (line: string) => void,
): Promise<string> {
  const binary = minioBinary(layout);
  if (existsSync(binary)) return binary;
  log(`minio: building ${MINIO_MODULE}@${MINIO_VERSION} with go install (first time only)`);
  await mkdir(join(layout.cacheDir, 'minio'), { recursive: true });
  const buildDir = await mkdtemp(join(layout.cacheDir, 'minio', 'build-'));
  try {
    // GOTOOLCHAIN=auto lets an older local Go fetch the toolchain MinIO's go.mod asks for.
    await run('go', ['install', `${MINIO_MODULE}@${MINIO_VERSION}`], {
      env: { GOBIN: buildDir, GOTOOLCHAIN: 'auto', CGO_ENABLED: '0' },
      purpose: 'build MinIO (install Go 1.24 or newer from https://go.dev/dl)',
    });
    await mkdir(join(layout.cacheDir, 'minio', MINIO_VERSION), { recursive: true });
    await rename(join(buildDir, 'minio'), binary);
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }
  return binary;
}
