import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalLakehouse } from '../../job/localLakehouse.ts';
import { run } from './run.ts';

export const JOB_POLICY_NAME = 'openaq-job';

/**
 * What the job may do in the local MinIO, like the task role on AWS: read every bucket (the mirror
 * and the warehouse) and write new objects, but never delete or overwrite-by-delete. DuckDB's
 * iceberg extension sends a DELETE for a data file after a commit whose answer it did not get
 * (the commit may have landed): without s3:DeleteObject that request is refused and the committed
 * snapshot keeps its files.
 */
export function jobPolicy(lake: LocalLakehouse): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadEverything',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:ListBucket', 's3:GetBucketLocation'],
        Resource: ['arn:aws:s3:::*'],
      },
      {
        Sid: 'WriteTableFiles',
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        Resource: [`arn:aws:s3:::${lake.warehouseBucket}/*`],
      },
    ],
  };
}

/**
 * Creates (or updates) the job's MinIO user and its policy; idempotent. Configured as the root user
 * itself, the job runs as root, which no policy restrains.
 */
export async function ensureJobUser(lake: LocalLakehouse, minioAdmin: string): Promise<void> {
  if (lake.job.accessKeyId === lake.accessKeyId) return;
  const folder = await mkdtemp(join(tmpdir(), 'openaq-job-policy-'));
  try {
    const policyFile = join(folder, 'policy.json');
    await writeFile(policyFile, JSON.stringify(jobPolicy(lake)));
    await run(
      minioAdmin,
      [
        '-endpoint',
        `${lake.host}:${lake.s3Port}`,
        '-root-user',
        lake.accessKeyId,
        '-root-password',
        lake.secretAccessKey,
        '-user',
        lake.job.accessKeyId,
        '-password',
        lake.job.secretAccessKey,
        '-policy-name',
        JOB_POLICY_NAME,
        '-policy-file',
        policyFile,
      ],
      { purpose: `create the job's MinIO user ${lake.job.accessKeyId}` },
    );
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
