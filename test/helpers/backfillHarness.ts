import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { runBackfill, type BackfillDependencies } from '../../job/backfill.ts';
import {
  resolveBackfillConfig,
  type BackfillConfig,
  type BackfillOptions,
} from '../../job/config.ts';
import type { CatalogTarget } from '../../job/lake/catalogTarget.ts';
import { withLake } from '../../job/lake/lakeSession.ts';
import { qualifiedName } from '../../job/lake/tableDdl.ts';
import { RetryCounter } from '../../job/model/retryCounts.ts';
import type { RunSummary } from '../../job/model/runSummary.ts';
import type { ArchiveStore } from '../../job/source/archiveStore.ts';
import type { Measurement } from '../../job/model/measurement.ts';
import { createS3ArchiveStore } from '../../job/source/s3ArchiveStore.ts';
import { MEASUREMENTS } from '../../job/tables.ts';
import { ensureArchiveBucket, localS3Client, putObject } from '../../scripts/lakehouse/s3Admin.ts';
import { CountingStore, type StoreCounts } from './countingStore.ts';
import { duckdbSettings, localLake, localTarget } from './localLake.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/** A mirror bucket of its own for one test file, so seeded windows never mix. */
export async function createMirrorBucket(prefix: string): Promise<string> {
  const bucket = `${prefix}-${randomBytes(4).toString('hex')}`;
  const client = localS3Client(localLake);
  try {
    await ensureArchiveBucket(client, bucket);
  } finally {
    client.destroy();
  }
  return bucket;
}

export async function putFiles(
  bucket: string,
  files: Iterable<{ key: string; body: Uint8Array }>,
): Promise<void> {
  const client = localS3Client(localLake);
  try {
    await Promise.all([...files].map((file) => putObject(client, bucket, file.key, file.body)));
  } finally {
    client.destroy();
  }
}

export async function backfillConfig(options: BackfillOptions): Promise<BackfillConfig> {
  const workDir = await mkdtemp(join(tmpdir(), 'backfill-test-'));
  return resolveBackfillConfig({ concurrency: 16, workDir, ...options }, process.env, REPO_ROOT);
}

export interface LocalRun {
  readonly summary: RunSummary;
  readonly counts: StoreCounts;
}

/** Runs the backfill in-process against the local lakehouse, counting the archive I/O. */
export async function runLocalBackfill(
  config: BackfillConfig,
  wrap: (store: ArchiveStore) => ArchiveStore = (store) => store,
  hooks: Pick<BackfillDependencies, 'onCommitStep'> = {},
): Promise<LocalRun> {
  const retries = new RetryCounter();
  const store = new CountingStore(
    wrap(
      createS3ArchiveStore({
        ...config.source,
        maxSockets: config.concurrency,
        onRetry: retries.onRetry,
      }),
    ),
  );
  try {
    const summary = await runBackfill(config, {
      ...hooks,
      store,
      retries,
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }, pino.destination(2)),
    });
    return { summary, counts: store.counts };
  } finally {
    store.close();
  }
}

/**
 * Content checksum over what a user loaded: every parsed column plus the source key and line,
 * from the generator's expected rows or from the table, canonicalised the same way.
 */
export function expectedRowsDigest(
  files: Iterable<{ key: string; rows: readonly Measurement[] }>,
): { rows: number; digest: string } {
  const lines: string[] = [];
  for (const file of files) {
    for (const r of file.rows) {
      lines.push(
        canonicalLine([
          int(r.locationId),
          int(r.sensorsId),
          r.location,
          int(r.datetimeUtcMs),
          r.datetimeLocal,
          r.utcOffset,
          dbl(r.lat),
          dbl(r.lon),
          r.parameter,
          r.units,
          dbl(r.value),
          r.valueFlag,
          file.key,
          int(r.line),
        ]),
      );
    }
  }
  return digestOf(lines);
}

export async function tableRowsDigest(
  namespace: string,
  target: CatalogTarget = localTarget(),
): Promise<{ rows: number; digest: string }> {
  return withLake(duckdbSettings, target, async ({ connection, catalog }) => {
    const reader = await connection.runAndReadAll(
      `SELECT location_id, sensors_id, location, epoch_ms(datetime), strftime(datetime_local, '%Y-%m-%d %H:%M:%S'), utc_offset,
              lat, lon, parameter, units, value, value_flag, source_key, source_line
       FROM ${qualifiedName(catalog, namespace, MEASUREMENTS.name)}`,
    );
    const lines = reader.getRows().map((row) => {
      const [
        loc,
        sensor,
        location,
        dt,
        local,
        offset,
        lat,
        lon,
        parameter,
        units,
        value,
        flag,
        key,
        line,
      ] = row;
      return canonicalLine([
        int(loc),
        int(sensor),
        str(location),
        int(dt),
        str(local),
        str(offset),
        dbl(lat),
        dbl(lon),
        str(parameter),
        str(units),
        dbl(value),
        str(flag),
        str(key),
        int(line),
      ]);
    });
    return digestOf(lines);
  });
}

const int = (v: unknown): string | null =>
  v === null || v === undefined ? null : String(Number(v));
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
function dbl(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Number(v));
  return Buffer.from(view.buffer).toString('hex');
}
const canonicalLine = (fields: readonly (string | null)[]): string =>
  fields.map((f) => f ?? '\x00').join('\x1f');

function digestOf(lines: string[]): { rows: number; digest: string } {
  lines.sort();
  return {
    rows: lines.length,
    digest: createHash('sha256').update(lines.join('\n')).digest('hex'),
  };
}
