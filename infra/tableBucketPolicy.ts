import type { PolicyDocument } from './policyDocument.ts';

/**
 * The table bucket's resource policy: deny every S3 Tables request that does not arrive over TLS,
 * on the bucket and on every table in it. Access itself is granted by identity policies (same
 * account); this policy only adds the explicit deny.
 */
export function tableBucketPolicy(tableBucketArn: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3tables:*',
        Resource: [tableBucketArn, `${tableBucketArn}/table/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  };
}
