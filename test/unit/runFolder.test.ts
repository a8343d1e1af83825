import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  claimRunFolder,
  processStartTicks,
  removeDeadRunFolders,
  withRunFolder,
} from '../../job/runFolder.ts';

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((done) => child.once('exit', done));
  return child.pid!;
}

describe('run folders', () => {
  it('removes the folders of dead runs only, and its own at the end', async () => {
    const runs = await mkdtemp(join(tmpdir(), 'run-folders-'));
    // A live run (this process) and a dead one.
    await claimRunFolder(join(runs, 'live'));
    await mkdir(join(runs, 'dead', 'spill'), { recursive: true });
    await writeFile(
      join(runs, 'dead', 'owner.json'),
      JSON.stringify({ pid: await deadPid(), startTicks: '1', host: hostname() }),
    );
    // The same pid as a live process but another start time: the pid was reused.
    await mkdir(join(runs, 'reused'));
    await writeFile(
      join(runs, 'reused', 'owner.json'),
      JSON.stringify({ pid: process.pid, startTicks: 'not-now', host: hostname() }),
    );
    // Another host's run (a shared work folder), and a folder being created (no owner file yet).
    await mkdir(join(runs, 'elsewhere'));
    await writeFile(
      join(runs, 'elsewhere', 'owner.json'),
      JSON.stringify({ pid: 1, startTicks: '1', host: `${hostname()}-other` }),
    );
    await mkdir(join(runs, 'starting'));

    const seen = await withRunFolder(join(runs, 'mine'), async () => (await readdir(runs)).sort());
    expect(seen).toEqual(['elsewhere', 'live', 'mine', 'starting']);
    expect((await readdir(runs)).sort()).toEqual(['elsewhere', 'live', 'starting']);
    expect(await removeDeadRunFolders(runs, 'none')).toEqual([]);
  });

  it('reads a process start time from /proc where there is one', async () => {
    const ticks = await processStartTicks(process.pid);
    if (process.platform === 'linux') expect(ticks).toMatch(/^\d+$/);
    else expect(ticks).toBeNull();
  });
});
