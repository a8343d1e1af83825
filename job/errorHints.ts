import type { ErrorFacts } from './errorFacts.ts';
import type { ErrorKind } from './lakehouseError.ts';

const HINTS: Record<ErrorKind, string> = {
  'commit-conflict':
    'another writer committed to the same table first; the job re-plans and retries',
  'commit-state-unknown':
    'the commit may or may not have been applied; the job reads the lineage of the rows (their source key and ETag) before retrying',
  transient: 'a temporary failure; it is retried with backoff',
  unreachable:
    'nothing answers there: start the local lakehouse with `npm run lakehouse -- up`, or check the endpoint',
  'credentials-expired':
    'the temporary credentials expired; the job fetches them again from the AWS credential chain before each commit and retries',
  credentials:
    'the credentials were refused: check the access key and secret (locally OPENAQ_LAKEHOUSE_ACCESS_KEY / OPENAQ_LAKEHOUSE_SECRET_KEY; on AWS, the credential chain)',
  'access-denied':
    'the credentials lack a permission: check the IAM policy for the bucket or table named above',
  'not-found': 'the object, bucket or table does not exist',
  setup: 'a setup problem: see the message',
  unsupported:
    'the engine refused the statement; retrying will not help: please report it with this message',
  unknown: '',
};

/** What to do about an error of this kind, named as precisely as its facts allow. */
export function hintFor(kind: ErrorKind, facts: ErrorFacts): string {
  if (kind === 'setup' && facts.duckdbType === 'Out of Memory') {
    return 'DuckDB ran out of memory: raise --memory-limit (OPENAQ_MEMORY_LIMIT) or commit less at a time with --commit-files / --commit-days';
  }
  if (kind === 'setup' && /SSL CA cert|SSL certificate problem/i.test(facts.text)) {
    return 'no trusted CA bundle: DuckDB reads /etc/ssl/certs/ca-certificates.crt (install the ca-certificates package)';
  }
  if (kind === 'setup' && facts.codes.includes('NoSuchBucket')) {
    return 'the bucket does not exist: check the bucket name, region and endpoint';
  }
  if (kind === 'access-denied') {
    const needed = missingPermission(facts.text);
    if (needed) return `the credentials lack a permission: ${needed}`;
  }
  if (kind === 'not-found' && facts.duckdbType === 'Catalog') {
    return 'the table does not exist, or the identity may not list it: on S3 Tables check s3tables:ListNamespaces and s3tables:ListTables (DuckDB reads a refused listing as empty)';
  }
  return HINTS[kind];
}

/**
 * The permission a refused request needed, named from the request: the action the service
 * names, else the S3 Tables Iceberg REST operation (config, load table, commit) or the data-file
 * request DuckDB reports.
 */
export function missingPermission(text: string): string | undefined {
  const named = /not authorized to perform: ([\w-]+:\w+)/.exec(text)?.[1];
  if (named === 's3tables:CreateNamespace') {
    return 'the namespace is made by Pulumi, not the job: DuckDB tried to create it because a HEAD on it was refused, which it reads as "does not exist": grant s3tables:GetNamespace on the table bucket';
  }
  if (named === 's3tables:CreateTable') {
    return 'the tables are made by Pulumi, not the job: DuckDB tried to create one because it could not see it: grant s3tables:GetTable, s3tables:GetTableMetadataLocation and s3tables:GetTableData on the tables';
  }
  if (named === 's3:PutObject') {
    return 'writing table data needs s3tables:PutTableData on the table (on S3-compatible storage, s3:PutObject)';
  }
  if (named === 's3:GetObject') {
    return 'reading table data needs s3tables:GetTableData on the table (on S3-compatible storage, s3:GetObject)';
  }
  if (named) return `add ${named} to the role's policy for the resource named above`;
  if (/GetTableInformation endpoint|LoadTable/.test(text)) {
    return 'loading a table needs s3tables:GetTableMetadataLocation and s3tables:GetTableData on the table';
  }
  if (/\/v1\/config\b/.test(text)) {
    return 'attaching needs s3tables:GetTableBucket on the table bucket';
  }
  if (/Failed to commit|\/transactions\/commit\b/.test(text)) {
    return 'committing needs s3tables:UpdateTableMetadataLocation and s3tables:PutTableData on the table';
  }
  if (/HTTP (?:GET|HEAD) error reading/.test(text)) {
    return 'reading table data needs s3tables:GetTableData on the table (on S3-compatible storage, s3:GetObject)';
  }
  if (/Unable to connect to URL s3:\/\/|HTTP (?:PUT|POST) error/.test(text)) {
    return 'writing table data needs s3tables:PutTableData on the table (on S3-compatible storage, s3:PutObject)';
  }
  return undefined;
}
