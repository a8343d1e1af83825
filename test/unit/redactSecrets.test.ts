import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../job/cli.ts';
import type { Terminal } from '../../job/commands/commandContext.ts';
import { describeTarget } from '../../job/lake/catalogTarget.ts';
import { classify } from '../../job/lakehouseError.ts';
import { redactSecrets } from '../../job/redactSecrets.ts';

const storage = {
  endpoint: '127.0.0.1:9000',
  useSsl: false,
  urlStyle: 'path' as const,
  region: 'us-east-1',
  accessKeyId: 'admin',
  secretAccessKey: 'password',
};

describe('redactSecrets', () => {
  it('replaces the userinfo of URLs and the values of secret-looking parameters', () => {
    expect(redactSecrets('attach http://alice:s3cr3t@catalog.example:8181/v1 now')).toBe(
      'attach http://***@catalog.example:8181/v1 now',
    );
    expect(redactSecrets('https://token@host/x?X-Amz-Signature=abc&region=eu&password=p')).toBe(
      'https://***@host/x?X-Amz-Signature=***&region=eu&password=***',
    );
    expect(redactSecrets('Iceberg REST catalog http://127.0.0.1:8181')).toBe(
      'Iceberg REST catalog http://127.0.0.1:8181',
    );
  });

  it('leaves no password in a target description, an error or the CLI’s messages', async () => {
    const target = {
      kind: 'rest' as const,
      endpoint: 'http://alice:s3cr3t@catalog.example:8181',
      warehouse: '',
      storage,
    };
    expect(describeTarget(target)).toBe(
      'Iceberg REST catalog http://***@catalog.example:8181 (storage 127.0.0.1:9000)',
    );
    const error = classify(
      new Error(
        'IO Error: Could not connect to http://alice:s3cr3t@catalog.example:8181/v1/config',
      ),
      `attach ${describeTarget(target)}`,
    );
    expect(error.message).not.toContain('s3cr3t');

    let stderr = '';
    const err = new PassThrough().on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const terminal = { stdout: new PassThrough(), stderr: err, stdin: new PassThrough() };
    const code = await main(
      ['query', '--catalog-uri', 'ftp://alice:s3cr3t@catalog.example'],
      {},
      terminal as unknown as Terminal,
    );
    expect(code).toBe(2);
    expect(stderr).toBe(
      'config: Expected `--catalog-uri` to be an http(s) URL, got `ftp://***@catalog.example`\n',
    );
  });
});
