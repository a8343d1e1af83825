import {
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { s3EndpointUrl, type LocalLakehouse } from '../../job/localLakehouse.ts';

/** Administrative S3 calls on the local MinIO: buckets and seeding the archive mirror. */
export function localS3Client(lake: LocalLakehouse): S3Client {
  return new S3Client({
    endpoint: s3EndpointUrl(lake),
    region: lake.region,
    forcePathStyle: true,
    credentials: { accessKeyId: lake.accessKeyId, secretAccessKey: lake.secretAccessKey },
  });
}

export async function ensureBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (err) {
    if (!(err instanceof BucketAlreadyOwnedByYou)) throw err;
  }
}

/**
 * A bucket like OpenAQ's public archive: anyone may list it and read its objects without signing
 * (the job reads the real archive unsigned, and the local mirrors the same way).
 */
export async function ensureArchiveBucket(client: S3Client, bucket: string): Promise<void> {
  await ensureBucket(client, bucket);
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: ['*'] },
        Action: ['s3:GetBucketLocation', 's3:ListBucket'],
        Resource: [`arn:aws:s3:::${bucket}`],
      },
      {
        Effect: 'Allow',
        Principal: { AWS: ['*'] },
        Action: ['s3:GetObject'],
        Resource: [`arn:aws:s3:::${bucket}/*`],
      },
    ],
  };
  await client.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
}

/** Writes an object; returns its ETag (quotes stripped). */
export async function putObject(
  client: S3Client,
  bucket: string,
  key: string,
  body: Uint8Array,
): Promise<string> {
  const answer = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return (answer.ETag ?? '').replaceAll('"', '');
}

/** Deletes every object under a prefix; returns how many. */
export async function deletePrefix(
  client: S3Client,
  bucket: string,
  prefix: string,
): Promise<number> {
  let deleted = 0;
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    const keys = (page.Contents ?? []).flatMap((object) =>
      object.Key ? [{ Key: object.Key }] : [],
    );
    if (keys.length > 0) {
      await client.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }),
      );
      deleted += keys.length;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return deleted;
}
