import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { TableDefinition } from '../job/tables.ts';
import { icebergSchema } from './icebergSchema.ts';
import { tableBucketPolicy } from './tableBucketPolicy.ts';
import { containerResourceOptions, tableResourceOptions } from './tableResourceOptions.ts';

export interface LakehouseArgs {
  readonly tableBucketName: string;
  readonly namespace: string;
  /** The tables, from `job/tables.ts`. */
  readonly tables: readonly TableDefinition[];
  /** SSE-KMS key; without it the bucket keeps S3 Tables' default SSE-S3 (AES256). */
  readonly kmsKeyArn?: string;
  /** Protect bucket, namespace and tables; when false, the bucket is also force-destroyable. */
  readonly protect: boolean;
  readonly unreferencedDays: number;
  readonly nonCurrentDays: number;
  readonly compactionTargetFileSizeMb: number;
  readonly snapshotMaxAgeHours: number;
  readonly snapshotMinCount: number;
}

/**
 * The S3 Tables side: one table bucket (encrypted, TLS-only, unreferenced-file removal on), the
 * namespace, and one Iceberg table per definition with compaction and snapshot expiry.
 */
export class Lakehouse extends pulumi.ComponentResource {
  /** arn:aws:s3tables:<region>:<account>:bucket/<name>: the job's `--table-bucket-arn`. */
  readonly tableBucketArn: pulumi.Output<string>;
  /** The Iceberg namespace, e.g. airquality. */
  readonly namespace: pulumi.Output<string>;
  /** Table name → table ARN (…/table/<table id>). */
  readonly tableArns: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: LakehouseArgs, opts?: pulumi.ComponentResourceOptions) {
    super('openaq-lakehouse:infra:Lakehouse', name, {}, opts);

    const bucket = new aws.s3tables.TableBucket(
      `${name}-bucket`,
      {
        name: args.tableBucketName,
        // Omitted, S3 Tables applies SSE-S3; the provider types kmsKeyArn as required even for
        // AES256 (terraform-provider-aws#48160), so SSE-S3 is the absence of this block.
        encryptionConfiguration: args.kmsKeyArn
          ? { sseAlgorithm: 'aws:kms', kmsKeyArn: args.kmsKeyArn }
          : undefined,
        maintenanceConfiguration: {
          icebergUnreferencedFileRemoval: {
            status: 'enabled',
            settings: {
              unreferencedDays: args.unreferencedDays,
              nonCurrentDays: args.nonCurrentDays,
            },
          },
        },
        // Deletes stray tables (made outside Pulumi) on destroy; only once protection is off.
        forceDestroy: !args.protect,
      },
      { parent: this, ...containerResourceOptions(args.protect) },
    );

    new aws.s3tables.TableBucketPolicy(
      `${name}-tls-only`,
      {
        tableBucketArn: bucket.arn,
        resourcePolicy: bucket.arn.apply((arn) => JSON.stringify(tableBucketPolicy(arn))),
      },
      { parent: this },
    );

    const namespace = new aws.s3tables.Namespace(
      `${name}-namespace`,
      { namespace: args.namespace, tableBucketArn: bucket.arn },
      { parent: this, ...containerResourceOptions(args.protect) },
    );

    const tables = args.tables.map(
      (table) =>
        new aws.s3tables.Table(
          `${name}-${table.name}`,
          {
            name: table.name,
            namespace: namespace.namespace,
            tableBucketArn: namespace.tableBucketArn,
            format: 'ICEBERG',
            metadata: icebergSchema(table),
            maintenanceConfiguration: {
              icebergCompaction: {
                status: 'enabled',
                settings: { targetFileSizeMb: args.compactionTargetFileSizeMb },
              },
              icebergSnapshotManagement: {
                status: 'enabled',
                settings: {
                  maxSnapshotAgeHours: args.snapshotMaxAgeHours,
                  minSnapshotsToKeep: args.snapshotMinCount,
                },
              },
            },
          },
          { parent: this, ...tableResourceOptions(args.protect) },
        ),
    );

    this.tableBucketArn = bucket.arn;
    this.namespace = namespace.namespace;
    this.tableArns = pulumi
      .all(tables.map((table) => table.arn))
      .apply((arns) => Object.fromEntries(args.tables.map((t, i) => [t.name, arns[i] ?? ''])));
    this.registerOutputs({
      tableBucketArn: this.tableBucketArn,
      namespace: this.namespace,
      tableArns: this.tableArns,
    });
  }
}
