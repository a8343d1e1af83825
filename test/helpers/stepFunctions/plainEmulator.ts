import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { s3TablesEmulatorLauncher } from '../../../scripts/lakehouse/installS3TablesEmulator.ts';

/** The AWS emulator on a loopback port, over plain HTTP, without IAM: for AWS API calls only. */
export interface PlainEmulator {
  readonly endpoint: string;
  /** Stops the emulator (and waits for it to exit). */
  readonly stop: () => Promise<void>;
}

const READY_WITHIN_MS = 60_000;

/**
 * Starts ministack (the S3 Tables emulator's launcher, with `python` from
 * installS3TablesEmulator) on a free loopback port and waits for its health check. Unlike the
 * production-path tests, no network namespace: nothing here resolves AWS host names. Step
 * Functions' waits run at full length: ministack's SFN_WAIT_SCALE also shortens how long its
 * `runTask.sync` waits for a task (600 polls of a scaled second), so a scaled-down wait fails
 * slow tasks with States.Timeout.
 */
export async function startPlainEmulator(python: string): Promise<PlainEmulator> {
  const port = await freePort();
  const child = spawn(python, [s3TablesEmulatorLauncher], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GATEWAY_PORT: String(port),
      LOG_LEVEL: 'WARNING',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    log = (log + chunk).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`emulator: ministack exited with ${child.exitCode} at start:\n${log}`);
    }
    const healthy = await fetch(`${endpoint}/_ministack/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) return { endpoint, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`emulator: ministack not healthy at ${endpoint} after 60 s:\n${log}`);
    }
    await sleep(200);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('emulator: no free port');
  return address.port;
}
