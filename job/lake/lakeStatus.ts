import { FILES, LOCATIONS, REJECTS, RUNS, TABLES } from '../tables.ts';
import { existingTables } from './existingTables.ts';
import type { LakeSession } from './lakeSession.ts';
import { qualifiedName } from './tableDdl.ts';
import { tableSnapshots } from './timeTravel.ts';

export interface TableStatus {
  readonly table: string;
  readonly exists: boolean;
  readonly rows: number;
  readonly snapshots: number;
  readonly lastCommit: string | null;
}

export interface LastRun {
  readonly runId: string;
  readonly command: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly window: string;
  readonly exitCode: number;
  readonly filesFetched: number;
  readonly rowsCommitted: number;
  readonly rowsRejected: number;
  readonly error: string | null;
}

export interface LakeStatus {
  readonly tables: TableStatus[];
  readonly lastRun: LastRun | null;
  /** Newest archive day with rows in measurements (the date in the file names). */
  readonly latestArchiveDay: string | null;
  readonly latestReading: string | null;
  readonly rejects: number;
  /** Rows loaded per archive day over the last 14 archive days loaded, oldest first. */
  readonly rowsPerDay: { day: string; rows: number }[];
}

export async function lakeStatus(session: LakeSession, namespace: string): Promise<LakeStatus> {
  const existing = await existingTables(session, namespace);
  const tables: TableStatus[] = [];
  for (const table of TABLES) {
    if (!existing.has(table.name)) {
      tables.push({ table: table.name, exists: false, rows: 0, snapshots: 0, lastCommit: null });
      continue;
    }
    const count = await one(
      session,
      `SELECT count(*)::BIGINT FROM ${qualifiedName(session.catalog, namespace, table.name)}`,
    );
    const snapshots = await tableSnapshots(session, namespace, table.name);
    tables.push({
      table: table.name,
      exists: true,
      rows: Number(count ?? 0),
      snapshots: snapshots.length,
      lastCommit: snapshots.at(-1)?.committedAt ?? null,
    });
  }
  // Everything below reads the small tables (the files ledger, locations, runs); the row counts
  // above come from Iceberg metadata. Nothing scans measurements.
  const has = (name: string): boolean => existing.has(name);
  const files = qualifiedName(session.catalog, namespace, FILES.name);
  return {
    tables,
    lastRun: has(RUNS.name)
      ? await lastRun(session, qualifiedName(session.catalog, namespace, RUNS.name))
      : null,
    latestArchiveDay: has(FILES.name)
      ? ((await one(
          session,
          `SELECT strftime(max(archive_day), '%Y-%m-%d') FROM ${files} WHERE rows_loaded > 0`,
        )) as string | null)
      : null,
    latestReading: has(LOCATIONS.name)
      ? ((await one(
          session,
          `SELECT strftime(max(last_seen) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') FROM ${qualifiedName(session.catalog, namespace, LOCATIONS.name)}`,
        )) as string | null)
      : null,
    rejects: has(REJECTS.name)
      ? Number(
          await one(
            session,
            `SELECT count(*)::BIGINT FROM ${qualifiedName(session.catalog, namespace, REJECTS.name)}`,
          ),
        )
      : 0,
    rowsPerDay: has(FILES.name) ? await rowsPerDay(session, files) : [],
  };
}

async function one(session: LakeSession, sql: string): Promise<unknown> {
  const reader = await session.connection.runAndReadAll(sql);
  return reader.getRows()[0]?.[0] ?? null;
}

async function lastRun(session: LakeSession, runs: string): Promise<LastRun | null> {
  const reader = await session.connection.runAndReadAll(
    `SELECT run_id, command, strftime(started_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ'), strftime(finished_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ'),
            strftime(window_from, '%Y-%m-%d') || ' … ' || strftime(window_to, '%Y-%m-%d'), exit_code, files_fetched, rows_committed, rows_rejected, error
     FROM ${runs} ORDER BY started_at DESC LIMIT 1`,
  );
  const row = reader.getRows()[0];
  if (!row) return null;
  const [
    runId,
    command,
    startedAt,
    finishedAt,
    window,
    exitCode,
    filesFetched,
    rowsCommitted,
    rowsRejected,
    error,
  ] = row as [
    string,
    string,
    string,
    string,
    string,
    number,
    bigint,
    bigint,
    bigint,
    string | null,
  ];
  return {
    runId,
    command,
    startedAt,
    finishedAt,
    window,
    exitCode,
    filesFetched: Number(filesFetched),
    rowsCommitted: Number(rowsCommitted),
    rowsRejected: Number(rowsRejected),
    error,
  };
}

async function rowsPerDay(
  session: LakeSession,
  files: string,
): Promise<{ day: string; rows: number }[]> {
  const reader = await session.connection.runAndReadAll(
    `WITH latest AS (SELECT max(archive_day) AS d FROM ${files})
     SELECT strftime(archive_day, '%Y-%m-%d') AS day, sum(rows_loaded)::BIGINT
     FROM ${files}, latest WHERE archive_day > latest.d - INTERVAL 14 DAY GROUP BY day ORDER BY day`,
  );
  return (reader.getRows() as [string, bigint][]).map(([day, rows]) => ({
    day,
    rows: Number(rows),
  }));
}
