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
    /** A migrated embedded-database directory (DATA_DIR/pglite) to copy for end-to-end bots. */
    pgliteDataDirTemplate: string;
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

  // The same, on disk, for bots started end to end: copying it spares each start the migrations.
  const onDisk = await openDatabase({ dataDir: join(dir, 'data-dir') });
  await applyMigrations(onDisk);
  await onDisk.close();
  project.provide('pgliteDataDirTemplate', join(dir, 'data-dir', 'pglite'));
  return () => rmSync(dir, { recursive: true, force: true });
}

async function dumpOf(db: Awaited<ReturnType<typeof openDatabase>>): Promise<Blob> {
  if (!db.dump) throw new Error('expected an embedded database');
  return db.dump();
}
