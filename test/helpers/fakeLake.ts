import { LakehouseError } from '../../job/lakehouseError.ts';
import type { ChunkCommitResult } from '../../job/lake/commitChunk.ts';
import type { Lake, LakeStaging, RunRecord } from '../../job/lake/lake.ts';
import type { StagedFile } from '../../job/lake/stagingArea.ts';

/** What a FakeLake's commits do besides landing: failures and files another run loaded. */
export interface FakeLakeScript {
  /** The first n commits throw a retryable conflict before anything lands. */
  readonly conflicts?: number;
  /** The first commit answers that another run loaded these keys meanwhile. */
  readonly loadedMeanwhile?: readonly string[];
}

/**
 * An in-memory Lake for tests of the orchestration: a files ledger (key → ETag), the rows each key
 * landed, the commits in order and the run records. No DuckDB, no catalog.
 */
export class FakeLake implements Lake {
  readonly ledger = new Map<string, string>();
  readonly rows = new Map<string, number>();
  /** The keys of each commit that landed, in commit order. */
  readonly commits: string[][] = [];
  readonly runs: RunRecord[] = [];
  /** The most commits in flight at once (the pipeline allows one). */
  maxInFlight = 0;
  #inFlight = 0;
  #conflictsLeft: number;
  #loadedMeanwhile: readonly string[] | undefined;

  constructor(script: FakeLakeScript = {}) {
    this.#conflictsLeft = script.conflicts ?? 0;
    this.#loadedMeanwhile = script.loadedMeanwhile;
  }

  ensureTables(): ReturnType<Lake['ensureTables']> {
    return Promise.resolve({ created: [], columnsAdded: [], partitioned: [] });
  }

  readPieceLedger(): ReturnType<Lake['readPieceLedger']> {
    return Promise.resolve(new Map(this.ledger));
  }

  openStaging(): Promise<LakeStaging> {
    return Promise.resolve(this.#staging());
  }

  recordRun(_namespace: string, run: RunRecord): Promise<void> {
    this.runs.push(run);
    return Promise.resolve();
  }

  refreshCredentials(): Promise<void> {
    return Promise.resolve();
  }

  #staging(): LakeStaging {
    const staged = new Map<string, { file: StagedFile; rows: number }>();
    const commit = (onStep: (table: string) => void) => this.#commit(staged, onStep);
    return {
      get stagedRows() {
        return [...staged.values()].reduce((sum, s) => sum + s.rows, 0);
      },
      addParsedFile: (file, rows) => void staged.set(file.key, { file, rows: rows.length }),
      addRejectedFile: (file) => void staged.set(file.key, { file, rows: 0 }),
      flush: () => undefined,
      commit: (_request, onStep) => commit(onStep),
      dropFiles: (keys) => {
        for (const key of keys) staged.delete(key);
        return Promise.resolve();
      },
      clear: () => {
        staged.clear();
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    };
  }

  async #commit(
    staged: Map<string, { file: StagedFile; rows: number }>,
    onStep: (table: string) => void,
  ): Promise<ChunkCommitResult> {
    this.#inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.#inFlight);
    try {
      await new Promise((wake) => setTimeout(wake, 5)); // lets staging run meanwhile
      if (this.#conflictsLeft > 0) {
        this.#conflictsLeft -= 1;
        throw new LakehouseError('commit-conflict', 'lake: another writer committed first');
      }
      const meanwhile = this.#loadedMeanwhile?.filter((key) => staged.has(key)) ?? [];
      if (meanwhile.length > 0) {
        this.#loadedMeanwhile = undefined;
        // The other run's commit: its ledger rows are there now.
        for (const key of meanwhile) this.ledger.set(key, staged.get(key)!.file.etag);
        return { kind: 'already-loaded', keys: meanwhile };
      }
      let rows = 0;
      for (const [key, { file, rows: n }] of staged) {
        this.ledger.set(key, file.etag);
        this.rows.set(key, n);
        rows += n;
      }
      this.commits.push([...staged.keys()]);
      for (const table of ['measurements', 'locations', 'files']) onStep(table);
      return {
        kind: 'committed',
        rowsInserted: rows,
        rowsReplaced: 0,
        rowsLeftover: 0,
        rowRejects: 0,
        fileRejects: 0,
        snapshotId: String(this.commits.length),
        commits: 3,
        stationsRecomputed: 0,
      };
    } finally {
      this.#inFlight -= 1;
    }
  }
}
