import type { CatalogTarget } from '../model/catalogTarget.ts';
import { redactSecrets } from '../redactSecrets.ts';

export type {
  CatalogTarget,
  RestCatalogTarget,
  S3Storage,
  S3TablesTarget,
} from '../model/catalogTarget.ts';

/** A human description of the target, safe to log: credentials in the URIs are redacted. */
export function describeTarget(target: CatalogTarget): string {
  return redactSecrets(
    target.kind === 'rest'
      ? `Iceberg REST catalog ${target.endpoint} (storage ${target.storage.endpoint})`
      : `S3 Tables ${target.tableBucketArn}`,
  );
}
