/**
 * The one definition of the lakehouse's tables. The job creates and evolves them from here, and
 * the Pulumi program declares them (S3 Tables) from here too, so the two can never disagree.
 * Types are Iceberg's primitive type names.
 */

export type IcebergPrimitive =
  'boolean' | 'int' | 'long' | 'double' | 'date' | 'timestamp' | 'timestamptz' | 'string';

export interface ColumnDefinition {
  readonly name: string;
  readonly type: IcebergPrimitive;
  readonly required: boolean;
  readonly doc: string;
}

export type PartitionTransform = 'identity' | 'year' | 'month' | 'day' | 'hour';

export interface PartitionField {
  readonly column: string;
  readonly transform: PartitionTransform;
}

export interface TableDefinition {
  readonly name: string;
  readonly doc: string;
  readonly columns: readonly ColumnDefinition[];
  readonly partitionBy: readonly PartitionField[];
  /** Iceberg table properties the job sets when it creates the table. */
  readonly properties: Readonly<Record<string, string>>;
}

export const NAMESPACE = 'airquality';

const column = (
  name: string,
  type: IcebergPrimitive,
  required: boolean,
  doc: string,
): ColumnDefinition => ({ name, type, required, doc });

/** Columns every loaded row carries so a file can be skipped, replaced or audited later. */
const lineageColumns: readonly ColumnDefinition[] = [
  column('source_key', 'string', true, 'S3 key of the archive file the row came from'),
  column('source_etag', 'string', true, 'ETag of that file when it was loaded'),
  column(
    'source_line',
    'int',
    true,
    'Line number of the row in the decompressed file (header is line 1)',
  ),
  column('run_id', 'string', true, 'Id of the job run that loaded the row'),
  column('ingested_at', 'timestamptz', true, 'When the row was committed'),
];

export const MEASUREMENTS: TableDefinition = {
  name: 'measurements',
  doc: 'One row per sensor reading from the OpenAQ archive.',
  columns: [
    column('location_id', 'long', true, 'OpenAQ location (station) id'),
    column('sensors_id', 'long', false, 'OpenAQ sensor id'),
    column('location', 'string', false, 'Site name and sensor-system suffix, as in the file'),
    column('datetime', 'timestamptz', true, 'End of the averaging period, as a UTC instant'),
    column('datetime_local', 'timestamp', false, "Same instant in the station's local wall time"),
    column('utc_offset', 'string', false, "The station's UTC offset at that instant, e.g. -07:00"),
    column('lat', 'double', false, 'Latitude as reported on the row'),
    column('lon', 'double', false, 'Longitude as reported on the row'),
    column('parameter', 'string', true, 'Measured quantity, e.g. pm25, o3'),
    column('units', 'string', false, 'Units of value, e.g. µg/m³, ppm'),
    column('value', 'double', false, 'Value as reported, sentinels and negatives included'),
    column('value_flag', 'string', false, "'sentinel' for -999, 'negative' below zero, else null"),
    ...lineageColumns,
  ],
  // By the station's local month: DuckDB 1.5.5 writes a month(timestamptz) partition ~10x slower
  // than month(timestamp) (measured: 6.6 s against 0.6 s per million rows), and every row's local
  // time is known. Queries on `datetime` still skip files by their min/max statistics.
  partitionBy: [{ column: 'datetime_local', transform: 'month' }],
  properties: {},
};

export const LOCATIONS: TableDefinition = {
  name: 'locations',
  doc: 'One row per station, kept consistent with measurements after every run.',
  columns: [
    column('location_id', 'long', true, 'OpenAQ location (station) id'),
    column('name', 'string', false, 'Latest name seen in the archive'),
    column('lat', 'double', false, 'Latitude of the latest reading'),
    column('lon', 'double', false, 'Longitude of the latest reading'),
    column('first_seen', 'timestamptz', false, 'Earliest reading loaded'),
    column('last_seen', 'timestamptz', false, 'Latest reading loaded'),
    column('measurement_count', 'long', true, 'Readings loaded for this station'),
    column('parameters', 'string', false, 'Distinct parameters, comma-separated, sorted'),
    column('updated_at', 'timestamptz', true, 'When this row was last written'),
  ],
  partitionBy: [],
  properties: {},
};

