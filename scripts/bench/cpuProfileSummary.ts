import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A V8 `.cpuprofile` (what `node --cpu-prof` writes), as far as it is read here. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileItem {
  readonly name: string;
  readonly selfMs: number;
  /** Share of the thread's sampled time, idle included. */
  readonly share: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Self time by function (`name file:line`). */
  readonly functions: readonly ProfileItem[];
  /** Self time by where the code lives: a package, a project file, node internals, GC, idle. */
  readonly areas: readonly ProfileItem[];
}

/**
 * Self time of one JavaScript thread from a V8 CPU profile, by function and by area. DuckDB's
 * own threads are not in it: time the main thread spends inside a native call (an appender call,
 * a synchronous flush) counts as that call's self time.
 */
export async function cpuProfileSummary(
  path: string,
  root: string,
  top = 15,
): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let totalUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    const us = profile.timeDeltas[i] ?? 0;
    if (node === undefined) continue;
    totalUs += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = displayPath(url, root);
    const fn =
      file === ''
        ? functionName || '(anonymous)'
        : `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
    const area = areaOf(url, functionName, root);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const items = (map: Map<string, number>): ProfileItem[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: totalUs > 0 ? us / totalUs : 0 }));
  return { totalMs: totalUs / 1000, functions: items(functions), areas: items(areas) };
}

function displayPath(url: string, root: string): string {
  if (url === '') return '';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(root) ? relative(root, path) : path;
}

function areaOf(url: string, functionName: string, root: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const path = displayPath(url, root);
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg !== null) return pkg[1]!;
  return path;
}
