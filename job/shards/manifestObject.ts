import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { readFile, writeFile } from 'node:fs/promises';
import type { ArchiveCredentials } from '../model/archiveSource.ts';

/** Where a manifest is kept: `s3://bucket/key`, or a local path. */
export type ManifestLocation =
  | { readonly kind: 's3'; readonly bucket: string; readonly key: string }
  | { readonly kind: 'file'; readonly path: string };

/** How S3 manifests are reached: AWS (credential chain) or an S3-compatible endpoint. */
export interface ManifestS3 {
  readonly region: string;
  readonly endpoint?: string;
  readonly credentials: Exclude<ArchiveCredentials, 'anonymous'>;
}

export function parseManifestLocation(value: string): ManifestLocation | { error: string } {
  if (!value.startsWith('s3://')) return { kind: 'file', path: value };
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(value);
  if (m === null)
    return {
      error: `Expected an S3 URL like s3://my-bucket/manifests/2016.jsonl, got \`${value}\``,
    };
  return { kind: 's3', bucket: m[1]!, key: m[2]! };
}

export async function writeManifestObject(
  location: ManifestLocation,
  text: string,
  s3: ManifestS3,
): Promise<void> {
  if (location.kind === 'file') return writeFile(location.path, text);
  await withClient(s3, (client) =>
    client.send(
      new PutObjectCommand({
        Bucket: location.bucket,
        Key: location.key,
        Body: text,
        ContentType: 'application/jsonl',
      }),
    ),
  ).catch((err: unknown) => {
    throw new Error(
      `manifest: cannot write s3://${location.bucket}/${location.key}: ${String(err)}; check the bucket exists and the credentials may PutObject`,
    );
  });
}

export async function readManifestObject(
  location: ManifestLocation,
  s3: ManifestS3,
): Promise<string> {
  if (location.kind === 'file') return readFile(location.path, 'utf8');
  return withClient(s3, async (client) => {
    const response = await client.send(
      new GetObjectCommand({ Bucket: location.bucket, Key: location.key }),
    );
    return (await response.Body?.transformToString('utf8')) ?? '';
  }).catch((err: unknown) => {
    throw new Error(
      `manifest: cannot read s3://${location.bucket}/${location.key}: ${String(err)}; check the URL and that the credentials may GetObject`,
    );
  });
}

async function withClient<T>(s3: ManifestS3, fn: (client: S3Client) => Promise<T>): Promise<T> {
  const client = new S3Client({
    region: s3.region,
    ...(s3.endpoint ? { endpoint: s3.endpoint, forcePathStyle: true } : {}),
    ...(s3.credentials === 'default-chain' ? {} : { credentials: s3.credentials }),
  });
  try {
    return await fn(client);
  } finally {
    client.destroy();
  }
}
