import { quotedIdentifier } from '@duckdb/node-api';
import type { ArchiveDay } from '../../model/archiveDay.ts';
import type { OnRetry } from '../../model/retryCounts.ts';
import { FILES, LOCATIONS, MEASUREMENTS, REJECTS } from '../../tables.ts';
import { dateValue } from '../duckdbTypes.ts';
import type { WindowRange } from '../lakeLedger.ts';
import type { LakeSession } from '../lakeSession.ts';
import { qualifiedName } from '../tableDdl.ts';

/** What a chunk commit is asked to do; every step reads it. */
export interface ChunkCommitRequest {
  readonly namespace: string;
  /** The alias the chunk's StagingArea is attached as. */
  readonly staging: string;
  readonly runId: string;
  /** The chunk's ingested_at (measurements), rejected_at (rejects) and committed_at (files). */
  readonly ingestedAt: Date;
  /** Bounds of the chunk's readings (see windowRange), for pruning. */
  readonly range: WindowRange;
  /** Told of each retry of the steps after the data commit. */
  readonly onRetry: OnRetry;
  /** The chunk's first and last archive day: bounds every lookup in the ledger and rejects. */
  readonly days: { readonly from: ArchiveDay; readonly to: ArchiveDay };
}

/** The tables a chunk commit reads and writes: the lake's, and the chunk's staging area's. */
export interface ChunkTables {
  readonly measurements: string;
  readonly rejects: string;
  readonly locations: string;
  readonly files: string;
  /** The chunk's staged files, rows and rejects (see StagingArea). */
  readonly stagedFiles: string;
  readonly stagedRows: string;
  readonly stagedRejects: string;
}

export const chunkTables = (session: LakeSession, request: ChunkCommitRequest): ChunkTables => ({
  measurements: qualifiedName(session.catalog, request.namespace, MEASUREMENTS.name),
  rejects: qualifiedName(session.catalog, request.namespace, REJECTS.name),
  locations: qualifiedName(session.catalog, request.namespace, LOCATIONS.name),
  files: qualifiedName(session.catalog, request.namespace, FILES.name),
  stagedFiles: `${quotedIdentifier(request.staging)}.stage_files`,
  stagedRows: `${quotedIdentifier(request.staging)}.stage_rows`,
  stagedRejects: `${quotedIdentifier(request.staging)}.stage_rejects`,
});

/** The chunk's first and last archive day, as query parameters. */
export const dayParameters = (request: ChunkCommitRequest) => ({
  from_day: dateValue(request.days.from),
  to_day: dateValue(request.days.to),
});
