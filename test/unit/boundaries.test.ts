// The layout's import rules (which folder may import what: no chat SDK in the core, Prisma only in
// src/db, Bolt and botbuilder only in their own adapter), held by a test rather than by memory.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
function sources(dir: string): string[] {
  const abs = join(root, dir);
  try {
    statSync(abs);
  } catch {
    return [];
  }
  return readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.includes('generated'))
    .map((f) => join(abs, f));
}
const imports = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
const offenders = (files: string[], bad: (spec: string, file: string) => boolean) =>
  files.flatMap((f) => imports(f).filter((s) => bad(s, f)).map((s) => `${relative(root, f)} imports ${s}`));

describe('architecture boundaries', () => {
  it('the core (src/) never imports a chat platform, an adapter or a job', () => {
    // The composition roots (main.ts, the CLI, the worker thread's own) wire adapters and jobs in.
    const roots = [join('src', 'main.ts'), join('src', 'worker', 'worker-thread.ts')];
    const core = sources('src').filter((f) => !roots.some((r) => f.endsWith(r)) && !f.includes(join('src', 'cli')));
    expect(offenders(core, (s) => /^@slack\/|^botbuilder|adapters\/|jobs\//.test(s))).toEqual([]);
  });

  it('only src/db imports Prisma', () => {
    const others = [...sources('src'), ...sources('adapters'), ...sources('jobs')].filter((f) => !f.includes(join('src', 'db')));
    expect(offenders(others, (s) => /^@prisma\/|^pglite-prisma-adapter|^@electric-sql\/pglite|^pg$/.test(s))).toEqual([]);
  });

  it('adapters never import the database layer', () => {
    expect(offenders(sources('adapters'), (s) => /src\/db\//.test(s) || /\.\.\/db\//.test(s))).toEqual([]);
  });

  it('botbuilder stays inside adapters/teams and Bolt inside adapters/slack', () => {
    const all = [...sources('src'), ...sources('adapters'), ...sources('jobs')];
    expect(offenders(all, (s, f) => /^botbuilder/.test(s) && !f.includes(join('adapters', 'teams')))).toEqual([]);
    expect(offenders(all, (s, f) => /^@slack\//.test(s) && !f.includes(join('adapters', 'slack')))).toEqual([]);
  });

  it('product code logs through pino, never console.log', () => {
    const all = [...sources('src'), ...sources('adapters'), ...sources('jobs')];
    expect(all.filter((f) => /console\.log\(/.test(readFileSync(f, 'utf8'))).map((f) => relative(root, f))).toEqual([]);
  });
});
