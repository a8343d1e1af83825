import type { SQSClient } from '@aws-sdk/client-sqs';
import type { S3Client } from '@aws-sdk/client-s3';
import PQueue from 'p-queue';
import { s3EndpointUrl, type LocalLakehouse } from '../../job/localLakehouse.ts';
import { ARCHIVE_KEY_PREFIX } from '../../job/source/archiveKey.ts';
import type { ArchiveStore } from '../../job/source/archiveStore.ts';
import { createS3ArchiveStore } from '../../job/source/s3ArchiveStore.ts';
import { MirrorWriter } from '../lakehouse/mirrorWriter.ts';
import {
  deletePrefix,
  ensureArchiveBucket,
  localS3Client,
  putObject,
} from '../lakehouse/s3Admin.ts';
import {
  MIN_READINGS_PER_DAY,
  benchArchive,
  fileVersions,
  isPatched,
  type BenchArchiveSpec,
} from './benchArchive.ts';

/** Written at the bucket's root (outside the archive prefix, so the job never lists it). */
const MANIFEST_KEY = 'bench-manifest.json';
/** The spec being seeded, written before the first file and removed after the manifest. */
const SEEDING_KEY = 'bench-seeding.json';
const MANIFEST_VERSION = 1;
const UPLOAD_CONCURRENCY = 32;

/** What a bench mirror bucket holds, as recorded when it was seeded. */
export interface MirrorManifest {
  readonly version: number;
  readonly spec: BenchArchiveSpec;
  readonly minReadingsPerDay: number;
  readonly files: number;
  readonly rows: number;
  /** Gzipped bytes. */
  readonly bytes: number;
  readonly stations: number;
  /** The keys of the 1% that the patch step rewrites. */
  readonly patchKeys: readonly string[];
  /** True between a patch and its restore: the objects at patchKeys are not the originals. */
  readonly patched: boolean;
}

export interface MirrorState {
  readonly manifest: MirrorManifest;
  /** Whether this call (re)generated the bucket, and how long that took. */
  readonly seeded: boolean;
  readonly seconds: number;
}

type Log = (line: string) => void;

export interface EnsureMirrorOptions {
  /**
   * Whether a bucket holding something else is emptied and seeded again, and a patched mirror put
   * back. Default true. When false, only an empty bucket is seeded and anything else that does
   * not match is an error: for a mirror another bench owns, which must be read, never written.
   */
  readonly replace?: boolean;
}

/**
 * Makes `bucket` hold exactly the point's generated archive: reused when its manifest matches the
 * spec and the listing has that many files (patched objects are put back first), otherwise
 * emptied and seeded again (see EnsureMirrorOptions.replace); a seeding that was stopped resumes
 * where it was.
 */
export async function ensureBenchMirror(
  lake: LocalLakehouse,
  bucket: string,
  spec: BenchArchiveSpec,
  log: Log,
  options: EnsureMirrorOptions = {},
): Promise<MirrorState> {
  const replace = options.replace ?? true;
  const started = performance.now();
  const client = localS3Client(lake);
  const store = mirrorStore(lake, bucket);
  try {
    await ensureArchiveBucket(client, bucket);
    const existing = await readManifest(store);
    const listed = await countArchiveObjects(store);
    if (existing !== undefined && matches(existing, spec) && listed === existing.files) {
      const manifest = await unpatched(client, bucket, existing, spec, log, replace);
      return { manifest, seeded: false, seconds: seconds(started) };
    }
    const present = await prepareSeeding(client, store, bucket, spec, listed, log, replace);
    const manifest = await seedMirror(client, bucket, spec, present, log);
    return { manifest, seeded: true, seconds: seconds(started) };
  } finally {
    store.close();
    client.destroy();
  }
}

