import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { LakehouseLayout } from './layout.ts';

/** A long-running local service the lakehouse script starts, health-checks and stops. */
export interface ServiceSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly host: string;
  readonly port: number;
  /** The environment variable that moves this service to another port, for the error message. */
  readonly portVariable: string;
  /** Answers 2xx once the service is ready. */
  readonly healthUrl: string;
  readonly startTimeoutMs: number;
}

interface PidFile {
  readonly pid: number;
  readonly command: string;
  readonly port: number;
}

export type ServiceState =
  | {
      readonly name: string;
      readonly state: 'running';
      readonly pid: number;
      readonly healthy: boolean;
    }
  | { readonly name: string; readonly state: 'stopped' };

const pidPath = (layout: LakehouseLayout, name: string): string =>
  join(layout.runDir, `${name}.json`);
export const logPath = (layout: LakehouseLayout, name: string): string =>
  join(layout.logsDir, `${name}.log`);

/**
 * Starts the service unless this checkout's lakehouse already runs it, then waits until its health
 * check answers. Returns whether it was started now.
 */
export async function startService(layout: LakehouseLayout, spec: ServiceSpec): Promise<boolean> {
  const running = await ownedProcess(layout, spec.name);
  if (running) {
    await waitUntilHealthy(layout, spec, () => isAlive(running.pid));
    return false;
  }
  await assertPortFree(spec);
  await mkdir(layout.runDir, { recursive: true });
  await mkdir(layout.logsDir, { recursive: true });
  const log = openSync(logPath(layout, spec.name), 'a');
  let exited = false;
  try {
    const child = spawn(spec.command, spec.args, {
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', log, log],
      detached: true,
    });
    child.once('exit', () => (exited = true));
    const pid = await new Promise<number>((started, failed) => {
      child.once('spawn', () => started(child.pid ?? -1));
      child.once('error', (err) =>
        failed(new Error(`lakehouse: cannot start ${spec.name} (${spec.command}): ${err.message}`)),
      );
    });
    child.unref();
    const record: PidFile = { pid, command: spec.command, port: spec.port };
    await writeFile(pidPath(layout, spec.name), JSON.stringify(record));
  } finally {
    closeSync(log);
  }
  await waitUntilHealthy(layout, spec, () => !exited);
  return true;
}

/** Stops the service if this checkout started it; never touches a process it did not start. */
export async function stopService(layout: LakehouseLayout, name: string): Promise<boolean> {
  const owned = await ownedProcess(layout, name);
  await rm(pidPath(layout, name), { force: true });
  if (!owned) return false;
  signalGroup(owned.pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (isAlive(owned.pid) && Date.now() < deadline) await delay(100);
  if (isAlive(owned.pid)) signalGroup(owned.pid, 'SIGKILL');
  return true;
}

export async function serviceState(
  layout: LakehouseLayout,
  spec: ServiceSpec,
): Promise<ServiceState> {
  const owned = await ownedProcess(layout, spec.name);
  if (!owned) return { name: spec.name, state: 'stopped' };
  return {
    name: spec.name,
    state: 'running',
    pid: owned.pid,
    healthy: await isHealthy(spec.healthUrl),
  };
}

async function ownedProcess(layout: LakehouseLayout, name: string): Promise<PidFile | undefined> {
  const path = pidPath(layout, name);
  if (!existsSync(path)) return undefined;
  let record: PidFile;
  try {
    record = JSON.parse(await readFile(path, 'utf8')) as PidFile;
  } catch {
    return undefined;
  }
  // A pid can be reused by an unrelated process after a reboot: only a process still running our
  // own command counts as ours.
  if (!isAlive(record.pid) || !commandLine(record.pid).includes(record.command)) return undefined;
  return record;
}

async function waitUntilHealthy(
  layout: LakehouseLayout,
  spec: ServiceSpec,
  alive: () => boolean,
): Promise<void> {
  const deadline = Date.now() + spec.startTimeoutMs;
  while (Date.now() < deadline) {
    if (await isHealthy(spec.healthUrl)) return;
    if (!alive()) {
      throw new Error(
        `lakehouse: ${spec.name} exited during start-up; its log (${logPath(layout, spec.name)}) ends with:\n${logTail(layout, spec.name)}`,
      );
    }
    await delay(150);
  }
  throw new Error(
    `lakehouse: ${spec.name} did not become healthy at ${spec.healthUrl} within ${spec.startTimeoutMs / 1000}s; ` +
      `see ${logPath(layout, spec.name)}:\n${logTail(layout, spec.name)}`,
  );
}

async function isHealthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

async function assertPortFree(spec: ServiceSpec): Promise<void> {
  const server = createServer();
  await new Promise<void>((free, taken) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      taken(
        err.code === 'EADDRINUSE'
          ? new Error(
              `lakehouse: port ${spec.port} on ${spec.host}, needed by ${spec.name}, is already in use by another process; ` +
                `stop that process or pick a free port with ${spec.portVariable}=<port>`,
            )
          : err,
      ),
    );
    server.listen(spec.port, spec.host, () => server.close(() => free()));
  });
}

function logTail(layout: LakehouseLayout, name: string): string {
  try {
    return readFileSync(logPath(layout, name), 'utf8').split('\n').slice(-25).join('\n');
  } catch {
    return '(no log)';
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

const delay = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
