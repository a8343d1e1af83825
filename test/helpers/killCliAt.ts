import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './backfillHarness.ts';
import { cliArgv } from '../../job/model/nodeFlags.ts';

/**
 * Runs the real CLI as a child process (Node 24 from node_modules) and SIGKILLs it when a JSON log
 * line with the given message (and containing `field`) appears on stderr. Resolves with how the
 * process ended.
 */
export async function killCliAt(
  message: string,
  args: string[],
  field = '',
): Promise<{ killed: boolean; code: number | null; log: string }> {
  const node = join(REPO_ROOT, 'node_modules', '.bin', 'node');
  const child = spawn(node, [...cliArgv(REPO_ROOT), ...args, '--log-level', 'debug'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let killed = false;
  let buffered = '';
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    log += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    const matches = (line: string) => line.includes(`"msg":"${message}"`) && line.includes(field);
    if (!killed && lines.some(matches)) {
      killed = child.kill('SIGKILL');
    }
  });
  const code = await new Promise<number | null>((done) =>
    child.once('exit', (exitCode) => done(exitCode)),
  );
  return { killed, code, log: log.slice(-3000) };
}
