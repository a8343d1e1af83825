import { describe, expect, it } from 'vitest';
import {
  containerResourceOptions,
  tableResourceOptions,
} from '../../infra/tableResourceOptions.ts';

describe('tableResourceOptions', () => {
  it('protects tables when asked and never lets the schema in code replace one', () => {
    expect(tableResourceOptions(true)).toEqual({
      protect: true,
      ignoreChanges: ['metadata', 'encryptionConfiguration'],
    });
    expect(tableResourceOptions(false).ignoreChanges).toEqual([
      'metadata',
      'encryptionConfiguration',
    ]);
    expect(tableResourceOptions(false).protect).toBe(false);
  });

  it('never retains on delete, so a deliberate destroy leaves nothing behind', () => {
    expect(tableResourceOptions(true)).not.toHaveProperty('retainOnDelete');
    expect(containerResourceOptions(true)).toEqual({ protect: true });
  });
});
