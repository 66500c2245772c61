// Runs once before the suite: migrates an in-memory PGlite and saves its data directory, so each
// test file starts from a migrated copy in milliseconds instead of re-running the migrations.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../src/db/database.ts';
import { applyMigrations } from '../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'evidence-test-'));
  const db = await openDatabase({ dataDir: 'memory://' });
  await applyMigrations(db);
  const dump = await dumpOf(db);
  await db.close();
  const file = join(dir, 'template.tar');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', file);
  return () => rmSync(dir, { recursive: true, force: true });
}

async function dumpOf(db: Awaited<ReturnType<typeof openDatabase>>): Promise<Blob> {
  if (!db.dump) throw new Error('expected an embedded database');
  return db.dump();
}
