import { withLake } from '../../job/lake/lakeSession.ts';
import { qualifiedName } from '../../job/lake/tableDdl.ts';
import { duckdbSettings, localTarget } from './localLake.ts';

/** What a table's current snapshot is made of: what each of its queries has to open. */
export interface TableLayout {
  readonly dataFiles: number;
  readonly deleteFiles: number;
  /** Positions the live delete files hold: rows every query of the table reads and skips. */
  readonly deletedRows: number;
  readonly dataManifests: number;
}

/** The live files and data manifests of a table of the local lakehouse. */
export async function tableLayout(namespace: string, table: string): Promise<TableLayout> {
  return withLake(duckdbSettings, localTarget(), async ({ connection, catalog }) => {
    const reader = await connection.runAndReadAll(
      `SELECT count(*) FILTER (WHERE manifest_content = 'DATA')::INTEGER,
              count(*) FILTER (WHERE manifest_content = 'DELETE')::INTEGER,
              coalesce(sum(record_count) FILTER (WHERE manifest_content = 'DELETE'), 0)::INTEGER,
              count(DISTINCT manifest_path) FILTER (WHERE manifest_content = 'DATA')::INTEGER
       FROM iceberg_metadata(${qualifiedName(catalog, namespace, table)})
       -- DuckDB 1.5.5 reports the entry status in either column; a DELETED entry is not live.
       WHERE coalesce(status, '') <> 'DELETED' AND coalesce(content, '') <> 'DELETED'`,
    );
    const [dataFiles, deleteFiles, deletedRows, dataManifests] = reader.getRows()[0] as [
      number,
      number,
      number,
      number,
    ];
    return { dataFiles, deleteFiles, deletedRows, dataManifests };
  });
}
