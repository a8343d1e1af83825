/**
 * Runs the whole Pulumi program (index.ts) against Pulumi's mock monitor, no cloud and no CLI, and
 * records what it declared: every resource's type, name and inputs, plus the options the engine
 * would receive (parent, protect, ignoreChanges), which the mocks API itself does not expose.
 */
import * as pulumi from '@pulumi/pulumi';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const PROJECT = 'openaq-lakehouse';
export const STACK = 'test';
export const VPC_ID = 'vpc-0default';
export const SUBNET_IDS = ['subnet-0a', 'subnet-0b', 'subnet-0c'];

export interface DeclaredResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  /** The state the mock returned (inputs plus computed outputs such as arn). */
  readonly state: Record<string, unknown>;
  /** The parent's URN ('' for the stack's direct children). */
  readonly parent: string;
  readonly protect: boolean;
  readonly ignoreChanges: readonly string[];
}

export interface ProgramRun {
  readonly resources: readonly DeclaredResource[];
  /** The stack outputs (the program's exports), unwrapped. */
  readonly outputs: Record<string, unknown>;
  /** Resources of one type, e.g. 'aws:s3tables/table:Table'. */
  ofType(type: string): DeclaredResource[];
  /** The one resource of a type; throws unless there is exactly one. */
  one(type: string): DeclaredResource;
}

/** What the SDK hands the monitor for each resource (a protobuf RegisterResourceRequest). */
interface RegisterResourceRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProtect(): boolean;
  getIgnorechangesList(): string[];
}

interface Monitor {
  registerResource(request: RegisterResourceRequest, callback: unknown): unknown;
}

/** Sets the mocks and `config` (full keys, e.g. 'openaq-lakehouse:lookbackDays'), runs index.ts. */
export async function runProgram(config: Record<string, string>): Promise<ProgramRun> {
  const resources: DeclaredResource[] = [];
  await installMocks(STACK, (resource) => resources.push(resource));
  pulumi.runtime.setAllConfig(config);
  const program = (await import('../../index.ts')) as Record<string, unknown>;
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(program)) {
    outputs[key] = pulumi.Output.isInstance(value) ? await unwrap(value) : value;
  }
  // Waits for every registration still in flight (alarms, policies nothing exports).
  await pulumi.runtime.disconnect();

  const ofType = (type: string) => resources.filter((r) => r.type === type);
  return {
    resources,
    outputs,
    ofType,
    one(type) {
      const found = ofType(type);
      if (found.length !== 1) throw new Error(`test: expected one ${type}, found ${found.length}`);
      return found[0]!;
    },
  };
}

/**
 * Points the Pulumi SDK at its mock monitor, with AWS-shaped computed outputs, and reports each
 * declared resource with the options the engine would have received.
 */
