/**
 * The bench's naive contender, run as its own process like the job: one DuckDB statement that
 * globs the window's month and inserts every CSV row into a fresh Iceberg table,
 *
 *   INSERT INTO lake.<ns>.naive SELECT … FROM read_csv('s3://<bucket>/records/csv.gz/locationid=*
 *   /year=YYYY/month=MM/*.csv.gz', header=true, quote='"', escape='"', …)
 *
 * on the same DuckDB, extensions, threads, memory limit and catalog as the job. It is what a user
 * could write in five minutes; it gets re-runs (duplicates), lineage, rewritten files, the older
 * writing style and cut files wrong, so it is a speed reference, not an alternative.
 *
 *   node scripts/bench/naiveStatementProcess.ts '<BackfillOptions as JSON>'
 *
 * Prints one JSON object (NaiveResult) on stdout.
 */
import { quotedIdentifier, quotedString } from '@duckdb/node-api';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { resolveBackfillConfig, type BackfillOptions } from '../../job/config.ts';
import { withLake } from '../../job/lake/lakeSession.ts';
import { ARCHIVE_KEY_PREFIX } from '../../job/source/archiveKey.ts';

export interface NaiveResult {
  readonly rows: number;
  readonly seconds: number;
}

/** The CSV's own columns, typed as a user would type them. */
const COLUMNS = {
  location_id: 'BIGINT',
  sensors_id: 'BIGINT',
  location: 'VARCHAR',
  datetime: 'TIMESTAMPTZ',
  lat: 'DOUBLE',
  lon: 'DOUBLE',
  parameter: 'VARCHAR',
  units: 'VARCHAR',
  value: 'DOUBLE',
} as const;

const started = performance.now();
const [optionsJson] = process.argv.slice(2);
if (optionsJson === undefined) {
  throw new Error("bench: usage: naiveStatementProcess.ts '<BackfillOptions as JSON>'");
}
const config = resolveBackfillConfig(
  JSON.parse(optionsJson) as BackfillOptions,
  process.env,
  resolve(import.meta.dirname, '..', '..'),
);
const { from, to } = config.window;
if (from.slice(0, 7) !== to.slice(0, 7)) {
  throw new Error(`bench: the naive statement globs one month; got the window ${from} … ${to}`);
}
const [year, month] = from.split('-');
const glob = `s3://${config.source.bucket}/${ARCHIVE_KEY_PREFIX}locationid=*/year=${year}/month=${month}/*.csv.gz`;
await mkdir(config.duckdb.tempDirectory, { recursive: true });

const rows = await withLake(config.duckdb, config.target, async ({ connection, catalog }) => {
  const namespace = `${quotedIdentifier(catalog)}.${quotedIdentifier(config.namespace)}`;
  const table = `${namespace}.naive`;
  await connection.run(`CREATE SCHEMA IF NOT EXISTS ${namespace}`);
  await connection.run(
    `CREATE TABLE ${table} (${Object.entries(COLUMNS)
      .map(([name, type]) => `${name} ${type}`)
      .join(', ')})`,
  );
  const columns = Object.entries(COLUMNS)
    .map(([name, type]) => `${quotedString(name)}: ${quotedString(type)}`)
    .join(', ');
  const inserted = await connection.runAndReadAll(
    `INSERT INTO ${table} SELECT ${Object.keys(COLUMNS).join(', ')} FROM ` +
      `read_csv(${quotedString(glob)}, header = true, quote = '"', escape = '"', ` +
      `hive_partitioning = false, columns = {${columns}})`,
  );
  return Number(inserted.getRows()[0]?.[0] ?? 0);
});

const result: NaiveResult = { rows, seconds: (performance.now() - started) / 1000 };
console.log(JSON.stringify(result));
