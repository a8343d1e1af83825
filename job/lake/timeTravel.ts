import { quotedIdentifier, quotedString } from '@duckdb/node-api';
import { ConfigError } from '../config.ts';
import type { LakeSession } from './lakeSession.ts';
import { qualifiedName } from './tableDdl.ts';

/** A point in a table's history: a snapshot id, or an instant. */
export type AsOf =
  | { readonly kind: 'snapshot'; readonly id: bigint }
  | { readonly kind: 'time'; readonly iso: string };

/** `YYYY-MM-DD`, optionally `THH:MM[:SS[.fff]]`, optionally `Z` or `±HH:MM`. */
const AS_OF_TIME =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:\d{2})?)?$/i;

/**
 * A snapshot id, or a time in ISO 8601. A time without an offset is read as UTC, never in the
 * host's time zone (so a command means the same on every machine).
 */
export function parseAsOf(value: string): AsOf {
  if (/^\d{6,20}$/.test(value)) return { kind: 'snapshot', id: BigInt(value) };
  const m = AS_OF_TIME.exec(value.trim());
  const ms = m ? Date.parse(`${m[1]}T${m[2] ?? '00:00'}${m[3] ?? 'Z'}`) : NaN;
  if (Number.isNaN(ms)) {
    throw new ConfigError(
      `Expected \`--as-of\` to be a snapshot id (see \`openaq-lakehouse snapshots\`) or a time like 2026-11-20T08:00:00Z (UTC unless it carries an offset), got \`${value}\``,
    );
  }
  return { kind: 'time', iso: new Date(ms).toISOString() };
}

export interface Snapshot {
  readonly table: string;
  readonly sequence: number;
  readonly snapshotId: string;
  readonly committedAt: string;
  readonly operation: string;
}

/** A table's snapshot history, oldest first. */
export async function tableSnapshots(
  session: LakeSession,
  namespace: string,
  table: string,
): Promise<Snapshot[]> {
  const reader = await session.connection.runAndReadAll(
    `SELECT sequence_number::BIGINT, snapshot_id::VARCHAR, strftime(timestamp_ms, '%Y-%m-%dT%H:%M:%S.%gZ'), operation
     FROM iceberg_snapshots(${qualifiedName(session.catalog, namespace, table)}) ORDER BY sequence_number`,
  );
  return (reader.getRows() as [bigint, string, string, string][]).map(
    ([sequence, snapshotId, committedAt, operation]) => ({
      table,
      sequence: Number(sequence),
      snapshotId,
      committedAt,
      operation,
    }),
  );
}

/**
 * Creates one temporary view per table, named like the table, so that plain SQL (`FROM
 * measurements`) reads the lake — as it is now, or as it was at `asOf`. A snapshot id belongs to
 * one table; the other tables are read as of that snapshot's commit time.
 */
export async function createTableViews(
  session: LakeSession,
  namespace: string,
  tables: readonly string[],
  asOf?: AsOf,
): Promise<void> {
  let at = '';
  let pinned: { table: string; clause: string } | undefined;
  if (asOf?.kind === 'time') at = ` AT (TIMESTAMP => TIMESTAMPTZ ${quotedString(asOf.iso)})`;
  if (asOf?.kind === 'snapshot') {
    const owner = await findSnapshot(session, namespace, tables, asOf.id);
    pinned = { table: owner.table, clause: ` AT (VERSION => ${asOf.id.toString()})` };
    at = ` AT (TIMESTAMP => TIMESTAMPTZ ${quotedString(owner.committedAt)})`;
  }
  for (const table of tables) {
    const clause = pinned?.table === table ? pinned.clause : at;
    await session.connection.run(
      `CREATE OR REPLACE TEMP VIEW ${quotedIdentifier(table)} AS SELECT * FROM ${qualifiedName(session.catalog, namespace, table)}${clause}`,
    );
  }
}

async function findSnapshot(
  session: LakeSession,
  namespace: string,
  tables: readonly string[],
  id: bigint,
): Promise<Snapshot> {
  for (const table of tables) {
    const found = (await tableSnapshots(session, namespace, table)).find(
      (s) => s.snapshotId === id.toString(),
    );
    if (found) return found;
  }
  throw new ConfigError(
    `Expected \`--as-of\` to name a snapshot of ${tables.join(', ')}, but ${id} is none of theirs`,
  );
}
