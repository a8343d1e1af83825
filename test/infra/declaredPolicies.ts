import { expect } from 'vitest';
import type { PolicyDocument } from '../../infra/policyDocument.ts';
import { actionsOf, resourcesOf } from '../../infra/policyDocument.ts';
import type { ProgramRun } from './programUnderMocks.ts';

/** The one inline policy the program attached to a role, parsed. */
export function inlinePolicyOf(run: ProgramRun, roleName: unknown): PolicyDocument {
  const attached = run
    .ofType('aws:iam/rolePolicy:RolePolicy')
    .filter((p) => p.inputs.role === roleName);
  expect(attached).toHaveLength(1);
  return JSON.parse(String(attached[0]!.inputs.policy)) as PolicyDocument;
}

/** Every grant of a policy as "action on resource". */
export const grants = (policy: PolicyDocument): string[] =>
  policy.Statement.flatMap((s) =>
    actionsOf(s).flatMap((a) => resourcesOf(s).map((r) => `${a} on ${r}`)),
  ).sort();
