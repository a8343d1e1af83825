import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { lakehouseDown } from '../../scripts/lakehouse/lakehouseControl.ts';
import { resolveLayout } from '../../scripts/lakehouse/layout.ts';
import { REPO_ROOT } from '../helpers/backfillHarness.ts';

/** The README's first command, `npm run demo`, from a clean state: its own lakehouse dir and ports. */
describe('npm run demo', () => {
  let env: NodeJS.ProcessEnv;

  afterAll(async () => {
    if (env) await lakehouseDown(resolveLayout(env));
  });

  it('starts a fresh lakehouse, loads a month, re-runs without fetching or duplicating, and prints reports', async () => {
    env = {
      ...process.env,
      OPENAQ_LAKEHOUSE_DIR: await mkdtemp(join(tmpdir(), 'demo-lakehouse-')),
      OPENAQ_LAKEHOUSE_S3_PORT: '19310',
      OPENAQ_LAKEHOUSE_CATALOG_PORT: '18391',
      OPENAQ_LAKEHOUSE_SQS_PORT: '19324',
      OPENAQ_WORK_DIR: await mkdtemp(join(tmpdir(), 'demo-work-')),
    };
    const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'demo'], {
      cwd: REPO_ROOT,
      env,
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const [first, second] = stdout.split('(second run: same window, nothing new)');
    const seeded = Number(/== seeding[\s\S]*?\n(\d+) files/.exec(stdout)?.[1]);
    expect(seeded).toBeGreaterThan(3000);
    expect(first).toMatch(new RegExp(`files listed\\s+${seeded.toLocaleString('en-US')}\\n`));
    expect(first).toMatch(/commits\s+1 of 1 planned/);
    const committed = /rows committed\s+([\d,]+)/.exec(first ?? '')?.[1];
    expect(Number(committed?.replaceAll(',', ''))).toBeGreaterThan(300_000);
    expect(second).toMatch(
      new RegExp(`unchanged \\(skipped\\)\\s+${seeded.toLocaleString('en-US')}\\n`),
    );
    expect(second).toMatch(/files fetched\s+0 \(0 bytes\)/);
    expect(second).toMatch(/rows committed\s+0\n/);
    // The overview report counts exactly the rows the first run committed: nothing duplicated.
    expect(second).toMatch(
      new RegExp(`\\n\\s*${committed?.replaceAll(',', '')}\\s+200\\s+\\d+\\s+${seeded}\\s`),
    );
    expect(second).toContain('mean_pm25');
  }, 600_000); // a fresh lakehouse, a month of files and two runs: well past the default timeout on a busy machine
});
