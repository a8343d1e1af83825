import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  STACK_CONFIG_DEFAULTS,
  STACK_CONFIG_KEYS,
  resolveStackConfig,
} from '../../infra/stackConfig.ts';

const root = resolve(import.meta.dirname, '../..');

/** `key: value` pairs of a stack file's flat config (comments and nested values skipped). */
function stackFileConfig(file: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const line of readFileSync(resolve(root, file), 'utf8').split('\n')) {
    const match = /^ {2}([\w-]+:[\w-]+): (.+)$/.exec(line);
    if (match?.[1] && match[2]) entries[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return entries;
}

describe('Pulumi.dev.yaml', () => {
  const entries = stackFileConfig('Pulumi.dev.yaml');
  const ours = Object.entries(entries).filter(([key]) => key.startsWith('openaq-lakehouse:'));

  it('sets the region, and only keys the program reads', () => {
    expect(entries['aws:region']).toBe('us-east-1');
    expect(ours.length).toBeGreaterThan(10);
    for (const [key] of ours) expect(STACK_CONFIG_KEYS).toContain(key.split(':')[1]);
  });

  it('documents the defaults, and they are valid', () => {
    const values = Object.fromEntries(ours.map(([key, value]) => [key.split(':')[1]!, value]));
    const defaults = STACK_CONFIG_DEFAULTS as Record<string, string | number | boolean>;
    for (const [key, value] of Object.entries(values)) expect(value).toBe(String(defaults[key]));
    expect(() => resolveStackConfig((key) => values[key])).not.toThrow();
  });
});
