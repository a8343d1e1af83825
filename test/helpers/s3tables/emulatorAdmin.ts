/**
 * Administers the S3 Tables emulator from inside its namespace (run with `nsenter`, as the
 * emulator's root identity). Prints one JSON document on stdout.
 *
 *   replay <out.json>               the Pulumi program's lakehouse and task role, as API calls
 *   role <name> <policy.json>       a role holding exactly that policy, and credentials for it
 *   archive <bucket> <dir>          a public-read archive bucket holding the files under <dir>
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateNamespaceCommand,
  CreateTableBucketCommand,
  CreateTableCommand,
  GetTableCommand,
  PutTableBucketMaintenanceConfigurationCommand,
  PutTableBucketPolicyCommand,
  PutTableMaintenanceConfigurationCommand,
  S3TablesClient,
  type CreateTableCommandInput,
} from '@aws-sdk/client-s3tables';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { PolicyDocument } from '../../../infra/policyDocument.ts';
import { runProgram } from '../../infra/programUnderMocks.ts';
import { locationArn, withEmulatorDataPlane } from './emulatorDataPlane.ts';

const ROOT = { accessKeyId: 'test', secretAccessKey: 'test' };
const region = 'us-east-1';
const s3tables = new S3TablesClient({ region, credentials: ROOT });
const iam = new IAMClient({ region, credentials: ROOT });
const sts = new STSClient({ region, credentials: ROOT });

/** What `replay` created, in the emulator's ARNs. */
export interface ReplayedLakehouse {
  readonly tableBucketArn: string;
  readonly namespace: string;
  /** Table name → ARN. */
  readonly tableArns: Readonly<Record<string, string>>;
  /** Table ARN → `arn:aws:s3:::bucket/ns/table` (where the emulator keeps its files). */
  readonly tableLocations: Readonly<Record<string, string>>;
  /** The task role policy the program declares, with the emulator's ARNs in place of the mocks'. */
  readonly taskRolePolicy: PolicyDocument;
  /** The task role's trust policy as declared. */
  readonly assumeRolePolicy: string;
}

export interface RoleCredentials {
  readonly roleArn: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

type Inputs = Record<string, unknown>;
const settingsOf = (config: unknown, key: string): Inputs =>
  (config as Record<string, { status: string; settings: Inputs }> | undefined)?.[key]?.settings ??
  {};

async function replay(out: string): Promise<void> {
  const program = await runProgram({ 'aws:region': region });
  const bucketInputs = program.one('aws:s3tables/tableBucket:TableBucket');
  const mockBucketArn = String(bucketInputs.state.arn);
  const bucket = await s3tables.send(
    new CreateTableBucketCommand({ name: String(bucketInputs.inputs.name) }),
  );
  const tableBucketArn = bucket.arn!;
  const unreferenced = settingsOf(
    bucketInputs.inputs.maintenanceConfiguration,
    'icebergUnreferencedFileRemoval',
  );
  await s3tables.send(
    new PutTableBucketMaintenanceConfigurationCommand({
      tableBucketARN: tableBucketArn,
      type: 'icebergUnreferencedFileRemoval',
      value: {
        status: 'enabled',
        settings: {
          icebergUnreferencedFileRemoval: {
            unreferencedDays: Number(unreferenced.unreferencedDays),
            nonCurrentDays: Number(unreferenced.nonCurrentDays),
          },
        },
      },
    }),
  );
  const namespace = String(program.one('aws:s3tables/namespace:Namespace').inputs.namespace);
  await s3tables.send(
    new CreateNamespaceCommand({ tableBucketARN: tableBucketArn, namespace: [namespace] }),
  );

  const tableArns: Record<string, string> = {};
  const tableLocations: Record<string, string> = {};
  const arnMap = new Map<string, string>();
  for (const table of program.ofType('aws:s3tables/table:Table')) {
    const name = String(table.inputs.name);
    const created = await s3tables.send(
      new CreateTableCommand({
        tableBucketARN: tableBucketArn,
        namespace,
        name,
        format: 'ICEBERG',
        metadata: table.inputs.metadata as CreateTableCommandInput['metadata'],
      }),
    );
    const compaction = settingsOf(table.inputs.maintenanceConfiguration, 'icebergCompaction');
    await s3tables.send(
      new PutTableMaintenanceConfigurationCommand({
        tableBucketARN: tableBucketArn,
        namespace,
        name,
        type: 'icebergCompaction',
        value: {
          status: 'enabled',
          settings: {
            icebergCompaction: { targetFileSizeMB: Number(compaction.targetFileSizeMb) },
          },
        },
      }),
    );
    const snapshots = settingsOf(
      table.inputs.maintenanceConfiguration,
      'icebergSnapshotManagement',
    );
    await s3tables.send(
      new PutTableMaintenanceConfigurationCommand({
        tableBucketARN: tableBucketArn,
        namespace,
        name,
        type: 'icebergSnapshotManagement',
        value: {
          status: 'enabled',
          settings: {
            icebergSnapshotManagement: {
              maxSnapshotAgeHours: Number(snapshots.maxSnapshotAgeHours),
              minSnapshotsToKeep: Number(snapshots.minSnapshotsToKeep),
            },
          },
        },
      }),
    );
    const read = await s3tables.send(
      new GetTableCommand({ tableBucketARN: tableBucketArn, namespace, name }),
    );
    tableArns[name] = created.tableARN!;
    tableLocations[created.tableARN!] = locationArn(read.warehouseLocation!);
    arnMap.set(String(table.state.arn), created.tableARN!);
  }
  // Table ARNs first: they start with the bucket ARN.
  const toEmulatorArns = (text: string) => {
    for (const [mock, real] of arnMap) text = text.split(mock).join(real);
    return text.split(mockBucketArn).join(tableBucketArn);
  };
  const bucketPolicy = program.one('aws:s3tables/tableBucketPolicy:TableBucketPolicy');
  await s3tables.send(
    new PutTableBucketPolicyCommand({
      tableBucketARN: tableBucketArn,
      resourcePolicy: toEmulatorArns(String(bucketPolicy.inputs.resourcePolicy)),
    }),
  );
  const role = program.ofType('aws:iam/role:Role').find((r) => r.name === 'job-task-role')!;
  const rolePolicy = program
    .ofType('aws:iam/rolePolicy:RolePolicy')
    .find((p) => p.inputs.role === role.name)!;
  const result: ReplayedLakehouse = {
    tableBucketArn,
    namespace,
    tableArns,
    tableLocations,
    taskRolePolicy: JSON.parse(toEmulatorArns(String(rolePolicy.inputs.policy))) as PolicyDocument,
    assumeRolePolicy: String(role.inputs.assumeRolePolicy),
  };
  await writeFile(out, JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result));
}

