import { gunzipSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BackfillConfig } from '../../job/config.ts';
import { formatArchiveKey } from '../../job/source/archiveKey.ts';
import { generateArchive, type GeneratedFile } from '../../scripts/mirror/generateArchive.ts';
import {
  backfillConfig,
  createMirrorBucket,
  putFiles,
  runLocalBackfill,
} from '../helpers/backfillHarness.ts';
import {
  startCatalogFaultProxy,
  type CommitFault,
  type CommitFaultRule,
} from '../helpers/faults/catalogFaultProxy.ts';
import { lakeContentDigests, type LakeDigests } from '../helpers/lakeContentDigests.ts';
import { localLake, withLocalLake } from '../helpers/localLake.ts';
import { testNamespaces } from '../helpers/testNamespaces.ts';
import { ensureTables } from '../../job/lake/ensureTables.ts';
import { catalogUrl } from '../../job/localLakehouse.ts';
import { TABLES } from '../../job/tables.ts';
import { locationsMismatches } from '../helpers/locationsMismatches.ts';
import { qualifiedName } from '../../job/lake/tableDdl.ts';
import { totalRetries } from '../../job/model/retryCounts.ts';

// A commit the catalog applied but whose answer the job never got is the dangerous case: DuckDB's
// iceberg extension re-sends it, meets a 409 and then deletes the data files the landed snapshot
// references. The job's storage identity cannot delete, and the job checks the lineage before it
// retries, so whatever the catalog does to a commit, the tables end equal to one clean run.
const WINDOW = { from: '2024-07-01', to: '2024-07-02' } as const;
let bucket: string;
let clean: LakeDigests;
const namespaceFor = testNamespaces();

/** A few files with bad input, so every table of a chunk gets a commit. */
function withBadInput(files: GeneratedFile[]): { key: string; body: Uint8Array }[] {
  const first = files[0]!;
  const text = gunzipSync(first.body).toString('utf8');
  return [
    ...files.slice(1),
    { key: first.key, body: gzipSync(`${text}not,a,valid,row\n`) },
    { key: formatArchiveKey(990_001, WINDOW.from), body: new TextEncoder().encode('not gzip') },
  ];
}

async function config(namespace: string, catalogEndpoint?: string): Promise<BackfillConfig> {
  const base = await backfillConfig({
    ...WINDOW,
    namespace,
    sourceBucket: bucket,
    maxRejectRate: 1,
  });
  return {
    ...base,
    duckdb: { ...base.duckdb, httpTimeoutSeconds: 5 },
    ...(catalogEndpoint && base.target.kind === 'rest'
      ? { target: { ...base.target, endpoint: catalogEndpoint } }
      : {}),
  };
}

async function runRows(namespace: string, runId: string): Promise<number> {
  return withLocalLake(async ({ connection, catalog }) => {
    const reader = await connection.runAndReadAll(
      `SELECT count(*)::INT FROM ${qualifiedName(catalog, namespace, 'runs')} WHERE run_id = $run`,
      { run: runId },
    );
    return Number(reader.getRows()[0]?.[0]);
  });
}

describe('a commit whose outcome the job does not learn never loses or duplicates data', () => {
  beforeAll(async () => {
    bucket = await createMirrorBucket('it-commit-faults');
    await putFiles(
      bucket,
      withBadInput([...generateArchive({ ...WINDOW, stations: 12, seed: 21 })]),
    );
    const namespace = namespaceFor('it_faults_clean');
    const run = await runLocalBackfill(await config(namespace));
    expect(run.summary.exitCode).toBe(0);
    clean = await lakeContentDigests(namespace);
    expect(clean.rejects?.rows).toBeGreaterThan(0);
  }, 240_000);

  // Every table with the fault that kept the answer from the job; the other kinds on a few tables.
  // OPENAQ_TEST_FAULTS=all runs every kind on every table (about twice as long).
  const TABLE_NAMES = ['measurements', 'rejects', 'locations', 'files', 'runs'];
  const everyKind = process.env.OPENAQ_TEST_FAULTS === 'all';
  const cases: [CommitFault, string][] = [
    ...TABLE_NAMES.map((table): [CommitFault, string] => ['drop-after', table]),
    ...(everyKind
      ? (['error-after', 'stall-after'] as const).flatMap((fault) =>
          TABLE_NAMES.map((table): [CommitFault, string] => [fault, table]),
        )
      : ([
          ['error-after', 'runs'],
          ['stall-after', 'measurements'],
        ] as [CommitFault, string][])),
    ['conflict-before', 'measurements'],
    ['unavailable-before', 'locations'],
    ...(everyKind ? [['delay-before', 'rejects'] as [CommitFault, string]] : []),
  ];

  it.each(cases)('%s on the %s commit', async (fault, table) => {
    const namespace = namespaceFor(`it_f_${table.slice(0, 4)}`);
    const rule: CommitFaultRule = { fault, table, occurrence: 1 };
    // The tables exist first, so the first commit to each table is the chunk's, not a CREATE.
    await withLocalLake((session) => ensureTables(session, namespace, TABLES));
    const proxy = await startCatalogFaultProxy(catalogUrl(localLake), [rule]);
    try {
      const faulted = await runLocalBackfill(await config(namespace, proxy.url));
      expect(proxy.fired()).toEqual([rule]);
      expect(faulted.summary.exitCode).toBe(0);
      // Every fault the job saw made it retry, and the retry was counted (DuckDB itself retries a
      // 503 before sending and a slow answer is no fault to the job).
      if (fault !== 'unavailable-before' && fault !== 'delay-before')
        expect(totalRetries(faulted.summary.retries)).toBeGreaterThan(0);
      expect(await runRows(namespace, faulted.summary.runId)).toBe(1);
    } finally {
      await proxy.close();
    }
    expect(await lakeContentDigests(namespace)).toEqual(clean);
    expect(await locationsMismatches(namespace)).toEqual([]);
    const rerun = await runLocalBackfill(await config(namespace));
    expect(rerun.summary.exitCode).toBe(0);
    expect(rerun.counts.get).toBe(0);
    expect(await lakeContentDigests(namespace)).toEqual(clean);
  });
});
