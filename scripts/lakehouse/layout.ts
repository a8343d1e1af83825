import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { localExtensionDir, localLakehouseDir } from '../../job/localLakehouse.ts';

/** Where the local lakehouse keeps things: a per-checkout work folder and a per-user cache. */
export interface LakehouseLayout {
  /** The repository root. */
  readonly repoRoot: string;
  /** `<repo>/.lakehouse` (or OPENAQ_LAKEHOUSE_DIR): data, logs and pid files of this checkout's lakehouse (git-ignored). */
  readonly workDir: string;
  readonly dataDir: string;
  readonly logsDir: string;
  readonly runDir: string;
  /** DuckDB extension directory the job loads from (`<dir>/v1.5.5/<platform>/<name>.duckdb_extension`). */
  readonly extensionDir: string;
  /**
   * Slow-to-build things shared by every checkout and later CI runs: the MinIO binary, the REST
   * catalog's jars, PyIceberg's virtualenv, extension wheels. Removing it only costs a rebuild.
   */
  readonly cacheDir: string;
}

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

export function resolveLayout(env: Readonly<Record<string, string | undefined>>): LakehouseLayout {
  const workDir = localLakehouseDir(env, REPO_ROOT);
  const cacheHome = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return {
    repoRoot: REPO_ROOT,
    workDir,
    dataDir: join(workDir, 'data'),
    logsDir: join(workDir, 'logs'),
    runDir: join(workDir, 'run'),
    extensionDir: localExtensionDir(workDir),
    cacheDir: resolve(env.OPENAQ_LAKEHOUSE_CACHE || join(cacheHome, 'openaq-lakehouse')),
  };
}
