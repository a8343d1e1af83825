import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { BackfillOptions } from '../../job/config.ts';
import { REPO_ROOT } from './backfillHarness.ts';

/**
 * Runs a backfill in a child process (crashAtCommitStep.ts) that SIGKILLs itself right after the
 * named table commit of the named chunk; resolves with the signal that ended it and its stderr.
 */
export async function killAfterCommitStep(
  options: BackfillOptions,
  step: string,
  chunk: number,
): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
  const node = join(REPO_ROOT, 'node_modules', '.bin', 'node');
  const script = join(REPO_ROOT, 'test', 'helpers', 'crashAtCommitStep.ts');
  const child = spawn(node, [script, JSON.stringify(options), step, String(chunk)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((done) =>
    child.once('exit', (_code, killedBy) => done(killedBy)),
  );
  return { signal, stderr };
}
