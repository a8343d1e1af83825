import { ListObjectsV2Command, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { LakehouseError } from '../lakehouseError.ts';
import { retrySourceRequest } from './sourceRetries.ts';
import type { StoreRequests } from './storeRequests.ts';

/** Every page of ListObjectsV2 under `prefix` (with `delimiter`: the common prefixes), each retried. */
export async function* listPages(
  { client, bucket, policy, onRequest, fail }: StoreRequests,
  prefix: string,
  delimiter?: string,
): AsyncGenerator<ListObjectsV2CommandOutput> {
  let token: string | undefined;
  do {
    const request = new ListObjectsV2Command({
      Bucket: bucket,
      Prefix: prefix,
      Delimiter: delimiter,
      ContinuationToken: token,
    });
    const page: ListObjectsV2CommandOutput = await retrySourceRequest(
      policy,
      `listing s3://${bucket}/${prefix}`,
      () => {
        onRequest('list');
        return client
          .send(request)
          .catch((err: unknown) => Promise.reject(fail(err, 'list', prefix)));
      },
    );
    yield page;
    if (page.IsTruncated === true && !page.NextContinuationToken) {
      throw new LakehouseError(
        'unknown',
        `source: listing s3://${bucket}/${prefix} was truncated without a continuation token`,
      );
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
}
