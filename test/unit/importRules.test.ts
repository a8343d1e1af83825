import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The dependency rules of ../shared/STYLE.md, checked on the source text: the source and lake
 * sides never import each other, nothing below the CLI reads the process's environment or
 * arguments, and the Pulumi program never loads the job's runtime.
 */
const ROOT = resolve(import.meta.dirname, '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** What a file imports: relative imports as repository paths, packages by name. */
function importsOf(file: string): { local: string[]; packages: string[] } {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/g),
    ...text.matchAll(/(?:^|\n)\s*import\s+'([^']+)'/g),
    ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
    ...text.matchAll(/new URL\(\s*'(\.[^']+\.ts)'/g),
  ].map((match) => match[1]!);
  const local = specifiers
    .filter((s) => s.startsWith('.'))
    .map((s) => relative(ROOT, resolve(ROOT, dirname(file), s)));
  const packages = specifiers.filter((s) => !s.startsWith('.') && !s.startsWith('node:'));
  return { local, packages };
}

const JOB = tsFiles('job');
const inside = (folder: string) => (file: string) => file.startsWith(`${folder}/`);

describe('import rules', () => {
  it('job/source and job/lake never import each other', () => {
    const crossings = JOB.flatMap((file) => {
      const other = inside('job/source')(file)
        ? 'job/lake'
        : inside('job/lake')(file)
          ? 'job/source'
          : undefined;
      if (other === undefined) return [];
      return importsOf(file)
        .local.filter(inside(other))
        .map((target) => `${file} → ${target}`);
    });
    expect(crossings).toEqual([]);
  });

  it('job/source and job/lake import, besides themselves, only the shared model, the tables, config and errors', () => {
    const shared = [
      'job/tables.ts',
      'job/config.ts',
      'job/lakehouseError.ts',
      'job/redactSecrets.ts',
    ];
    const side = (file: string) => inside('job/source')(file) || inside('job/lake')(file);
    const upward = JOB.filter(side).flatMap((file) =>
      importsOf(file)
        .local.filter((target) => !side(target) && !inside('job/model')(target))
        .filter((target) => !shared.includes(target))
        .map((target) => `${file} → ${target}`),
    );
    expect(upward).toEqual([]);
  });

  it('config depends only on the shared model, the tables and the local lakehouse layout', () => {
    const config = [
      'job/config.ts',
      'job/configDefaults.ts',
      'job/configValues.ts',
      'job/resolveEndpoints.ts',
      'job/feedConfig.ts',
    ];
    const allowed = (target: string) =>
      inside('job/model')(target) ||
      config.includes(target) ||
      ['job/tables.ts', 'job/localLakehouse.ts'].includes(target);
    const upward = config.flatMap((file) =>
      importsOf(file)
        .local.filter((target) => !allowed(target))
        .map((target) => `${file} → ${target}`),
    );
    expect(upward).toEqual([]);
  });

  it('nothing below the CLI reads process.env or process.argv', () => {
    const edge = (file: string) => file === 'job/cli.ts' || inside('job/commands')(file);
    const readers = JOB.filter(
      (file) =>
        !edge(file) && /\bprocess\.(?:env|argv)\b/.test(readFileSync(join(ROOT, file), 'utf8')),
    );
    expect(readers).toEqual([]);
  });

  it('index.ts and infra/ load no part of the job that needs its runtime', () => {
    const runtime = /^(?:@duckdb\/|@aws-sdk\/|undici$|pino$|yargs$|csv-parse|p-queue$)/;
    const seen = new Set<string>();
    const loaded: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const { local, packages } = importsOf(file);
      if (inside('job')(file)) {
        loaded.push(...packages.filter((p) => runtime.test(p)).map((p) => `${file} → ${p}`));
      }
      for (const target of local) visit(target);
    };
    for (const file of ['index.ts', ...tsFiles('infra')]) visit(file);
    expect([...seen].filter(inside('job')).length).toBeGreaterThan(0); // the tables are shared
    expect(loaded).toEqual([]);
  });
});
