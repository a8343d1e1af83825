import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * What the proxy does to one commit request (`POST …/transactions/commit`):
 * - `error-after`, `drop-after`, `stall-after`: the commit IS forwarded and applied by the catalog,
 *   then the answer is replaced by a 500, a dropped connection, or no answer until the client gives up;
 * - `conflict-before`, `unavailable-before`: answered 409 / 503 without forwarding;
 * - `delay-before`: forwarded after `delayMs`.
 */
export type CommitFault =
  | 'error-after'
  | 'drop-after'
  | 'stall-after'
  | 'conflict-before'
  | 'unavailable-before'
  | 'delay-before';

export interface CommitFaultRule {
  readonly fault: CommitFault;
  /** The table the commit must touch (its name, without namespace). */
  readonly table: string;
  /** Which commit to that table is hit, 1 = the first. */
  readonly occurrence: number;
  /** For `delay-before` (default 2,000 ms); `stall-after` holds until the client closes. */
  readonly delayMs?: number;
}

export interface CatalogFaultProxy {
  readonly url: string;
  /** Rules that fired, in order, with the table they hit. */
  readonly fired: () => readonly CommitFaultRule[];
  /** Commits seen per table (including the faulted ones). */
  readonly commits: () => ReadonlyMap<string, number>;
  readonly close: () => Promise<void>;
}

/**
 * An HTTP proxy for a local Iceberg REST catalog that injects faults into chosen commits, on
 * 127.0.0.1 only. Everything that is not a chosen commit passes through unchanged, so the job sees
 * a real catalog except at the moments a test picks.
 */
export async function startCatalogFaultProxy(
  upstream: string,
  rules: readonly CommitFaultRule[],
): Promise<CatalogFaultProxy> {
  const seen = new Map<string, number>();
  const fired: CommitFaultRule[] = [];
  const sockets = new Set<Socket>();

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const rule = matchRule(request, body);
      handle(request, response, body, rule).catch((err: unknown) => {
        if (!response.headersSent) response.writeHead(502).end(String(err));
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  function matchRule(request: IncomingMessage, body: Buffer): CommitFaultRule | undefined {
    if (request.method !== 'POST' || !request.url?.endsWith('/transactions/commit')) return;
    const tables = committedTables(body);
    let hit: CommitFaultRule | undefined;
    for (const table of tables) {
      const count = (seen.get(table) ?? 0) + 1;
      seen.set(table, count);
      hit ??= rules.find((r) => r.table === table && r.occurrence === count);
    }
    if (hit) fired.push(hit);
    return hit;
  }

  async function forward(request: IncomingMessage, body: Buffer): Promise<Response> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    return fetch(upstream + (request.url ?? '/'), {
      method: request.method,
      headers,
      body: body.length > 0 ? body : undefined,
    });
  }

  async function handle(
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    rule: CommitFaultRule | undefined,
  ): Promise<void> {
    switch (rule?.fault) {
      case 'conflict-before':
        return icebergError(response, 409, 'CommitFailedException', 'injected conflict');
      case 'unavailable-before':
        return icebergError(response, 503, 'ServiceUnavailableException', 'injected 503');
      case 'delay-before':
        await new Promise((wake) => setTimeout(wake, rule.delayMs ?? 2_000));
        break;
      default:
        break;
    }
    const answer = await forward(request, body);
    const payload = Buffer.from(await answer.arrayBuffer());
    switch (rule?.fault) {
      case 'error-after':
        return icebergError(response, 500, 'RuntimeException', 'injected error after commit');
      case 'drop-after':
        request.socket.destroy();
        return;
      case 'stall-after':
        // No answer: the client's timeout decides; the socket goes when the client closes it.
        return;
      default: {
        const headers: Record<string, string> = {};
        answer.headers.forEach((value, name) => {
          if (!HOP_BY_HOP.has(name) && name !== 'content-length' && name !== 'content-encoding')
            headers[name] = value;
        });
        response.writeHead(answer.status, headers);
        response.end(payload);
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    fired: () => [...fired],
    commits: () => new Map(seen),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host']);

/** Table names a transactions/commit request changes (`table-changes[].identifier.name`). */
export function committedTables(body: Buffer): string[] {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as {
      'table-changes'?: { identifier?: { name?: string } }[];
    };
    return (parsed['table-changes'] ?? []).flatMap((change) =>
      change.identifier?.name ? [change.identifier.name] : [],
    );
  } catch {
    return [];
  }
}

function icebergError(response: ServerResponse, code: number, type: string, message: string) {
  response.writeHead(code, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ error: { message, type, code } }));
}
