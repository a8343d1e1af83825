import type { CatalogTarget } from '../../job/lake/catalogTarget.ts';
import { withLake } from '../../job/lake/lakeSession.ts';
import { qualifiedName } from '../../job/lake/tableDdl.ts';
import { LOCATIONS, MEASUREMENTS } from '../../job/tables.ts';
import { duckdbSettings, localTarget } from './localLake.ts';

/**
 * Stations where locations differs from an aggregate of measurements (none when consistent).
 * Aggregated per station and parameter first, so that tens of millions of rows need no lists.
 */
export async function locationsMismatches(
  namespace: string,
  target: CatalogTarget = localTarget(),
): Promise<unknown[]> {
  return withLake(duckdbSettings, target, async ({ connection, catalog }) => {
    const m = qualifiedName(catalog, namespace, MEASUREMENTS.name);
    const l = qualifiedName(catalog, namespace, LOCATIONS.name);
    const reader = await connection.runAndReadAll(`
      WITH per_parameter AS (
        SELECT location_id, parameter, count(*) AS n, min(datetime) AS first_seen, max(datetime) AS last_seen
        FROM ${m} GROUP BY location_id, parameter),
      expected AS (
        SELECT location_id, sum(n)::BIGINT AS n, min(first_seen) AS first_seen, max(last_seen) AS last_seen,
               array_to_string(list_sort(list_distinct(list(parameter))), ',') AS parameters
        FROM per_parameter GROUP BY location_id)
      SELECT coalesce(e.location_id, l.location_id)::VARCHAR AS station, e.n::VARCHAR AS expected_n, l.measurement_count::VARCHAR AS n
      FROM expected e FULL OUTER JOIN ${l} l USING (location_id)
      WHERE e.n IS DISTINCT FROM l.measurement_count OR e.first_seen IS DISTINCT FROM l.first_seen
         OR e.last_seen IS DISTINCT FROM l.last_seen OR e.parameters IS DISTINCT FROM l.parameters`);
    return reader.getRowObjectsJson();
  });
}
