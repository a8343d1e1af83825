import type { BackfillConfig } from '../../job/config.ts';
import type { LocalLakehouse } from '../../job/localLakehouse.ts';
import { dropLocalNamespace } from '../lakehouse/dropLocalNamespace.ts';

/** Drops a bench namespace's tables and the namespace, then deletes its files from the warehouse. */
export const dropBenchNamespace = (
  config: BackfillConfig,
  lake: LocalLakehouse,
  namespace: string,
): Promise<void> => dropLocalNamespace(config.duckdb, config.target, lake, namespace);
