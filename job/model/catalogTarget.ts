/** Which Iceberg catalog the job writes to, and how DuckDB reaches its data files. */
export type CatalogTarget = RestCatalogTarget | S3TablesTarget;

/** Any Iceberg REST catalog by URI, with S3-compatible storage (the embedded local lakehouse is one). */
export interface RestCatalogTarget {
  readonly kind: 'rest';
  /** e.g. http://127.0.0.1:8181 */
  readonly endpoint: string;
  /** Warehouse name or location to ATTACH ('' lets the catalog choose). */
  readonly warehouse: string;
  /** OAuth2 client credentials, or none for an open catalog such as the local one. */
  readonly oauth2?: { readonly clientId: string; readonly clientSecret: string };
  readonly storage: S3Storage;
}

/** Amazon S3 Tables by table-bucket ARN; credentials come from the AWS credential chain. */
export interface S3TablesTarget {
  readonly kind: 's3tables';
  /** arn:aws:s3tables:<region>:<account>:bucket/<name> */
  readonly tableBucketArn: string;
}

/** Static-credential access to an S3-compatible store (MinIO locally). */
export interface S3Storage {
  /** host:port of the S3 API, without scheme. */
  readonly endpoint: string;
  readonly useSsl: boolean;
  readonly urlStyle: 'path' | 'vhost';
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}