async function role(name: string, file: string): Promise<void> {
  const { policy, assumeRolePolicy, tableLocations } = JSON.parse(await readFile(file, 'utf8')) as {
    policy: PolicyDocument;
    assumeRolePolicy: string;
    tableLocations: Record<string, string>;
  };
  const created = await iam.send(
    new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: assumeRolePolicy }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: name,
      PolicyName: 'task',
      PolicyDocument: JSON.stringify(withEmulatorDataPlane(policy, tableLocations)),
    }),
  );
  const roleArn = created.Role!.Arn!;
  const session = await sts.send(
    new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: name, DurationSeconds: 3600 }),
  );
  const credentials: RoleCredentials = {
    roleArn,
    accessKeyId: session.Credentials!.AccessKeyId!,
    secretAccessKey: session.Credentials!.SecretAccessKey!,
    sessionToken: session.Credentials!.SessionToken!,
  };
  console.log(JSON.stringify(credentials));
}

async function archive(bucket: string, dir: string): Promise<void> {
  const s3 = new S3Client({ region, credentials: ROOT });
  await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((err: Error) => {
    if (!/BucketAlreadyOwnedByYou/.test(err.name)) throw err;
  });
  // Like the real OpenAQ archive: anyone may list and read.
  await s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: bucket,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: false,
        IgnorePublicAcls: false,
        BlockPublicPolicy: false,
        RestrictPublicBuckets: false,
      },
    }),
  );
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: bucket,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:ListBucket',
            Resource: `arn:aws:s3:::${bucket}`,
          },
          {
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: `arn:aws:s3:::${bucket}/*`,
          },
        ],
      }),
    }),
  );
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((f) =>
    f.isFile(),
  );
  await Promise.all(
    files.map(async (file) => {
      const path = join(file.parentPath, file.name);
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: relative(dir, path),
          Body: await readFile(path),
        }),
      );
    }),
  );
  console.log(JSON.stringify({ bucket, files: files.length }));
}

const [command, ...args] = process.argv.slice(2);
if (command === 'replay') await replay(args[0]!);
else if (command === 'role') await role(args[0]!, args[1]!);
else if (command === 'archive') await archive(args[0]!, args[1]!);
else throw new Error(`emulatorAdmin: unknown command "${command}"; use replay, role or archive`);
