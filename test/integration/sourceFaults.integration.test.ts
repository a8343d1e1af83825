import { beforeAll, describe, expect, it } from 'vitest';
import type { BackfillConfig } from '../../job/config.ts';
import type { RetryKind } from '../../job/model/retryCounts.ts';
import { generateArchive } from '../../scripts/mirror/generateArchive.ts';
import {
  backfillConfig,
  createMirrorBucket,
  putFiles,
  runLocalBackfill,
} from '../helpers/backfillHarness.ts';
import {
  startSourceFaultProxy,
  type SourceFault,
  type SourceFaultPlan,
} from '../helpers/faults/sourceFaultProxy.ts';
import { lakeContentDigests, type LakeDigests } from '../helpers/lakeContentDigests.ts';
import { localLake } from '../helpers/localLake.ts';
import { testNamespaces } from '../helpers/testNamespaces.ts';

// Whatever the archive's side of the wire does (throttling bursts, 5xx, resets, bodies cut short
// or damaged where no checksum tells, a wrong ETag, stalls, a 404 on a listed key), a run loads
// exactly what a clean run loads, counts each retry by kind, and a re-run changes nothing.
const WINDOW = { from: '2024-08-01', to: '2024-08-02' } as const;
let bucket: string;
let clean: LakeDigests;
const namespaceFor = testNamespaces();

async function config(namespace: string, sourceEndpoint?: string): Promise<BackfillConfig> {
  const base = await backfillConfig({ ...WINDOW, namespace, sourceBucket: bucket });
  return {
    ...base,
    source: {
      ...base.source,
      ...(sourceEndpoint ? { endpoint: sourceEndpoint } : {}),
      requestTimeoutMs: 1_500,
      socketTimeoutMs: 1_500,
      throttleBaseMs: 20,
    },
  };
}

describe('source faults lose nothing and are counted', () => {
  beforeAll(async () => {
    bucket = await createMirrorBucket('it-source-faults');
    await putFiles(bucket, generateArchive({ ...WINDOW, stations: 30, seed: 33 }));
    const namespace = namespaceFor('it_sf_clean');
    const run = await runLocalBackfill(await config(namespace));
    expect(run.summary.exitCode).toBe(0);
    clean = await lakeContentDigests(namespace);
  }, 240_000);

  const cases: [SourceFault, RetryKind, Partial<SourceFaultPlan>][] = [
    // Four seconds of SlowDown to every request: with 16 in flight, more throttled answers than
    // the AWS SDK's retry budget (500 tokens, 5 a retry, shared by the client) would have retried.
    ['slowdown-burst', 'sourceThrottled', { burst: { afterGets: 3, ms: 4_000 } }],
    ['internal-error', 'sourceTransient', { timesPerKey: 2 }],
    ['reset-mid-body', 'sourceTransient', {}],
    ['short-body', 'sourceCorruptBody', {}],
    ['flipped-byte', 'sourceCorruptBody', {}],
    ['wrong-etag', 'sourceCorruptBody', {}],
    ['stall', 'sourceTransient', { share: 0.1 }],
    ['not-found', 'sourceNotFound', {}],
  ];

  it.each(cases)('%s', async (fault, kind, plan) => {
    const namespace = namespaceFor(`it_sf_${fault.slice(0, 5).replace('-', '')}`);
    const proxy = await startSourceFaultProxy(
      { host: localLake.host, port: localLake.s3Port },
      { fault, seed: 7, ...plan },
    );
    try {
      const faulted = await runLocalBackfill(await config(namespace, proxy.url));
      expect(proxy.injected()).toBeGreaterThan(0);
      expect(faulted.summary.exitCode).toBe(0);
      expect(faulted.summary.filesMissing).toBe(0);
      expect(faulted.summary.filesRejected).toBe(0);
      expect(faulted.summary.retries[kind]).toBeGreaterThanOrEqual(
        fault === 'slowdown-burst' ? 50 : 1,
      );
    } finally {
      await proxy.close();
    }
    expect(await lakeContentDigests(namespace)).toEqual(clean);
    const rerun = await runLocalBackfill(await config(namespace));
    expect(rerun.counts.get).toBe(0);
    expect(await lakeContentDigests(namespace)).toEqual(clean);
  });
});