export async function installMocks(
  stack: string,
  onResource: (resource: DeclaredResource) => void,
): Promise<void> {
  const options = new Map<string, Pick<DeclaredResource, 'parent' | 'protect' | 'ignoreChanges'>>();
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = args.inputs as Record<string, unknown>;
        const { id, state } = mockState(args.type, args.name, inputs);
        const recorded = options.get(`${args.type}::${args.name}`);
        onResource({
          type: args.type,
          name: args.name,
          inputs,
          state,
          parent: recorded?.parent ?? '',
          protect: recorded?.protect ?? false,
          ignoreChanges: recorded?.ignoreChanges ?? [],
        });
        return { id, state };
      },
      call(args) {
        switch (args.token) {
          case 'aws:index/getCallerIdentity:getCallerIdentity':
            return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/test`, userId: 'test' };
          case 'aws:ec2/getVpc:getVpc':
            return { id: VPC_ID, default: true, cidrBlock: '172.31.0.0/16' };
          case 'aws:ec2/getSubnets:getSubnets':
            return { id: REGION, ids: SUBNET_IDS };
          default:
            throw new Error(`test: no mock for the invoke ${args.token}`);
        }
      },
    },
    PROJECT,
    stack,
    false,
  );

  // The SDK talks to the monitor through registerResource(request, callback); record the options
  // of each request before the mock monitor handles it.
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    options.set(`${request.getType()}::${request.getName()}`, {
      parent: request.getParent(),
      protect: request.getProtect(),
      ignoreChanges: request.getIgnorechangesList(),
    });
    return registerResource(request, callback);
  };
}

/** An output's value; outputs are never unknown under mocks outside preview. */
export function unwrap<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

/** The computed outputs a real deployment would return, shaped like AWS's. */
function mockState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): { id: string; state: Record<string, unknown> } {
  const inputName = typeof inputs.name === 'string' ? inputs.name : name;
  const region = `${REGION}:${ACCOUNT}`;
  const withArn = (arn: string, extra: Record<string, unknown> = {}) => ({
    id: typeof extra.id === 'string' ? extra.id : `${name}-id`,
    state: { ...inputs, name: inputName, arn, ...extra },
  });
  switch (type) {
    case 'aws:s3tables/tableBucket:TableBucket': {
      const arn = `arn:aws:s3tables:${region}:bucket/${inputName}`;
      return withArn(arn, { id: arn });
    }
    case 'aws:s3tables/table:Table':
      return withArn(`${String(inputs.tableBucketArn)}/table/${tableId(inputName)}`);
    case 'aws:ecr/repository:Repository':
      return withArn(`arn:aws:ecr:${region}:repository/${inputName}`, {
        repositoryUrl: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${inputName}`,
      });
    case 'awsx:ecr:Image':
      return {
        id: '',
        state: { imageUri: `${String(inputs.repositoryUrl)}@sha256:${'ab'.repeat(32)}` },
      };
    case 'aws:cloudwatch/logGroup:LogGroup':
      return withArn(`arn:aws:logs:${region}:log-group:${inputName}`);
    case 'aws:iam/role:Role':
      return withArn(`arn:aws:iam::${ACCOUNT}:role/${inputName}`, { id: inputName });
    case 'aws:ecs/cluster:Cluster':
      return withArn(`arn:aws:ecs:${region}:cluster/${inputName}`);
    case 'aws:ecs/taskDefinition:TaskDefinition': {
      const family = String(inputs.family);
      const arnWithoutRevision = `arn:aws:ecs:${region}:task-definition/${family}`;
      return withArn(`${arnWithoutRevision}:1`, { arnWithoutRevision, revision: 1 });
    }
    case 'aws:ec2/securityGroup:SecurityGroup':
      return withArn(`arn:aws:ec2:${region}:security-group/sg-0job`, { id: 'sg-0job' });
    case 'aws:sqs/queue:Queue':
      return withArn(`arn:aws:sqs:${region}:${inputName}`, {
        url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${inputName}`,
      });
    case 'aws:sns/topic:Topic':
      return withArn(`arn:aws:sns:${region}:${inputName}`);
    case 'aws:cloudwatch/eventRule:EventRule':
      return withArn(`arn:aws:events:${region}:rule/${inputName}`);
    case 'aws:cloudwatch/metricAlarm:MetricAlarm':
      return withArn(`arn:aws:cloudwatch:${region}:alarm:${inputName}`);
    case 'aws:sfn/stateMachine:StateMachine':
      return withArn(`arn:aws:states:${region}:stateMachine:${inputName}`);
    case 'aws:s3/bucket:Bucket':
      return withArn(`arn:aws:s3:::${name}-bucket`, {
        bucket: `${name}-bucket`,
        id: `${name}-bucket`,
      });
    case 'aws:scheduler/schedule:Schedule':
      return withArn(`arn:aws:scheduler:${region}:schedule/default/${inputName}`);
    default:
      return withArn(`arn:aws:${type.split(':')[1]?.split('/')[0] ?? 'mock'}:${region}:${name}`);
  }
}

/** A stable fake S3 Tables table id (real ones are UUIDs, never the table name). */
function tableId(name: string): string {
  const hex = Buffer.from(name).toString('hex').padEnd(32, '0').slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
