import { MEASUREMENTS, REJECTS, RUNS, TABLES } from '../tables.ts';
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
  /** Rows per reading day (UTC) over the last 14 days of data, oldest first. */
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
  const has = (name: string): boolean => existing.has(name);
  const m = qualifiedName(session.catalog, namespace, MEASUREMENTS.name);
  return {
    tables,
    lastRun: has(RUNS.name)
      ? await lastRun(session, qualifiedName(session.catalog, namespace, RUNS.name))
      : null,
    latestArchiveDay: has(MEASUREMENTS.name)
      ? ((await one(
          session,
          `SELECT strftime(strptime(max(regexp_extract(source_key, '(\\d{8})\\.csv\\.gz$', 1)), '%Y%m%d'), '%Y-%m-%d') FROM ${m}`,
        )) as string | null)
      : null,
    latestReading: has(MEASUREMENTS.name)
      ? ((await one(
          session,
          `SELECT strftime(max(datetime) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') FROM ${m}`,
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
    rowsPerDay: has(MEASUREMENTS.name) ? await rowsPerDay(session, m) : [],
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
  measurements: string,
): Promise<{ day: string; rows: number }[]> {
  const reader = await session.connection.runAndReadAll(
    `WITH latest AS (SELECT max(datetime) AS t FROM ${measurements})
     SELECT strftime(CAST(datetime AT TIME ZONE 'UTC' AS DATE), '%Y-%m-%d') AS day, count(*)::BIGINT
     FROM ${measurements}, latest WHERE datetime > latest.t - INTERVAL 14 DAY GROUP BY day ORDER BY day`,
  );
  return (reader.getRows() as [string, bigint][]).map(([day, rows]) => ({
    day,
    rows: Number(rows),
  }));
}
