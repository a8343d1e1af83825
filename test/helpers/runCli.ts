import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './backfillHarness.ts';
import { cliArgv } from '../../job/model/nodeFlags.ts';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `openaq-lakehouse` command (Node 24 from node_modules), off a terminal. */
export async function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<CliResult> {
  const node = join(REPO_ROOT, 'node_modules', '.bin', 'node');
  try {
    const { stdout, stderr } = await promisify(execFile)(node, [...cliArgv(REPO_ROOT), ...args], {
      cwd: REPO_ROOT,
      timeout: 180_000,
      env,
      maxBuffer: 32 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
