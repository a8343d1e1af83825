import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { FetchedObject, ObjectReader } from './objectReader.ts';

/** GETs through the AWS SDK: signed requests (the credential chain, or fixed keys). */
export function createSdkObjectReader(client: S3Client, bucket: string): ObjectReader {
  return {
    async read(key: string): Promise<FetchedObject> {
      const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = await response.Body?.transformToByteArray();
      if (body === undefined) throw new Error(`GET ${key} answered without a body`);
      return {
        body,
        etag: response.ETag,
        contentLength: response.ContentLength,
        lastModified: response.LastModified,
      };
    },
    close(): void {
      // The client is the store's: it closes it.
    },
  };
}
