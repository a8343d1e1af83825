/**
 * `npm run demo`: the job on the embedded local lakehouse, from nothing. Starts MinIO and the
 * Iceberg REST catalog (installing them on first use), seeds the archive mirror with a month of
 * generated OpenAQ files, backfills it, then runs the same backfill again to show that nothing is
 * fetched or duplicated the second time.
 */
import { spawn } from 'node:child_process';
import { resolveLocalLakehouse } from '../job/localLakehouse.ts';
import { lakehouseUp } from './lakehouse/lakehouseControl.ts';
import { REPO_ROOT, resolveLayout } from './lakehouse/layout.ts';
import { seedMirror } from './lakehouse/seedMirror.ts';
import { cliArgv } from '../job/model/nodeFlags.ts';

const WINDOW = { from: '2024-03-01', to: '2024-03-31' };
const STATIONS = 200;

const say = (line: string): void => console.log(`\n== ${line}`);

/** Runs the real command, as a user would, and stops the demo if it fails. */
async function cli(args: string[]): Promise<void> {
  const code = await new Promise<number | null>((done) => {
    const child = spawn(process.execPath, [...cliArgv(REPO_ROOT), ...args], { stdio: 'inherit' });
    child.once('exit', done);
  });
  if (code !== 0) {
    console.error(`openaq-lakehouse ${args[0]} exited with ${code}`);
    process.exit(code ?? 1);
  }
}
const lake = resolveLocalLakehouse(process.env);

say('starting the local lakehouse (first run builds MinIO and fetches the catalog: a few minutes)');
await lakehouseUp(resolveLayout(process.env), lake, (line) => console.log(line));

say(`seeding s3://${lake.archiveBucket} with ${STATIONS} stations × ${WINDOW.from} … ${WINDOW.to}`);
const seeded = await seedMirror(
  lake,
  { ...WINDOW, stations: STATIONS, seed: 1, notify: false },
  (line) => console.log(line),
);
console.log(`${seeded.files} files, ${seeded.rows} rows, ${seeded.bytes} bytes`);

for (const pass of ['first run: loads the window', 'second run: same window, nothing new']) {
  say(`openaq-lakehouse backfill --from ${WINDOW.from} --to ${WINDOW.to}   (${pass})`);
  await cli(['backfill', '--from', WINDOW.from, '--to', WINDOW.to, '--log-level', 'warn']);
}

say('openaq-lakehouse query --report overview');
await cli(['query', '--report', 'overview']);
say('openaq-lakehouse query --report worst-pm25 --days 7 --limit 5');
await cli(['query', '--report', 'worst-pm25', '--days', '7', '--limit', '5']);

say(
  'done. The lakehouse keeps running: `npm run lakehouse -- down` stops it, `-- reset` deletes its data.',
);
