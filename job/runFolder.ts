import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** Who owns a run folder: written first thing, read by the runs that start later. */
export interface RunFolderOwner {
  readonly pid: number;
  /** The process's start time in clock ticks since boot (/proc/<pid>/stat), so a reused pid is not taken for the owner. */
  readonly startTicks: string | null;
  readonly host: string;
}

const OWNER_FILE = 'owner.json';
/** A folder without an owner file this old is debris (a claim writes its owner file at once). */
const OWNERLESS_MAX_AGE_MS = 24 * 3_600_000;

/**
 * Gives the run its own folder (`<workDir>/runs/<runId>`, holding staging and DuckDB's spill files)
 * for the duration of `fn`, and removes it afterwards. First it removes the folders of runs whose
 * process is gone (killed, crashed): only those, so two runs on one host never touch each other's
 * files.
 */
export async function withRunFolder<T>(runDir: string, fn: () => Promise<T>): Promise<T> {
  await claimRunFolder(runDir);
  try {
    await removeDeadRunFolders(dirname(runDir), basename(runDir));
    return await fn();
  } finally {
    await rm(runDir, { recursive: true, force: true });
  }
}

/** Creates the folder and records this process as its owner (atomically: written, then renamed). */
export async function claimRunFolder(runDir: string): Promise<void> {
  await mkdir(runDir, { recursive: true });
  const owner: RunFolderOwner = {
    pid: process.pid,
    startTicks: await processStartTicks(process.pid),
    host: hostname(),
  };
  const temporary = join(runDir, `${OWNER_FILE}.tmp`);
  await writeFile(temporary, JSON.stringify(owner));
  await rename(temporary, join(runDir, OWNER_FILE));
}

/**
 * Removes the run folders under `runsDir` whose owner process is gone; returns their names. A
 * folder of another host (a shared work dir) or of a live process is kept, and so is a folder
 * without an owner file unless it is a day old.
 */
export async function removeDeadRunFolders(runsDir: string, keep: string): Promise<string[]> {
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = await readdir(runsDir);
  } catch {
    return removed;
  }
  for (const name of entries) {
    if (name === keep) continue;
    const folder = join(runsDir, name);
    if (await isDead(folder)) {
      await rm(folder, { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}

async function isDead(folder: string): Promise<boolean> {
  let owner: Partial<RunFolderOwner>;
  try {
    owner = JSON.parse(await readFile(join(folder, OWNER_FILE), 'utf8')) as Partial<RunFolderOwner>;
  } catch {
    try {
      const info = await stat(folder);
      return info.isDirectory() && Date.now() - info.mtimeMs > OWNERLESS_MAX_AGE_MS;
    } catch {
      return false;
    }
  }
  if (owner.host !== hostname() || typeof owner.pid !== 'number') return false;
  return !(await isAlive(owner.pid, owner.startTicks ?? null));
}

async function isAlive(pid: number, startTicks: string | null): Promise<boolean> {
  // Recorded on Linux: the process is alive if /proc still shows it with the same start time.
  if (startTicks !== null) return (await processStartTicks(pid)) === startTicks;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 of /proc/<pid>/stat (start time since boot), or null where there is no /proc. */
export async function processStartTicks(pid: number): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null;
}
