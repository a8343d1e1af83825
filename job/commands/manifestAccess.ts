import { ConfigError, type ArchiveSource } from '../config.ts';
import {
  parseManifestLocation,
  type ManifestLocation,
  type ManifestS3,
} from '../shards/manifestObject.ts';

/** `--out` / `--manifest`: a local path or s3://bucket/key, checked before any I/O. */
export function manifestLocation(flag: string, value: string): ManifestLocation {
  const parsed = parseManifestLocation(value);
  if ('error' in parsed) throw new ConfigError(`\`${flag}\`: ${parsed.error}`);
  return parsed;
}

/**
 * S3 manifests are read and written at the archive's endpoint (the local MinIO on the local
 * target), with the job's keys there, else on AWS in `awsRegion` (the task's AWS_REGION) with the
 * credential chain (the public archive itself is read anonymously, which cannot write).
 */
export const manifestS3 = (source: ArchiveSource, awsRegion: string | undefined): ManifestS3 => ({
  region: source.endpoint ? (source.region ?? 'us-east-1') : (awsRegion ?? 'us-east-1'),
  ...(source.endpoint ? { endpoint: source.endpoint } : {}),
  credentials:
    source.credentials !== 'anonymous'
      ? source.credentials
      : (source.sideCredentials ?? 'default-chain'),
});
