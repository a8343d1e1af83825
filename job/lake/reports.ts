/** Named reports: SQL over the table views (see timeTravel.ts), with bound parameters. */
export interface Report {
  readonly name: string;
  readonly description: string;
  readonly sql: string;
}

// Windows are relative to the newest reading in the lake, not to today, so a report means the
// same thing on a backfill of 2024 as on last night's data.
const latest = `(SELECT max(datetime) FROM measurements)`;
const validValue = `value_flag IS NULL`;

export const REPORTS: readonly Report[] = [
  {
    name: 'overview',
    description: 'Rows, stations, parameters, files and the date range in the lake',
    sql: `SELECT count(*) AS rows, count(DISTINCT location_id) AS stations, count(DISTINCT parameter) AS parameters,
                 count(DISTINCT source_key) AS files, min(datetime) AS first_reading, max(datetime) AS last_reading,
                 (SELECT count(*) FROM rejects) AS rejects
          FROM measurements`,
  },
  {
    name: 'worst-pm25',
    description: 'Stations with the highest mean PM2.5 over the last --days days',
    sql: `SELECT location_id, any_value(location) AS location, round(avg(value), 1) AS mean_pm25, count(*) AS readings
          FROM measurements
          WHERE parameter = 'pm25' AND ${validValue} AND datetime > ${latest} - to_days($days)
          GROUP BY location_id ORDER BY mean_pm25 DESC, location_id LIMIT $limit`,
  },
  {
    name: 'trend',
    description: 'Daily mean, min and max of --parameter over the last --days days',
    sql: `SELECT CAST(datetime AT TIME ZONE 'UTC' AS DATE) AS day, round(avg(value), 2) AS mean, min(value) AS min,
                 max(value) AS max, count(*) AS readings, count(DISTINCT location_id) AS stations
          FROM measurements
          WHERE parameter = $parameter AND ${validValue} AND datetime > ${latest} - to_days($days)
          GROUP BY day ORDER BY day`,
  },
  {
    name: 'active',
    description: 'Stations with the most readings over the last --days days',
    sql: `SELECT location_id, any_value(location) AS location, count(*) AS readings, count(DISTINCT parameter) AS parameters,
                 max(datetime) AS last_reading
          FROM measurements WHERE datetime > ${latest} - to_days($days)
          GROUP BY location_id ORDER BY readings DESC, location_id LIMIT $limit`,
  },
];

export const reportNames = (): string[] => REPORTS.map((r) => r.name);

/** The parameters a report's SQL uses, from the ones the CLI offers. */
export function reportParameters(
  report: Report,
  values: { days: number; limit: number; parameter: string },
): Record<string, string | number> {
  const all: Record<string, string | number> = {
    days: values.days,
    limit: values.limit,
    parameter: values.parameter,
  };
  return Object.fromEntries(
    Object.entries(all).filter(([name]) => report.sql.includes(`$${name}`)),
  );
}
