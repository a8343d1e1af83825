/**
 * Resource options for what holds data (table bucket, namespace, tables).
 *
 * - `protect`: a replace or delete fails loudly instead of dropping data. The provider replaces a
 *   table when its schema in code changes (every `metadata` field forces a new table), and a new
 *   table is an empty one.
 * - `ignoreChanges: ['metadata', 'encryptionConfiguration']` (tables only): the schema in code is
 *   the schema a table is *created* with. After that the job evolves it through the catalog
 *   (`ALTER TABLE … ADD COLUMN`, the partition spec), which the provider never reads back.
 * - No `retainOnDelete`: once a stack sets `protectTables: false`, `pulumi destroy` really deletes,
 *   so tear-down leaves nothing behind.
 */
export interface DataResourceOptions {
  readonly protect: boolean;
  readonly ignoreChanges?: string[];
}

export function tableResourceOptions(protect: boolean): DataResourceOptions {
  return { protect, ignoreChanges: ['metadata', 'encryptionConfiguration'] };
}

export function containerResourceOptions(protect: boolean): DataResourceOptions {
  return { protect };
}
