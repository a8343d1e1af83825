/**
 * SQL for the archive day of a row from its source key, which ends in `YYYYMMDD.csv.gz` (checked
 * when the key was listed): the files ledger's and rejects' archive_day.
 */
export const keyDaySql = (keyColumn: string): string =>
  `strptime(substr(${keyColumn}, length(${keyColumn}) - 14, 8), '%Y%m%d')::DATE`;
