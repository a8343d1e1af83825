import type { PolicyDocument, PolicyStatement } from '../../../infra/policyDocument.ts';
import { actionsOf, resourcesOf } from '../../../infra/policyDocument.ts';

/**
 * The emulator's one IAM difference that matters here: AWS authorizes an S3 Tables table's data
 * files as `s3tables:GetTableData` / `s3tables:PutTableData` on the table, the emulator as plain
 * `s3:GetObject` / `s3:PutObject` on a bucket named after the table bucket, under the table's
 * `<namespace>/<table>/` prefix. This adds, for each table a statement grants those two actions
 * on, the plain-S3 equivalent: nothing more, so removing either action still takes the access away.
 */
export function withEmulatorDataPlane(
  policy: PolicyDocument,
  tableLocations: Readonly<Record<string, string>>,
): PolicyDocument {
  const extra: PolicyStatement[] = [];
  for (const [action, s3Action] of [
    ['s3tables:GetTableData', 's3:GetObject'],
    ['s3tables:PutTableData', 's3:PutObject'],
  ] as const) {
    const resources = policy.Statement.filter(
      (s) => s.Effect === 'Allow' && actionsOf(s).includes(action),
    )
      .flatMap(resourcesOf)
      .flatMap((arn) => (tableLocations[arn] ? [`${tableLocations[arn]}/*`] : []));
    if (resources.length > 0) {
      extra.push({
        Sid: `EmulatorDataPlane${s3Action.slice(3)}`,
        Effect: 'Allow',
        Action: [s3Action],
        Resource: resources,
      });
    }
  }
  return { ...policy, Statement: [...policy.Statement, ...extra] };
}

/** `s3://bucket/ns/table` → `arn:aws:s3:::bucket/ns/table`. */
export const locationArn = (location: string): string =>
  `arn:aws:s3:::${location.replace(/^s3:\/\//, '')}`;