/** A seeded mirror as the spec made it: patched files another bench left are put back. */
async function unpatched(
  client: S3Client,
  bucket: string,
  existing: MirrorManifest,
  spec: BenchArchiveSpec,
  log: Log,
  replace: boolean,
): Promise<MirrorManifest> {
  if (!existing.patched) return existing;
  if (!replace) {
    throw new Error(
      `bench: ${bucket} has ${existing.patchKeys.length} patched files (another bench is patching it); run again when that bench has put them back`,
    );
  }
  log(`bench: ${bucket}: putting back ${existing.patchKeys.length} patched files`);
  await putAll(client, bucket, fileVersions(existing.patchKeys, spec.seed, spec.seed));
  const manifest = { ...existing, patched: false };
  await writeManifest(client, bucket, manifest);
  return manifest;
}

/**
 * Readies the bucket for seeding and returns the sizes of the files already there. Seeding a large
 * point takes hours: one that was stopped resumes, keeping what it wrote (the generator is
 * deterministic, so a key of the right size holds the right bytes).
 */
async function prepareSeeding(
  client: S3Client,
  store: ArchiveStore,
  bucket: string,
  spec: BenchArchiveSpec,
  listed: number,
  log: Log,
  replace: boolean,
): Promise<Map<string, number>> {
  const resumed = await readSeeding(store);
  const present =
    resumed !== undefined && sameSpec(resumed, spec) && listed > 0
      ? await objectSizes(store)
      : new Map<string, number>();
  if (listed > 0 && present.size === 0 && !replace) {
    throw new Error(
      `bench: ${bucket} holds ${listed} objects that are not the mirror of ${JSON.stringify(spec)}; it is left as it is: seed it with that spec first (npm run bench), or use another bucket`,
    );
  }
  if (listed > 0 && present.size === 0) {
    log(`bench: ${bucket}: ${listed} objects do not match the spec; emptying it`);
    await deletePrefix(client, bucket, ARCHIVE_KEY_PREFIX);
  }
  await putObject(client, bucket, SEEDING_KEY, new TextEncoder().encode(JSON.stringify(spec)));
  log(
    `bench: seeding ${bucket} with ~${spec.targetFiles} files` +
      (present.size > 0 ? ` (resuming: ${present.size} already there)` : ''),
  );
  return present;
}

/** Uploads the spec's files that are not `present` already, then writes the manifest. */
async function seedMirror(
  client: S3Client,
  bucket: string,
  spec: BenchArchiveSpec,
  present: ReadonlyMap<string, number>,
  log: Log,
): Promise<MirrorManifest> {
  let files = 0;
  let rows = 0;
  let bytes = 0;
  const stations = new Set<string>();
  const patchKeys: string[] = [];
  const queue = new PQueue({ concurrency: UPLOAD_CONCURRENCY });
  let failure: Error | undefined;
  for (const file of benchArchive(spec)) {
    if (failure !== undefined) break;
    if (queue.size > 4 * UPLOAD_CONCURRENCY) await queue.onSizeLessThan(2 * UPLOAD_CONCURRENCY);
    files += 1;
    rows += file.rows.length;
    bytes += file.body.byteLength;
    stations.add(file.key.slice(0, file.key.indexOf('/year=')));
    if (isPatched(file)) patchKeys.push(file.key);
    if (present.get(file.key) === file.body.byteLength) continue;
    queue
      .add(() => putObject(client, bucket, file.key, file.body))
      .catch((err: unknown) => {
        failure ??= err instanceof Error ? err : new Error(String(err));
        queue.clear();
      });
    if (files % 10_000 === 0) log(`bench: ${bucket}: ${files} files`);
  }
  await queue.onIdle();
  if (failure !== undefined) throw failure;
  const manifest: MirrorManifest = {
    version: MANIFEST_VERSION,
    spec,
    minReadingsPerDay: MIN_READINGS_PER_DAY,
    files,
    rows,
    bytes,
    stations: stations.size,
    patchKeys,
    patched: false,
  };
  await writeManifest(client, bucket, manifest);
  await deletePrefix(client, bucket, SEEDING_KEY);
  return manifest;
}

/** What patchBenchMirror may do besides rewriting the whole 1%. */
export interface PatchOptions {
  /** Rewrite only these of the manifest's patch keys. Default: all of them. */
  readonly keys?: readonly string[];
  /** Publish each rewrite's object-created notification to this queue, as OpenAQ's bucket does. */
  readonly notify?: { readonly sqs: SQSClient; readonly queueUrl: string };
}

