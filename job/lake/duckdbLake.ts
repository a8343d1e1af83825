import type { CatalogTarget } from './catalogTarget.ts';
import { commitChunk } from './commitChunk.ts';
import { ensureTables } from './ensureTables.ts';
import { existingTables } from './existingTables.ts';
import type { Lake, LakeStaging } from './lake.ts';
import { readFilesLedger } from './lakeLedger.ts';
import { withLake, type LakeSession } from './lakeSession.ts';
import { recordRun } from './recordRun.ts';
import { StagingArea } from './stagingArea.ts';
import { classify } from '../lakehouseError.ts';
import type { DuckDBSettings } from '../model/duckdbSettings.ts';
import { FILES, TABLES } from '../tables.ts';

/** Opens the lake as DuckDB with the Iceberg catalog attached (see withLake) for `fn`'s run. */
export function withDuckDBLake<T>(
  settings: DuckDBSettings,
  target: CatalogTarget,
  fn: (lake: Lake) => Promise<T>,
): Promise<T> {
  return withLake(settings, target, (session) => fn(duckdbLake(session)));
}

function duckdbLake(session: LakeSession): Lake {
  return {
    ensureTables: (namespace) => ensureTables(session, namespace, TABLES),
    readPieceLedger: async (namespace, piece, dryRun) => {
      try {
        if (dryRun && !(await existingTables(session, namespace)).has(FILES.name)) {
          return new Map();
        }
        return await readFilesLedger(session, namespace, piece);
      } catch (err) {
        throw classify(err, `read what ${namespace} already holds`);
      }
    },
    openStaging: async (file, name) =>
      duckdbStaging(session, await StagingArea.open(await session.connect(), file, name)),
    recordRun: (namespace, run) => recordRun(session, namespace, run),
    refreshCredentials: () => session.refreshCredentials(),
  };
}

/** A StagingArea on a connection of its own, committed on the session's. */
function duckdbStaging(session: LakeSession, area: StagingArea): LakeStaging {
  return {
    get stagedRows() {
      return area.stagedRows;
    },
    addParsedFile: (file, rows, rejects) => area.addParsedFile(file, rows, rejects),
    addRejectedFile: (file, reason, rawText) => area.addRejectedFile(file, reason, rawText),
    flush: () => area.flush(),
    commit: async (request, onStep) => {
      const result = await commitChunk(session, { ...request, staging: area.alias }, onStep);
      await session.forgetCachedFiles();
      return result;
    },
    dropFiles: (keys) => area.dropFiles(keys),
    clear: () => area.clear(),
    close: () => area.close(),
  };
}
