import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../../job/tables.ts';
import { serveMockMonitor, type MockMonitorServer } from './mockMonitorServer.ts';
import { PROJECT, REGION, type DeclaredResource } from './programUnderMocks.ts';

const root = resolve(import.meta.dirname, '../..');
const node = resolve(root, 'node_modules/.bin/node');

/**
 * Starts the SDK's program runner the way the Node.js language host does for this Pulumi.yaml
 * (`typescript: false` → PULUMI_NODEJS_TYPESCRIPT=false; no `main` → program "."), on the
 * project's Node 24, with no TypeScript loader of any kind.
 */
function runLikeTheLanguageHost(monitor: string): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(
      node,
      [
        resolve(root, 'node_modules/@pulumi/pulumi/cmd/run'),
        `--monitor=${monitor}`,
        `--project=${PROJECT}`,
        '--stack=runtime',
        `--root-directory=${root}`,
        `--pwd=${root}`,
        '.',
      ],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          PULUMI_NODEJS_TYPESCRIPT: 'false',
          PULUMI_CONFIG: JSON.stringify({ 'aws:region': REGION }),
        },
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, output }));
  });
}

describe('Pulumi.yaml on Node 24', () => {
  it('asks the Node.js runtime for no TypeScript loader and names no main', () => {
    const project = readFileSync(resolve(root, 'Pulumi.yaml'), 'utf8');
    expect(project).toMatch(/^name: openaq-lakehouse$/m);
    expect(project).toMatch(
      /^runtime:\n {2}name: nodejs\n {2}options:\n(?: {4}#.*\n)*? {4}typescript: false$/m,
    );
    expect(project).not.toMatch(/^main:/m);
  });

  describe("through the SDK's own program runner", () => {
    const declared: DeclaredResource[] = [];
    let server: MockMonitorServer;
    let run: { code: number | null; output: string };

    beforeAll(async () => {
      server = await serveMockMonitor('runtime', (resource) => declared.push(resource));
      run = await runLikeTheLanguageHost(server.address);
    }, 30_000);
    afterAll(() => server?.close());

    it('loads index.ts (and its .ts imports) and declares the whole stack', () => {
      expect(run.output).not.toMatch(/error|exception/i);
      expect(run.code).toBe(0);
      expect(declared.filter((r) => r.type === 'aws:s3tables/table:Table')).toHaveLength(
        TABLES.length,
      );
      expect(declared.map((r) => r.type)).toEqual(
        expect.arrayContaining([
          'pulumi:pulumi:Stack',
          'aws:ecs/taskDefinition:TaskDefinition',
          'aws:scheduler/schedule:Schedule',
          'awsx:ecr:Image',
        ]),
      );
    });
  });
});
