import { shellQuote } from './shellQuote.ts';

/** `docker login` to the ECR registry of `repositoryUrl`, so `docker run` can pull the job image. */
export function ecrLoginCommand(region: string, repositoryUrl: string): string {
  const registry = repositoryUrl.split('/')[0] ?? repositoryUrl;
  return (
    `aws ecr get-login-password --region ${shellQuote(region)} | ` +
    `docker login --username AWS --password-stdin ${shellQuote(registry)}`
  );
}
