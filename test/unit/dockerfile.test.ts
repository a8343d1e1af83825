import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  REQUIRED_EXTENSIONS,
  duckdbPlatform,
  duckdbVersion,
} from '../../job/lake/duckdbExtensions.ts';
import { CLI_NODE_FLAGS } from '../../job/model/nodeFlags.ts';

const root = resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(resolve(root, file), 'utf8');
const packageJson = JSON.parse(read('package.json')) as {
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(read('package-lock.json')) as {
  packages: Record<string, { version: string }>;
};

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  /** Index of the stage (FROM) the instruction belongs to; -1 before the first FROM. */
  readonly stage: number;
}

/** The Dockerfile's instructions: comments dropped, `\` continuations joined. */
function parseDockerfile(text: string): Instruction[] {
  const lines = text.split('\n').filter((line) => !/^\s*#/.test(line));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  const instructions: Instruction[] = [];
  let stage = -1;
  for (const line of joined.split('\n')) {
    const match = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!match?.[1]) continue;
    if (match[1] === 'FROM') stage += 1;
    instructions.push({ keyword: match[1], args: (match[2] ?? '').trim(), stage });
  }
  return instructions;
}

const instructions = parseDockerfile(read('Dockerfile'));
const stages = instructions.filter((i) => i.keyword === 'FROM').map((i) => i.args);
const stageIndex = (name: string) => stages.findIndex((s) => s.endsWith(` AS ${name}`));
const inStage = (name: string) => instructions.filter((i) => i.stage === stageIndex(name));
const lastStage = instructions.filter((i) => i.stage === stages.length - 1);

/** Default of `ARG name=value` (quotes removed). */
function argDefault(name: string): string {
  const arg = instructions.find((i) => i.keyword === 'ARG' && i.args.startsWith(`${name}=`));
  if (!arg) throw new Error(`test: the Dockerfile has no ARG ${name}=…`);
  return arg.args.slice(name.length + 1).replace(/^"(.*)"$/, '$1');
}

/** `ENV a=b c=d` of a stage, as a map. */
function envOf(stage: readonly Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of stage.filter((x) => x.keyword === 'ENV')) {
    for (const [, key, value] of i.args.matchAll(/(\w+)=(\S+)/g)) env[key!] = value!;
  }
  return env;
}

