import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../job/cli.ts';
import type { Terminal } from '../../job/commands/commandContext.ts';

/** Runs the CLI in-process on commands that fail in config, before any I/O. */
async function run(argv: string[], vars: Record<string, string>) {
  for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const terminal = { stdout, stderr, stdin: new PassThrough() } as unknown as Terminal;
  const code = await main(argv, process.env, terminal);
  return { code, stderr: err };
}

afterEach(() => vi.unstubAllEnvs());

describe('the environment', () => {
  it('ignores OPENAQ_* variables that are not the job’s (OPENAQ_API_KEY of the OpenAQ API)', async () => {
    const result = await run(['backfill', '--from', '2024-01-02', '--to', '2024-01-01'], {
      OPENAQ_API_KEY: 'abc',
      OPENAQ_LAKEHOUSE_DIR: '/tmp/x',
    });
    expect(result.stderr).not.toContain('Unknown argument');
    expect(result).toEqual({
      code: 2,
      stderr: 'config: Expected `--from` (2024-01-02) to be on or before `--to` (2024-01-01)\n',
    });
  });

  it('reads the running command’s own options from OPENAQ_* variables; a flag wins', async () => {
    const fromEnv = await run(['backfill', '--to', '2024-01-01'], { OPENAQ_FROM: '2024-01-02' });
    expect(fromEnv.stderr).toBe(
      'config: Expected `--from` (2024-01-02) to be on or before `--to` (2024-01-01)\n',
    );
    const flagWins = await run(['query', '--catalog-uri', 'nope'], {
      OPENAQ_CATALOG_URI: 'also-nope',
    });
    expect(flagWins.stderr).toBe(
      'config: Expected `--catalog-uri` to be an http(s) URL, got `nope`\n',
    );
    const defaultOverridden = await run(['query', '--catalog-uri', 'http://x'], {
      OPENAQ_NAMESPACE: 'Bad-Name',
    });
    expect(defaultOverridden.stderr).toContain('Expected `--namespace` to be a lower-case name');
  });

  it('ignores another command’s options in the environment', async () => {
    const result = await run(['query', '--catalog-uri', 'nope'], {
      OPENAQ_CONCURRENCY: '8',
      OPENAQ_LOOKBACK_DAYS: '3',
    });
    expect(result).toEqual({
      code: 2,
      stderr: 'config: Expected `--catalog-uri` to be an http(s) URL, got `nope`\n',
    });
  });

  it('names the variable when its value has the wrong type', async () => {
    const result = await run(['backfill', '--from', '2024-01-01', '--to', '2024-01-01'], {
      OPENAQ_CONCURRENCY: 'many',
    });
    expect(result).toEqual({
      code: 2,
      stderr: 'config: Expected `OPENAQ_CONCURRENCY` to be a number, got `many`\n',
    });
  });
});
