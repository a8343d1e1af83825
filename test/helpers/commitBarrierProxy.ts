import { createServer, type Server } from 'node:http';

export interface CommitBarrierProxy {
  readonly url: string;
  /** How many commit requests were held and then released together. */
  readonly released: () => number;
  readonly close: () => Promise<void>;
}

/**
 * An HTTP proxy in front of an Iceberg REST catalog that holds the first commit request
 * (`POST .../transactions/commit`) until a second one arrives, then forwards both at the same
 * moment; everything else passes straight through. It makes two writers' commits reach the
 * catalog together, which is otherwise a matter of luck.
 */
export async function startCommitBarrierProxy(upstream: string): Promise<CommitBarrierProxy> {
  let waiting: (() => void) | undefined;
  let released = 0;
  const barrier = (): Promise<void> => {
    if (released > 0) return Promise.resolve();
    if (waiting) {
      released = 2;
      waiting();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 30_000); // a lone commit is not held forever
      waiting = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        const isCommit = request.method === 'POST' && request.url?.endsWith('/transactions/commit');
        if (isCommit) await barrier();
        const body = Buffer.concat(chunks);
        const answer = await fetch(upstream + (request.url ?? '/'), {
          method: request.method,
          headers: { 'content-type': request.headers['content-type'] ?? 'application/json' },
          body: body.length > 0 ? body : undefined,
        });
        response.writeHead(answer.status, {
          'content-type': answer.headers.get('content-type') ?? 'application/json',
        });
        response.end(Buffer.from(await answer.arrayBuffer()));
      })().catch((err: unknown) => {
        response.writeHead(502).end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    released: () => released,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
