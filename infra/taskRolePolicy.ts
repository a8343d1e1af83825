import type { PolicyDocument, PolicyStatement } from './policyDocument.ts';

/**
 * S3 Tables actions the job needs on the table bucket. DuckDB talks to the S3 Tables Iceberg REST
 * endpoint, which translates each REST call into S3 Tables operations: the catalog config
 * (GetTableBucket), `CREATE SCHEMA IF NOT EXISTS` and the table listing (GetNamespace,
 * ListNamespaces, ListTables). The namespace and the tables are Pulumi's, so the job never needs
 * CreateNamespace or CreateTable, and nothing deletes or renames.
 */
export const BUCKET_ACTIONS = [
  's3tables:GetTableBucket',
  's3tables:GetNamespace',
  's3tables:ListNamespaces',
  's3tables:ListTables',
] as const;

/**
 * S3 Tables actions the job needs on its tables: load a table (GetTable,
 * GetTableMetadataLocation), read and write its data and metadata files (GetTableData,
 * PutTableData), and commit inserts, deletes, schema and partition-spec changes
 * (UpdateTableMetadataLocation).
 */
export const TABLE_ACTIONS = [
  's3tables:GetTable',
  's3tables:GetTableMetadataLocation',
  's3tables:GetTableData',
  's3tables:PutTableData',
  's3tables:UpdateTableMetadataLocation',
] as const;

/** Read-only actions on the OpenAQ archive bucket. */
export const ARCHIVE_BUCKET_ACTIONS = ['s3:ListBucket'] as const;
export const ARCHIVE_OBJECT_ACTIONS = ['s3:GetObject'] as const;

/** Actions on the table bucket's KMS key, when the bucket uses SSE-KMS. */
export const KMS_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'] as const;

export interface TaskRolePolicyArgs {
  /** arn:aws:s3tables:<region>:<account>:bucket/<name> */
  readonly tableBucketArn: string;
  /** The exact ARNs of the tables the job reads and writes. */
  readonly tableArns: readonly string[];
  /** The OpenAQ archive bucket name, e.g. openaq-data-archive. */
  readonly archiveBucket: string;
  /** The table bucket's KMS key, if it uses SSE-KMS. */
  readonly kmsKeyArn?: string;
}

/** The job's task role: only what a nightly run or a backfill does, on only our resources. */
export function taskRolePolicy(args: TaskRolePolicyArgs): PolicyDocument {
  if (args.tableArns.length === 0) {
    throw new Error('infra: Expected at least one table ARN for the task role policy, got none');
  }
  const statements: PolicyStatement[] = [
    {
      Sid: 'TableBucket',
      Effect: 'Allow',
      Action: BUCKET_ACTIONS,
      Resource: args.tableBucketArn,
    },
    { Sid: 'Tables', Effect: 'Allow', Action: TABLE_ACTIONS, Resource: args.tableArns },
    {
      Sid: 'ArchiveList',
      Effect: 'Allow',
      Action: ARCHIVE_BUCKET_ACTIONS,
      Resource: `arn:aws:s3:::${args.archiveBucket}`,
    },
    {
      Sid: 'ArchiveRead',
      Effect: 'Allow',
      Action: ARCHIVE_OBJECT_ACTIONS,
      Resource: `arn:aws:s3:::${args.archiveBucket}/*`,
    },
  ];
  if (args.kmsKeyArn) {
    statements.push({
      Sid: 'TableBucketKey',
      Effect: 'Allow',
      Action: KMS_ACTIONS,
      Resource: args.kmsKeyArn,
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}
