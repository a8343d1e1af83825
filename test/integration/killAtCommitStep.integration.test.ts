import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackfillOptions } from '../../job/config.ts';
import { qualifiedName } from '../../job/lake/tableDdl.ts';
import { generateArchive } from '../../scripts/mirror/generateArchive.ts';
import {
  backfillConfig,
  createMirrorBucket,
  putFiles,
  runLocalBackfill,
} from '../helpers/backfillHarness.ts';
import { killAfterCommitStep } from '../helpers/killAfterCommitStep.ts';
import { lakeContentDigests, type LakeDigests } from '../helpers/lakeContentDigests.ts';
import { dropNamespace, uniqueNamespace, withLocalLake } from '../helpers/localLake.ts';
import { locationsMismatches } from '../helpers/locationsMismatches.ts';

// A window of three chunks, the process killed right after each table's commit of the second
// one: the lake holds exactly what that moment leaves, and a resumed run ends equal to one clean
// run, counting what the dead run left apart from rows of patched files.
const WINDOW = { from: '2024-09-01', to: '2024-09-02' } as const;
const FILES_PER_CHUNK = 10;
let bucket: string;
let fileCount: number;
let clean: LakeDigests;
const namespaces: string[] = [];

function optionsFor(namespace: string): BackfillOptions {
  return {
    ...WINDOW,
    namespace,
    sourceBucket: bucket,
    commitFiles: FILES_PER_CHUNK,
    maxRejectRate: 1,
  };
}

async function ledgerFiles(namespace: string): Promise<number> {
  return withLocalLake(async ({ connection, catalog }) => {
    const reader = await connection.runAndReadAll(
      `SELECT count(*)::INT FROM ${qualifiedName(catalog, namespace, 'files')}`,
    );
    return Number(reader.getRows()[0]?.[0]);
  });
}

describe('killed right after a commit step, a run resumes to exactly one clean run', () => {
  beforeAll(async () => {
    bucket = await createMirrorBucket('it-kill-steps');
    // Every file ends with a row that is refused, so every chunk commits rejects too.
    const files = [...generateArchive({ ...WINDOW, stations: 14, seed: 41 })].map((file) => ({
      key: file.key,
      body: gzipSync(`${gunzipSync(file.body).toString('utf8')}not,a,row\n`),
    }));
    fileCount = files.length;
    await putFiles(bucket, files);
    const namespace = uniqueNamespace('it_ks_clean');
    namespaces.push(namespace);
    const run = await runLocalBackfill(await backfillConfig(optionsFor(namespace)));
    expect(run.summary.commits).toBeGreaterThanOrEqual(3);
    clean = await lakeContentDigests(namespace);
  }, 240_000);

  afterAll(async () => {
    for (const namespace of namespaces) await dropNamespace(namespace);
  });

  it.each([
    // step, files the ledger holds at that moment, whether the resumed run replaces leftovers
    ['measurements', FILES_PER_CHUNK, true],
    ['rejects', FILES_PER_CHUNK, true],
    ['locations', FILES_PER_CHUNK, true],
    ['files', 2 * FILES_PER_CHUNK, false],
  ] as const)('after the %s commit of chunk 2', async (step, ledgerHolds, leftovers) => {
    const namespace = uniqueNamespace(`it_ks_${step.slice(0, 4)}`);
    namespaces.push(namespace);
    const options = optionsFor(namespace);
    const crash = await killAfterCommitStep(options, step, 2);
    expect(crash.signal, crash.stderr).toBe('SIGKILL');
    expect(await ledgerFiles(namespace)).toBe(ledgerHolds);

    const resumed = await runLocalBackfill(await backfillConfig(options));
    expect(resumed.summary.exitCode).toBe(0);
    expect(resumed.summary.filesFetched).toBe(fileCount - ledgerHolds);
    expect(resumed.summary.rowsReplaced).toBe(0);
    expect(resumed.summary.rowsLeftover > 0).toBe(leftovers);
    expect(await lakeContentDigests(namespace)).toEqual(clean);
    expect(await locationsMismatches(namespace)).toEqual([]);
  });
});