/**
 * Rewrites the manifest's 1% (or `keys` of it) with new versions (new ETags, other readings);
 * returns their rows. `ensureBenchMirror` puts the originals back.
 */
export async function patchBenchMirror(
  lake: LocalLakehouse,
  bucket: string,
  manifest: MirrorManifest,
  versionSeed: number,
  options: PatchOptions = {},
): Promise<{ files: number; rows: number }> {
  const keys = options.keys ?? manifest.patchKeys;
  const outside = keys.find((key) => !manifest.patchKeys.includes(key));
  if (outside !== undefined) {
    throw new Error(
      `bench: Expected keys of ${bucket}'s patched 1% (the manifest's patchKeys), got "${outside}"`,
    );
  }
  const client = localS3Client(lake);
  try {
    // Marked first: a crash in between leaves a bucket the next run knows to repair.
    await writeManifest(client, bucket, { ...manifest, patched: true });
    const versions = fileVersions(keys, manifest.spec.seed, versionSeed);
    if (options.notify) {
      const writer = new MirrorWriter(client, bucket, options.notify);
      const queue = new PQueue({ concurrency: UPLOAD_CONCURRENCY });
      await Promise.all(versions.map((f) => queue.add(() => writer.put(f.key, f.body))));
      await writer.flush();
    } else {
      await putAll(client, bucket, versions);
    }
    return { files: versions.length, rows: versions.reduce((sum, f) => sum + f.rows.length, 0) };
  } finally {
    client.destroy();
  }
}

/** The store the bench itself reads the mirror with (listing counts, the manifest). */
function mirrorStore(lake: LocalLakehouse, bucket: string): ArchiveStore {
  return createS3ArchiveStore({
    bucket,
    region: lake.region,
    endpoint: s3EndpointUrl(lake),
    credentials: { accessKeyId: lake.accessKeyId, secretAccessKey: lake.secretAccessKey },
    maxSockets: 4,
  });
}

async function countArchiveObjects(store: ArchiveStore): Promise<number> {
  let count = 0;
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  for await (const _ of store.listObjects(ARCHIVE_KEY_PREFIX)) count += 1;
  return count;
}

async function readManifest(store: ArchiveStore): Promise<MirrorManifest | undefined> {
  const got = await store.get(MANIFEST_KEY);
  if (got.kind === 'missing') return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(got.body)) as MirrorManifest;
  } catch {
    return undefined;
  }
}

async function writeManifest(
  client: ReturnType<typeof localS3Client>,
  bucket: string,
  manifest: MirrorManifest,
): Promise<void> {
  await putObject(client, bucket, MANIFEST_KEY, new TextEncoder().encode(JSON.stringify(manifest)));
}

function matches(manifest: MirrorManifest, spec: BenchArchiveSpec): boolean {
  return (
    manifest.version === MANIFEST_VERSION &&
    manifest.minReadingsPerDay === MIN_READINGS_PER_DAY &&
    sameSpec(manifest.spec, spec)
  );
}

const sameSpec = (a: BenchArchiveSpec, b: BenchArchiveSpec): boolean =>
  a.seed === b.seed && a.targetFiles === b.targetFiles && a.from === b.from && a.to === b.to;

async function readSeeding(store: ArchiveStore): Promise<BenchArchiveSpec | undefined> {
  const got = await store.get(SEEDING_KEY);
  if (got.kind === 'missing') return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(got.body)) as BenchArchiveSpec;
  } catch {
    return undefined;
  }
}

async function objectSizes(store: ArchiveStore): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for await (const object of store.listObjects(ARCHIVE_KEY_PREFIX))
    sizes.set(object.key, object.size);
  return sizes;
}

async function putAll(
  client: ReturnType<typeof localS3Client>,
  bucket: string,
  files: readonly { key: string; body: Uint8Array }[],
): Promise<void> {
  const queue = new PQueue({ concurrency: UPLOAD_CONCURRENCY });
  await Promise.all(files.map((f) => queue.add(() => putObject(client, bucket, f.key, f.body))));
}

const seconds = (start: number): number => (performance.now() - start) / 1000;
