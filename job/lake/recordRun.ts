import { DuckDBDateValue, DuckDBTimestampTZValue } from '@duckdb/node-api';
import type { RunSummary } from '../runSummary.ts';
import { RUNS } from '../tables.ts';
import type { LakeSession } from './lakeSession.ts';
import { qualifiedName } from './tableDdl.ts';

const micros = (date: Date): DuckDBTimestampTZValue =>
  new DuckDBTimestampTZValue(BigInt(date.getTime()) * 1000n);
const days = (day: string): DuckDBDateValue =>
  new DuckDBDateValue(Math.round(Date.parse(`${day}T00:00:00Z`) / 86_400_000));

/** Appends the run's record to the runs table (its own small commit, after the data commits). */
export async function recordRun(
  session: LakeSession,
  namespace: string,
  run: { command: string; startedAt: Date; summary: RunSummary; error?: string },
): Promise<void> {
  const { summary } = run;
  await session.connection.run(
    `INSERT INTO ${qualifiedName(session.catalog, namespace, RUNS.name)} VALUES
     ($run_id, $command, $started_at, $finished_at, $from, $to, $exit_code, $listed, $fetched, $rejected_files,
      $rows, $replaced, $rejected_rows, $commits, $error, $summary)`,
    {
      run_id: summary.runId,
      command: run.command,
      started_at: micros(run.startedAt),
      finished_at: micros(new Date()),
      from: days(summary.window.from),
      to: days(summary.window.to),
      exit_code: summary.exitCode,
      listed: BigInt(summary.filesListed),
      fetched: BigInt(summary.filesFetched),
      rejected_files: BigInt(summary.filesRejected),
      rows: BigInt(summary.rowsCommitted),
      replaced: BigInt(summary.rowsReplaced),
      rejected_rows: BigInt(summary.rowsRejected),
      commits: summary.commits,
      error: run.error ?? null,
      summary: JSON.stringify(summary),
    },
  );
}
