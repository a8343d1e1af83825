import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { WARNINGS_LOGGED_PER_KIND, WarningDigest } from '../../job/output/warningDigest.ts';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

describe('WarningDigest', () => {
  it('logs the first few per-file warnings of each kind, counts the rest, and sums them up once', () => {
    const { logger, lines } = capturingLogger();
    const digest = new WarningDigest(logger);
    const log = digest.logger;
    for (let i = 0; i < 1000; i++)
      log.warn({ key: `k${i}`, reason: 'not a gzip file' }, 'file rejected');
    log.warn({ key: 'gone-1' }, 'listed file is gone (404); counted as missing');
    log.warn(
      { count: 3, examples: ['x'] },
      'keys that do not match the archive layout were ignored',
    );
    log.info({ files: 1000 }, 'listed window');
    expect(digest.counts()).toEqual({
      'file rejected': 1000,
      'listed file is gone (404); counted as missing': 1,
    });
    digest.flush();

    expect(lines.map((line) => line.msg)).toEqual([
      ...Array<string>(WARNINGS_LOGGED_PER_KIND).fill('file rejected'),
      'listed file is gone (404); counted as missing',
      'keys that do not match the archive layout were ignored',
      'listed window',
      'file rejected: 1000 files in this run (the first 5 logged one by one)',
    ]);
    expect(lines.at(-1)).toMatchObject({
      level: 40,
      files: 1000,
      firstKeys: ['k0', 'k1', 'k2', 'k3', 'k4'],
    });
    expect(lines[0]).toMatchObject({ key: 'k0', reason: 'not a gzip file' });
  });

  it('keeps the wrapped logger’s other methods and level', () => {
    const { logger, lines } = capturingLogger();
    const log = new WarningDigest(logger).logger;
    expect(log.level).toBe('info');
    log.debug('not shown');
    log.child({ runId: 'r' }).error('failed');
    expect(lines).toEqual([expect.objectContaining({ runId: 'r', msg: 'failed' })]);
  });
});