export const REJECTS: TableDefinition = {
  name: 'rejects',
  doc: 'Rows and whole files the job refused, with the reason, so nothing is lost silently.',
  columns: [
    column('source_key', 'string', true, 'S3 key of the archive file'),
    column('source_etag', 'string', true, 'ETag of that file when it was read'),
    column(
      'line_number',
      'int',
      false,
      'Line in the decompressed file; null when the whole file is rejected',
    ),
    column('scope', 'string', true, "'row' or 'file'"),
    column('reason', 'string', true, 'Why it was rejected'),
    column('raw_text', 'string', false, 'The raw line (or the start of the file), for inspection'),
    column('run_id', 'string', true, 'Id of the job run that rejected it'),
    column('rejected_at', 'timestamptz', true, 'When the reject was recorded'),
    // Last: added to existing tables by ensureTables, which fills it from source_key.
    column(
      'archive_day',
      'date',
      true,
      'The day in the file name; bounds the lookups of a chunk to its days',
    ),
  ],
  partitionBy: [],
  properties: {},
};

export const RUNS: TableDefinition = {
  name: 'runs',
  doc: 'One row per backfill or nightly run: what it did and how it ended, for `status`.',
  columns: [
    column('run_id', 'string', true, 'Id of the run, also on every row it loaded'),
    column('command', 'string', true, "'backfill' or 'nightly'"),
    column('started_at', 'timestamptz', true, 'When the run started'),
    column('finished_at', 'timestamptz', true, 'When the run ended'),
    column('window_from', 'date', true, 'First archive day of the window'),
    column('window_to', 'date', true, 'Last archive day of the window'),
    column('exit_code', 'int', true, '0 done, 1 failed, 3 reject rate above the threshold'),
    column('files_listed', 'long', true, 'Files listed for the window'),
    column('files_fetched', 'long', true, 'Files downloaded'),
    column('files_rejected', 'long', true, 'Files rejected whole'),
    column('rows_committed', 'long', true, 'Rows inserted into measurements'),
    column('rows_replaced', 'long', true, 'Rows deleted because their file was patched'),
    column('rows_rejected', 'long', true, 'Rows sent to rejects'),
    column('commits', 'int', true, 'Iceberg commits'),
    column('error', 'string', false, 'The error that ended a failed run'),
    column('summary', 'string', false, 'The full run summary as JSON'),
    // Added after the first release: ensureTables appends it to existing tables.
    column('retries', 'long', false, 'Retries of every kind (by kind in summary.retries)'),
  ],
  partitionBy: [],
  properties: {},
};

/**
 * The ledger of loaded files, one row per archive file, written last in each chunk. The planner
 * reads it instead of scanning measurements; and because S3 Tables commits one table per request,
 * a file counts as loaded only once its row is here: a crash between a chunk's table commits
 * leaves files without one, and the next run loads them again, replacing what the crash left.
 */
export const FILES: TableDefinition = {
  name: 'files',
  doc: 'One row per archive file loaded (or rejected whole, or empty): the lineage the job plans from.',
  columns: [
    column('source_key', 'string', true, 'S3 key of the archive file'),
    column('source_etag', 'string', true, 'ETag of the file when it was loaded'),
    column('archive_day', 'date', true, 'The day in the file name'),
    column('location_id', 'long', true, 'OpenAQ location (station) id in the key'),
    column('outcome', 'string', true, "'loaded' or 'rejected' (the whole file, see rejects)"),
    column('rows_loaded', 'long', true, 'Rows of the file in measurements'),
    column('run_id', 'string', true, 'Id of the run that loaded it'),
    column('committed_at', 'timestamptz', true, "Its rows' ingested_at in measurements"),
  ],
  partitionBy: [],
  properties: {},
};

export const TABLES: readonly TableDefinition[] = [MEASUREMENTS, LOCATIONS, REJECTS, RUNS, FILES];
