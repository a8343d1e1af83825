import * as aws from '@pulumi/aws';
import * as awsx from '@pulumi/awsx';
import * as pulumi from '@pulumi/pulumi';
import { ecrLifecyclePolicy } from './ecrLifecyclePolicy.ts';

export interface JobImageArgs {
  readonly repositoryName: string;
  /** Build context and Dockerfile, relative to the project directory. */
  readonly context: string;
  readonly dockerfile: string;
  /** e.g. linux/arm64 */
  readonly platform: string;
  /** Superseded images ECR keeps. */
  readonly keepCount: number;
}

/**
 * The job's container image: an ECR repository (scan on push, lifecycle rules, deletable with its
 * images) and the image built from the Dockerfile by BuildKit and pushed there.
 */
export class JobImage extends pulumi.ComponentResource {
  readonly repositoryArn: pulumi.Output<string>;
  /** <account>.dkr.ecr.<region>.amazonaws.com/<name> */
  readonly repositoryUrl: pulumi.Output<string>;
  /** The pushed image pinned by digest: <repositoryUrl>@sha256:… */
  readonly imageUri: pulumi.Output<string>;

  constructor(name: string, args: JobImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super('openaq-lakehouse:infra:JobImage', name, {}, opts);

    const repository = new aws.ecr.Repository(
      `${name}-repository`,
      {
        name: args.repositoryName,
        imageScanningConfiguration: { scanOnPush: true },
        // awsx reuses one tag per build inputs; the task pins the digest, so tags may move.
        imageTagMutability: 'MUTABLE',
        encryptionConfigurations: [{ encryptionType: 'AES256' }],
        forceDelete: true,
      },
      { parent: this },
    );

    new aws.ecr.LifecyclePolicy(
      `${name}-lifecycle`,
      { repository: repository.name, policy: JSON.stringify(ecrLifecyclePolicy(args.keepCount)) },
      { parent: this },
    );

    const image = new awsx.ecr.Image(
      `${name}-image`,
      {
        repositoryUrl: repository.repositoryUrl,
        context: args.context,
        dockerfile: args.dockerfile,
        platform: args.platform,
      },
      { parent: this },
    );

    this.repositoryArn = repository.arn;
    this.repositoryUrl = repository.repositoryUrl;
    this.imageUri = image.imageUri;
    this.registerOutputs({
      repositoryArn: this.repositoryArn,
      repositoryUrl: this.repositoryUrl,
      imageUri: this.imageUri,
    });
  }
}
