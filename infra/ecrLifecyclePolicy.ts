/**
 * ECR lifecycle rules for the job repository. awsx pushes every build under one stable tag (a hash
 * of the build inputs) and the task definition pins the image by digest, so each new build leaves
 * the previous image untagged: keep the newest `keep` of those for roll-back, expire the rest.
 */
export function ecrLifecyclePolicy(keep: number): {
  readonly rules: readonly Record<string, unknown>[];
} {
  if (!Number.isInteger(keep) || keep < 1) {
    throw new Error(`config: Expected \`imageKeepCount\` to be an integer >= 1, got \`${keep}\``);
  }
  return {
    rules: [
      {
        rulePriority: 1,
        description: `Keep the ${keep} newest superseded (untagged) images`,
        selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: keep },
        action: { type: 'expire' },
      },
    ],
  };
}
