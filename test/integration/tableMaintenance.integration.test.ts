import { beforeAll, describe, expect, it } from 'vitest';
import { qualifiedName } from '../../job/lake/tableDdl.ts';
import { parseArchiveKey } from '../../job/source/archiveKey.ts';
import { FILES, LOCATIONS, MEASUREMENTS } from '../../job/tables.ts';
import { fileVersions } from '../../scripts/bench/benchArchive.ts';
import { generateArchive, type GeneratedFile } from '../../scripts/mirror/generateArchive.ts';
import {
  backfillConfig,
  createMirrorBucket,
  expectedRowsDigest,
  putFiles,
  runLocalBackfill,
  tableRowsDigest,
} from '../helpers/backfillHarness.ts';
import { withLocalLake } from '../helpers/localLake.ts';
import { locationsMismatches } from '../helpers/locationsMismatches.ts';
import { pyIcebergDigest } from '../helpers/pyIcebergDigest.ts';
import { duckdbTableDigest } from '../helpers/tableDigest.ts';
import { tableLayout } from '../helpers/tableLayout.ts';
import { testNamespaces } from '../helpers/testNamespaces.ts';

/** 20 days of three stations, one commit a day: more commits than any maintenance bound. */
const WINDOW = { from: '2024-05-01', to: '2024-05-20' } as const;
const SEED = 33;
const STATIONS = 3;
/** The local catalog's defaults (scripts/lakehouse/rest-catalog/LocalRestCatalog.java). */
const MAX_DATA_MANIFESTS = 16;
const MAX_DELETE_FILES = 8;
const MAX_SMALL_FILES = 16;
let bucket: string;
let files: GeneratedFile[];
const namespaceFor = testNamespaces();

describe('the local lakehouse maintains its tables after commits, as S3 Tables does', () => {
  beforeAll(async () => {
    bucket = await createMirrorBucket('it-maintenance');
    files = [...generateArchive({ ...WINDOW, stations: STATIONS, seed: SEED })];
    await putFiles(bucket, files);
  });

  it('keeps manifests, delete files and small tables bounded over many commits, with every row intact', async () => {
    const namespace = namespaceFor('it_maint');
    const config = await backfillConfig({
      ...WINDOW,
      namespace,
      sourceBucket: bucket,
      commitDays: 1,
    });
    const first = await runLocalBackfill(config);
    expect(first.summary.exitCode).toBe(0);
    expect(first.summary.commits).toBeGreaterThan(MAX_DATA_MANIFESTS);

    // OpenAQ patches a file on each of 10 days: each day's chunk deletes the old rows of its
    // partition's data files, one delete file per data file touched.
    const days = [...new Set(files.map((f) => parseArchiveKey(f.key)!.day))];
    // New versions (same station-day, other readings), as OpenAQ writes a patch.
    const patched = fileVersions(
      days
        .filter((_, i) => i % 2 === 0)
        .map((day) => files.find((f) => parseArchiveKey(f.key)!.day === day)!.key),
      SEED,
      SEED + 1000,
    );
    await putFiles(bucket, patched);
    const patchedKeys = new Set(patched.map((p) => p.key));
    const rowsReplaced = files
      .filter((file) => patchedKeys.has(file.key))
      .reduce((sum, file) => sum + file.rows.length, 0);
    files = files.map((file) => patched.find((p) => p.key === file.key) ?? file);
    const second = await runLocalBackfill(config);
    expect(second.summary.exitCode).toBe(0);
    expect(second.summary.filesChanged).toBe(patched.length);
    expect(second.summary.commits).toBeGreaterThan(MAX_DELETE_FILES);

    // Without the maintenance: one data manifest per commit, a delete file per patched day in
    // measurements, and a data file per commit (plus a delete file per MERGE) in locations.
    const measurements = await tableLayout(namespace, MEASUREMENTS.name);
    expect(measurements.dataManifests).toBeLessThanOrEqual(MAX_DATA_MANIFESTS);
    expect(measurements.deleteFiles).toBeLessThanOrEqual(MAX_DELETE_FILES);
    // The replaced rows are gone from the data files, not only hidden by delete files that every
    // query reads: past the bound, the files with deletes were rewritten without those rows.
    expect(measurements.deletedRows).toBeLessThan(rowsReplaced);
    const locations = await tableLayout(namespace, LOCATIONS.name);
    expect(locations.deleteFiles).toBeLessThanOrEqual(MAX_DELETE_FILES);
    expect(locations.dataFiles).toBeLessThanOrEqual(MAX_SMALL_FILES);
    const ledger = await tableLayout(namespace, FILES.name);
    expect(ledger.dataFiles).toBeLessThanOrEqual(MAX_SMALL_FILES);
    expect(ledger.deleteFiles).toBeLessThanOrEqual(MAX_DELETE_FILES);

    // Every row as loaded, read by DuckDB and by PyIceberg (which applies the deletes itself).
    expect(await tableRowsDigest(namespace)).toEqual(expectedRowsDigest(files));
    expect(await locationsMismatches(namespace)).toEqual([]);
    const fromDuckdb = await withLocalLake(({ connection, catalog }) =>
      duckdbTableDigest(connection, qualifiedName(catalog, namespace, MEASUREMENTS.name)),
    );
    const fromPyIceberg = await pyIcebergDigest([`${namespace}.measurements`]);
    expect(fromPyIceberg[`${namespace}.measurements`]).toMatchObject(fromDuckdb);
  });
});