describe('the Dockerfile and package.json agree', () => {
  it('on the DuckDB version the extensions are installed for', () => {
    const version = argDefault('DUCKDB_VERSION');
    expect(version).toBe(duckdbVersion());
    expect(packageJson.dependencies['@duckdb/node-api']).toMatch(new RegExp(`^${version}-`));
    expect(lock.packages['node_modules/@duckdb/node-api']?.version).toMatch(
      new RegExp(`^${version}-`),
    );
  });

  it('on the extension set, which is what the job loads', () => {
    expect(argDefault('DUCKDB_EXTENSIONS').split(' ')).toEqual([...REQUIRED_EXTENSIONS]);
  });

  it("on the job's command and the Node major", () => {
    const runtime = lastStage;
    const exec = (keyword: string) =>
      JSON.parse(runtime.find((i) => i.keyword === keyword)?.args ?? 'null') as unknown;
    expect(exec('ENTRYPOINT')).toEqual([
      'node',
      ...CLI_NODE_FLAGS,
      packageJson.bin['openaq-lakehouse']!.replace(/^\.\//, ''),
    ]);
    expect(exec('CMD')).toEqual(['nightly']);
    const nodeMajor = packageJson.devDependencies.node!.split('.')[0];
    expect(argDefault('NODE_IMAGE')).toBe(`node:${nodeMajor}-bookworm-slim`);
  });
});

describe('the bin', () => {
  it("runs Node with the CLI's flags, as the image does", () => {
    const shebang = read(packageJson.bin['openaq-lakehouse']!).split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${CLI_NODE_FLAGS.join(' ')}`);
  });
});

describe('the image', () => {
  it('builds every stage for the target platform, from the one Node base image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    for (const stage of stages) {
      expect(stage).not.toMatch(/--platform/);
      expect(stage).toMatch(/^(\$\{NODE_IMAGE\}|deps) AS [a-z]+$/);
    }
  });

  it('installs production dependencies only, without install scripts', () => {
    const runs = inStage('deps').filter((i) => i.keyword === 'RUN');
    expect(runs.map((r) => r.args).join(' ')).toMatch(/npm ci --omit=dev --ignore-scripts/);
    const copies = lastStage.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copies).toContain('--from=deps /app/node_modules ./node_modules');
    expect(Object.keys(packageJson.dependencies).some((d) => d.startsWith('@pulumi/'))).toBe(false);
  });

  it('installs the extensions with DuckDB at build time, for the platform the job looks up', () => {
    const extensions = inStage('extensions');
    const install = extensions.find((i) => i.keyword === 'RUN')?.args ?? '';
    expect(install).toMatch(
      /DuckDBInstance\.create\(':memory:', \{ extension_directory: process\.env\.EXTENSION_DIR \}\)/,
    );
    expect(install).toMatch(/'INSTALL ' \+ name/);
    expect(install).toContain(`arm64) platform=${duckdbPlatform('arm64')}`);
    expect(install).toContain(`amd64) platform=${duckdbPlatform('x64')}`);
    expect(extensions.some((i) => i.keyword === 'ARG' && i.args === 'TARGETARCH')).toBe(true);
    const directory = envOf(extensions).EXTENSION_DIR;
    expect(directory).toBe('/opt/duckdb-extensions');
    // The job loads from OPENAQ_EXTENSION_DIR (--extension-dir), with autoinstall off.
    expect(envOf(lastStage).OPENAQ_EXTENSION_DIR).toBe(directory);
    expect(lastStage.map((i) => i.args)).toContain(`--from=extensions ${directory} ${directory}`);
  });

  it('keeps a CA bundle in the runtime image, where DuckDB httpfs looks for it', () => {
    // node:*-slim installs ca-certificates and purges it again; DuckDB's static libcurl then
    // fails every HTTPS request ("Problem with the SSL CA cert"), so the nightly dies at ATTACH.
    const runs = lastStage.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    const install = runs.findIndex((r) =>
      /apt-get install -y --no-install-recommends ca-certificates\b/.test(r),
    );
    expect(install, 'the runtime stage installs ca-certificates').toBeGreaterThanOrEqual(0);
    expect(runs[install]).toContain('test -s /etc/ssl/certs/ca-certificates.crt');
    for (const run of runs.slice(install)) {
      expect(run).not.toMatch(/apt-get (purge|remove|autoremove)|rm [^&]*\/etc\/ssl/);
    }
    const userAt = lastStage.findIndex((i) => i.keyword === 'USER');
    const installAt = lastStage.findIndex((i) => i.args === runs[install]);
    expect(installAt).toBeLessThan(userAt);
  });

  it('runs as the unprivileged node user', () => {
    const users = lastStage.filter((i) => i.keyword === 'USER');
    expect(users.map((u) => u.args)).toEqual(['node']);
    const userAt = lastStage.indexOf(users[0]!);
    expect(lastStage.findIndex((i) => i.keyword === 'ENTRYPOINT')).toBeGreaterThan(userAt);
  });

  it('copies only what .dockerignore lets into the build context', () => {
    const ignore = read('.dockerignore')
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const allowed = ignore
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1).replace(/\/$/, ''));
    expect(allowed.sort()).toEqual(['bin', 'job', 'package-lock.json', 'package.json']);
    const fromContext = instructions
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const source of fromContext) expect(allowed).toContain(source);
  });
});

describe('the code in the image', () => {
  it('imports nothing but Node built-ins and production dependencies', () => {
    const files = ['bin', 'job'].flatMap((dir) => listFiles(resolve(root, dir)));
    expect(files.length).toBeGreaterThan(10);
    const builtins = new Set(builtinModules);
    const seen = new Set<string>();
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      for (const specifier of importedModules(source)) {
        seen.add(specifier);
        if (specifier.startsWith('.')) continue;
        if (specifier.startsWith('node:') || builtins.has(specifier)) continue;
        const name = specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : specifier.split('/')[0]!;
        expect(packageJson.dependencies, `${file} imports ${specifier}`).toHaveProperty([name]);
      }
    }
    expect([...seen]).toEqual(expect.arrayContaining(['@duckdb/node-api', 'yargs', 'node:path']));
  });
});

/** Module specifiers of static imports and re-exports, side-effect imports and import(). */
function importedModules(source: string): string[] {
  const patterns = [
    /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/g,
    /(?:^|\n)\s*import\s+'([^']+)'/g,
    /\bimport\(\s*'([^']+)'\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((m) => m[1]!));
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return listFiles(path);
    return /\.(ts|js)$/.test(entry) ? [path] : [];
  });
}
