#!/usr/bin/env node
/**
 * `npm run bench`: the backfill job against the floor (list + GET every object, bytes discarded)
 * on the local lakehouse, at growing scale points, each measured side by side in one run. Writes
 * bench-results/bench-<time>.{json,md,svg} (and latest.*) and prints the table. Not part of
 * `npm test`; loopback traffic only; stops by itself at --timeout-minutes.
 */
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveLocalLakehouse } from '../job/localLakehouse.ts';
import { lakehouseStatus, lakehouseUp } from './lakehouse/lakehouseControl.ts';
import { resolveLayout } from './lakehouse/layout.ts';
import { benchChart } from './bench/benchChart.ts';
import { benchMachine } from './bench/benchMachine.ts';
import { parseBenchOptions } from './bench/benchOptions.ts';
import type { BenchResult, PointResult } from './bench/benchResult.ts';
import { benchTable } from './bench/benchTable.ts';
import { runScalePoint } from './bench/runScalePoint.ts';
import { MONTH_WINDOW, pointWindow } from './bench/benchWindow.ts';

const ROOT = resolve(import.meta.dirname, '..');

const log = (line: string): void => console.error(line);
const options = await parseBenchOptions(process.argv.slice(2));
const deadline = performance.now() + options.timeoutMinutes * 60_000;
const startedAt = new Date();
const runTag = startedAt.toISOString().replace(/[-:T]/g, '').slice(0, 14);
const outDir = resolve(ROOT, options.outDir);
const workRoot = join(tmpdir(), `openaq-bench-${runTag}`);

const layout = resolveLayout(process.env);
const lake = resolveLocalLakehouse(process.env);
await lakehouseUp(layout, lake, log);
const serverPids = (await lakehouseStatus(layout, lake)).flatMap((s) =>
  s.state === 'running' ? [s.pid] : [],
);

const points: PointResult[] = [];
let stopped: string | undefined;
try {
  const largest = options.points.at(-1);
  for (const point of options.points) {
    try {
      points.push(
        await runScalePoint(point, {
          root: ROOT,
          lake,
          seed: options.seed,
          window: pointWindow(point.files),
          history: options.history && point === largest,
          naive: point.files <= options.naiveMaxFiles,
          jobOptions: options.jobOptions,
          runTag,
          workRoot,
          ...(options.profile ? { profileDir: join(outDir, `profiles-${runTag}`) } : {}),
          keep: options.keep,
          deadline,
          serverPids,
          log,
        }),
      );
    } catch (err) {
      stopped = err instanceof Error ? err.message : String(err);
      log(stopped);
      break;
    }
  }
} finally {
  await rm(workRoot, { recursive: true, force: true });
}

const result: BenchResult = {
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  machine: benchMachine(),
  settings: {
    seed: options.seed,
    window: MONTH_WINDOW,
    jobOptions: options.jobOptions,
    profile: options.profile,
  },
  points,
  ...(stopped !== undefined ? { stopped } : {}),
};

await mkdir(outDir, { recursive: true });
const table = benchTable(result);
const base = join(outDir, `bench-${runTag}`);
await writeFile(`${base}.json`, JSON.stringify(result, null, 2) + '\n');
await writeFile(`${base}.md`, table);
await writeFile(`${base}.svg`, benchChart(result));
for (const ext of ['json', 'md', 'svg'])
  await copyFile(`${base}.${ext}`, join(outDir, `latest.${ext}`));
console.log(table);
log(`bench: wrote ${base}.{json,md,svg}`);
process.exitCode = stopped === undefined ? 0 : 1;
