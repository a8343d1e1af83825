import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../job/lake/ensureTables.ts';
import { TABLES } from '../../job/tables.ts';
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
import { testNamespaces } from '../helpers/testNamespaces.ts';
import { locationsMismatches } from '../helpers/locationsMismatches.ts';
import { runOverlapping } from '../helpers/overlappingRuns.ts';
import { killCliAt } from '../helpers/killCliAt.ts';

const WINDOW = { from: '2024-05-01', to: '2024-05-06' } as const;
let bucket: string;
let files: GeneratedFile[];
const namespaceFor = testNamespaces();

describe('crashes and concurrent runs never duplicate or lose rows', () => {
  beforeAll(async () => {
    bucket = await createMirrorBucket('it-resilience');
    files = [...generateArchive({ ...WINDOW, stations: 60, seed: 5 })];
    await putFiles(bucket, files);
  });

  // Kills between a chunk's table commits are in killAtCommitStep.integration.test.ts, at a hook
  // rather than at a log line.
  it.each([
    ['fetching', 'planned', ''],
    ['staging', 'staging progress', ''],
    ['committing', 'committing', ''],
  ])('SIGKILL while %s, then a re-run, equals one clean run', async (_stage, message, field) => {
    const namespace = namespaceFor('it_kill');
    const args = [
      'backfill',
      '--from',
      WINDOW.from,
      '--to',
      WINDOW.to,
      '--namespace',
      namespace,
      '--source-bucket',
      bucket,
      '--concurrency',
      '4',
    ];
    const crash = await killCliAt(message, args, field);
    expect(crash.killed, crash.log).toBe(true);
    expect(crash.code).toBeNull(); // ended by the signal, not by finishing

    const { summary } = await runLocalBackfill(
      await backfillConfig({ ...WINDOW, namespace, sourceBucket: bucket }),
    );
    expect(summary.exitCode).toBe(0);
    expect(summary.filesSkipped + summary.filesFetched).toBe(files.length);
    expect(await tableRowsDigest(namespace)).toEqual(expectedRowsDigest(files));
    expect(await locationsMismatches(namespace)).toEqual([]);
  });

  // Both runs plan against the same lake before either commits (forced below), so one of them must
  // meet the other's commit: a 409 from the catalog, then a re-plan that drops the files the other
  // run loaded.
  it('two runs started together on overlapping windows leave no duplicates, and the conflict is retried', async () => {
    const namespace = namespaceFor('it_race');
    const first = backfillConfig({
      from: WINDOW.from,
      to: '2024-05-04',
      namespace,
      sourceBucket: bucket,
    });
    const second = backfillConfig({
      from: '2024-05-03',
      to: WINDOW.to,
      namespace,
      sourceBucket: bucket,
    });
    // The tables exist already, as after any first run: this is about concurrent loads, not two
    // runs creating a namespace at once.
    await withLocalLake((session) => ensureTables(session, namespace, TABLES));
    const [a, b] = await runOverlapping(await first, await second, files);
    expect(a.summary.exitCode).toBe(0);
    expect(b.summary.exitCode).toBe(0);
    expect(await tableRowsDigest(namespace)).toEqual(expectedRowsDigest(files));
    expect(await locationsMismatches(namespace)).toEqual([]);
    expect(a.summary.commitRetries + b.summary.commitRetries).toBeGreaterThan(0);
  });
});
