import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveLayout } from '../../scripts/lakehouse/layout.ts';
import {
  startService,
  stopService,
  type ServiceSpec,
} from '../../scripts/lakehouse/serviceProcess.ts';

async function layoutInTemp() {
  return resolveLayout({
    OPENAQ_LAKEHOUSE_DIR: await mkdtemp(join(tmpdir(), 'lakehouse-')),
    OPENAQ_LAKEHOUSE_CACHE: '/nonexistent',
  });
}

/** A tiny real HTTP service: node serving 200 on /health. */
function nodeHttpService(port: number, extra: Partial<ServiceSpec> = {}): ServiceSpec {
  const program = `require('http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`;
  return {
    name: 'probe',
    command: process.execPath,
    args: ['-e', program],
    env: {},
    host: '127.0.0.1',
    port,
    portVariable: 'PROBE_PORT',
    healthUrl: `http://127.0.0.1:${port}/health`,
    startTimeoutMs: 10_000,
    ...extra,
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const address = server.address();
  await new Promise((closed) => server.close(closed));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('local service processes', () => {
  it('refuses a port in use, naming the port, the service and the variable that moves it', async () => {
    const blocker = createServer();
    await new Promise<void>((listening) => blocker.listen(0, '127.0.0.1', listening));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      await expect(startService(await layoutInTemp(), nodeHttpService(port))).rejects.toThrow(
        `lakehouse: port ${port} on 127.0.0.1, needed by probe, is already in use by another process; stop that process or pick a free port with PROBE_PORT=<port>`,
      );
    } finally {
      blocker.close();
    }
  });

  it('starts, reuses and stops only its own process, waiting on the health check', async () => {
    const layout = await layoutInTemp();
    const spec = nodeHttpService(await freePort());
    expect(await startService(layout, spec)).toBe(true);
    expect((await fetch(spec.healthUrl)).ok).toBe(true);
    expect(await startService(layout, spec)).toBe(false); // already running: reused
    expect(await stopService(layout, 'probe')).toBe(true);
    await expect(fetch(spec.healthUrl)).rejects.toThrow();
    expect(await stopService(layout, 'probe')).toBe(false);
  });

  it('reports a service that dies during start-up with the end of its log', async () => {
    const spec = nodeHttpService(await freePort(), {
      args: ['-e', "console.error('boom: bad config'); process.exit(3)"],
    });
    await expect(startService(await layoutInTemp(), spec)).rejects.toThrow(
      /probe exited during start-up[\s\S]*boom: bad config/,
    );
  });

  it('gives up on a service that never becomes healthy, within its start timeout', async () => {
    const port = await freePort();
    const spec = nodeHttpService(port, {
      args: ['-e', 'setTimeout(() => {}, 60000)'],
      startTimeoutMs: 1_000,
    });
    const layout = await layoutInTemp();
    await expect(startService(layout, spec)).rejects.toThrow(
      `probe did not become healthy at http://127.0.0.1:${port}/health within 1s`,
    );
    await stopService(layout, 'probe');
  });
});
