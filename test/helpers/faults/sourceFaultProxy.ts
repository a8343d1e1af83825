import { createHash } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';

/**
 * Faults of an S3 source, applied to object GETs (listings pass through):
 * - `slowdown-burst`: from the `burst.afterGets`-th GET on, every GET for `burst.ms` gets 503 SlowDown;
 * - `internal-error`: 500 InternalError;
 * - `reset-mid-body`: headers and half the body, then the connection is dropped;
 * - `short-body`: the body cut short under a matching Content-Length, no checksum header;
 * - `flipped-byte`: one byte of the body flipped, no checksum header;
 * - `wrong-etag`: the right body under another object's ETag;
 * - `stall`: no answer at all (the client's request timeout decides);
 * - `not-found`: 404 NoSuchKey for a listed key.
 * All but the burst hit a seeded share of keys, on their first `timesPerKey` attempts.
 */
export type SourceFault =
  | 'slowdown-burst'
  | 'internal-error'
  | 'reset-mid-body'
  | 'short-body'
  | 'flipped-byte'
  | 'wrong-etag'
  | 'stall'
  | 'not-found';

export interface SourceFaultPlan {
  readonly fault: SourceFault;
  readonly seed: number;
  /** Share of keys hit, 0…1 (ignored by the burst). Default 0.3. */
  readonly share?: number;
  /** Attempts of a hit key that are faulted. Default 1. */
  readonly timesPerKey?: number;
  /** For `slowdown-burst`: when it starts (the n-th GET) and how long it lasts. */
  readonly burst?: { readonly afterGets: number; readonly ms: number };
}

export interface SourceFaultProxy {
  readonly url: string;
  /** Faults injected so far. */
  readonly injected: () => number;
  /** Object GETs seen so far. */
  readonly gets: () => number;
  readonly close: () => Promise<void>;
}

/** An HTTP proxy for a local S3 server (MinIO) that injects a fault plan, on 127.0.0.1 only. */
export async function startSourceFaultProxy(
  upstream: { readonly host: string; readonly port: number },
  plan: SourceFaultPlan,
): Promise<SourceFaultProxy> {
  const attemptsPerKey = new Map<string, number>();
  const sockets = new Set<Socket>();
  let gets = 0;
  let injected = 0;
  let burstEndsAt = 0;

  function faultFor(request: IncomingMessage): SourceFault | undefined {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const isObjectGet = request.method === 'GET' && path.split('/').filter(Boolean).length > 1;
    if (!isObjectGet) return undefined;
    gets += 1;
    if (plan.fault === 'slowdown-burst') {
      const { afterGets, ms } = plan.burst ?? { afterGets: 1, ms: 2_000 };
      if (gets === afterGets) burstEndsAt = Date.now() + ms;
      return Date.now() < burstEndsAt ? 'slowdown-burst' : undefined;
    }
    const attempt = (attemptsPerKey.get(path) ?? 0) + 1;
    attemptsPerKey.set(path, attempt);
    const hit = unitHash(`${plan.seed}:${path}`) < (plan.share ?? 0.3);
    return hit && attempt <= (plan.timesPerKey ?? 1) ? plan.fault : undefined;
  }

  const server: Server = createServer((request, response) => {
    const fault = faultFor(request);
    if (fault) injected += 1;
    if (fault === 'slowdown-burst')
      return s3Error(response, 503, 'SlowDown', 'Reduce your request rate.');
    if (fault === 'internal-error') return s3Error(response, 500, 'InternalError', 'injected');
    if (fault === 'not-found')
      return s3Error(response, 404, 'NoSuchKey', 'The specified key does not exist.');
    if (fault === 'stall') return; // the client gives up; close() drops the socket
    forward(request, (status, headers, body) => {
      respond(response, request.socket, fault, status, headers, body);
    }).catch((err: unknown) => {
      if (!response.headersSent) response.writeHead(502).end(String(err));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  async function forward(
    request: IncomingMessage,
    done: (status: number, headers: IncomingHttpHeaders, body: Buffer) => void,
  ): Promise<void> {
    const requestBody: Buffer[] = [];
    for await (const chunk of request) requestBody.push(chunk as Buffer);
    await new Promise<void>((resolve, reject) => {
      // The Host header is forwarded as sent: SigV4 signs it.
      const outgoing = httpRequest(
        {
          host: upstream.host,
          port: upstream.port,
          method: request.method,
          path: request.url,
          headers: request.headers,
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => {
            done(answer.statusCode ?? 502, answer.headers, Buffer.concat(chunks));
            resolve();
          });
          answer.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(Buffer.concat(requestBody));
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    injected: () => injected,
    gets: () => gets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function respond(
  response: ServerResponse,
  socket: Socket,
  fault: SourceFault | undefined,
  status: number,
  upstreamHeaders: IncomingHttpHeaders,
  body: Buffer,
): void {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(upstreamHeaders)) {
    if (typeof value !== 'string' || name === 'transfer-encoding' || name === 'connection')
      continue;
    // Objects uploaded without a checksum get none back: the faults that damage a body model those.
    if ((fault === 'short-body' || fault === 'flipped-byte') && name.startsWith('x-amz-checksum'))
      continue;
    headers[name] = value;
  }
  let payload = body;
  if (status === 200 && fault === 'short-body')
    payload = body.subarray(0, Math.floor(body.length / 2));
  if (status === 200 && fault === 'flipped-byte' && body.length > 20) {
    payload = Buffer.from(body);
    const at = Math.floor(body.length / 2);
    payload[at] = (payload[at] ?? 0) ^ 0x5a;
  }
  if (status === 200 && fault === 'wrong-etag')
    headers.etag = `"${createHash('md5').update('other').digest('hex')}"`;
  headers['content-length'] = String(payload.length);
  response.writeHead(status, headers);
  if (status === 200 && fault === 'reset-mid-body') {
    response.write(payload.subarray(0, Math.floor(payload.length / 2)), () => socket.destroy());
    return;
  }
  response.end(payload);
}

function s3Error(response: ServerResponse, status: number, code: string, message: string): void {
  response.writeHead(status, { 'content-type': 'application/xml' });
  response.end(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  );
}

/** A stable number in [0, 1) for a string: which keys a seeded plan hits. */
function unitHash(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}
