import type { PolicyDocument } from './policyDocument.ts';

/**
 * Trust policy letting one AWS service assume a role. With `sourceAccount`, only on behalf of
 * that account (the confused-deputy guard AWS recommends for service principals).
 */
export function assumeRolePolicy(service: string, sourceAccount?: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sts:AssumeRole',
        ...(sourceAccount
          ? { Condition: { StringEquals: { 'aws:SourceAccount': sourceAccount } } }
          : {}),
      },
    ],
  };
}
