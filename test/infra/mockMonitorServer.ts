/**
 * Serves the Pulumi SDK's mock resource monitor over gRPC on 127.0.0.1, so that a real
 * `@pulumi/pulumi/cmd/run` process (what the Pulumi CLI's Node.js language host starts) can run the
 * program against it: the language host's launch, reproduced without the CLI, the engine or AWS.
 */
import { createRequire } from 'node:module';
import * as pulumi from '@pulumi/pulumi';
import { installMocks, type DeclaredResource } from './programUnderMocks.ts';

type Callback = (error: unknown, response?: unknown) => void;
type Handler = (call: { request: unknown }, callback: Callback) => void;

interface Grpc {
  Server: new () => {
    addService(service: Record<string, unknown>, handlers: Record<string, Handler>): void;
    bindAsync(
      address: string,
      credentials: unknown,
      done: (err: Error | null, port: number) => void,
    ): void;
    forceShutdown(): void;
  };
  ServerCredentials: { createInsecure(): unknown };
  status: { UNIMPLEMENTED: number };
}

// The SDK's own gRPC and service definition, so that both ends speak the same protocol version.
const sdkRequire = createRequire(createRequire(import.meta.url).resolve('@pulumi/pulumi'));
const grpc = sdkRequire('@grpc/grpc-js') as Grpc;
const { ResourceMonitorService } = sdkRequire('./proto/resource_grpc_pb.js') as {
  ResourceMonitorService: Record<string, { responseType: new () => ProtoMessage }>;
};

interface ProtoMessage {
  setHassupport?(value: boolean): void;
}

export interface MockMonitorServer {
  /** host:port for `--monitor`. */
  readonly address: string;
  close(): void;
}

export async function serveMockMonitor(
  stack: string,
  onResource: (resource: DeclaredResource) => void,
): Promise<MockMonitorServer> {
  await installMocks(stack, onResource);
  const monitor = pulumi.runtime.getMonitor() as unknown as Record<string, unknown>;
  const handlers: Record<string, Handler> = {};
  for (const method of Object.keys(ResourceMonitorService)) {
    handlers[method] = (call, callback) => {
      const implementation = monitor[method];
      if (typeof implementation !== 'function') {
        callback({ code: grpc.status.UNIMPLEMENTED, details: `mock monitor: no ${method}` });
        return;
      }
      // The mock monitor answers some calls with plain objects, which an in-process SDK accepts
      // but gRPC cannot serialize: turn them into the method's response message.
      const Response = ResourceMonitorService[method]!.responseType;
      (implementation as (request: unknown, callback: Callback) => void).call(
        monitor,
        call.request,
        (error, response) => {
          if (error || response instanceof Response) return callback(error, response);
          const message = new Response();
          const plain = response as { getHassupport?: () => boolean } | undefined;
          if (plain?.getHassupport) message.setHassupport?.(plain.getHassupport());
          callback(null, message);
        },
      );
    };
  }
  const server = new grpc.Server();
  server.addService(ResourceMonitorService, handlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return { address: `127.0.0.1:${port}`, close: () => server.forceShutdown() };
}
