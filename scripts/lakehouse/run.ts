import { spawn } from 'node:child_process';

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** What the command is for, used in the error when it fails. */
  readonly purpose: string;
}

/** Runs a command to completion, capturing its output; rejects with the output's tail on failure. */
export async function run(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<string> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exitCode = await new Promise<number | null>((done, fail) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      fail(
        err.code === 'ENOENT'
          ? new Error(
              `lakehouse: \`${command}\` is not installed; it is needed to ${options.purpose}`,
            )
          : err,
      ),
    );
    child.once('close', done);
  });
  if (exitCode !== 0) {
    throw new Error(
      `lakehouse: failed to ${options.purpose}: \`${command} ${args.join(' ')}\` exited with ${exitCode}\n${output.slice(-4000)}`,
    );
  }
  return output;
}
