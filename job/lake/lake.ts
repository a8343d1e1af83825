import type { ArchiveDay } from '../model/archiveDay.ts';
import type { PackedRows } from '../model/packedRows.ts';
import type { RowReject } from '../model/measurement.ts';
import type { RunSummary } from '../model/runSummary.ts';
import type { ChunkCommitResult } from './commitChunk.ts';
import type { ChunkCommitRequest } from './commit/chunkTables.ts';
import type { EnsureTablesResult } from './ensureTables.ts';
import type { FilesLedger } from './lakeLedger.ts';
import type { StagedFile } from './stagingArea.ts';

/**
 * What the backfill asks of the lake, as the source side's ArchiveStore is what it asks of the
 * archive: the DuckDB and Iceberg implementation is withDuckDBLake; tests of the orchestration
 * can hand in a fake (BackfillDependencies.openLake).
 */
export interface Lake {
  /** Creates or evolves the job's tables in `namespace` (see ensureTables). */
  ensureTables(namespace: string): Promise<EnsureTablesResult>;
  /**
   * The files ledger of a piece's days and stations: key → ETag. A dry run did not ensure the
   * tables: a missing ledger then means nothing is loaded yet.
   */
  readPieceLedger(namespace: string, piece: LedgerPiece, dryRun: boolean): Promise<FilesLedger>;
  /** A staging area in `file` on local disk (see StagingArea), committed through itself. */
  openStaging(file: string, name: string): Promise<LakeStaging>;
  /** Appends the run's record to the runs table. */
  recordRun(namespace: string, run: RunRecord): Promise<void>;
  /** Fetches the credentials again (see LakeSession.refreshCredentials). */
  refreshCredentials(): Promise<void>;
}

/** The days and stations (all when absent) of a piece. */
export interface LedgerPiece {
  readonly from: ArchiveDay;
  readonly to: ArchiveDay;
  readonly stations?: readonly number[];
}

export interface RunRecord {
  readonly command: string;
  readonly startedAt: Date;
  readonly summary: RunSummary;
  readonly error?: string;
}

/** One chunk's files and rows, staged until its commit. */
export interface LakeStaging {
  readonly stagedRows: number;
  addParsedFile(file: StagedFile, rows: PackedRows, rejects: readonly RowReject[]): void;
  addRejectedFile(file: StagedFile, reason: string, rawText: string): void;
  /** Writes out what the appenders hold, so that a commit sees every staged row. */
  flush(): void;
  /** Commits what is staged (see commitChunk). */
  commit(
    request: Omit<ChunkCommitRequest, 'staging'>,
    onStep: (table: string) => void,
  ): Promise<ChunkCommitResult>;
  /** Unstages these files (another run loaded them meanwhile). */
  dropFiles(keys: readonly string[]): Promise<void>;
  /** Empties the staging area for the next chunk. */
  clear(): Promise<void>;
  close(): Promise<void>;
}
