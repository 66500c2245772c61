// A fresh, migrated database per test file: PGlite from the template made in global-setup, and,
// when TEST_DATABASE_URL is set, a PostgreSQL database of its own copied from a migrated template
// (pg-template.ts), or a schema of its own where the user may not create databases. Either is
// dropped afterwards.
import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { openInNewSchema } from './pg-schema.ts';
import { openCopyOfTemplate } from './pg-template.ts';

export type Backend = 'pglite' | 'postgresql';

/** The backends database tests run on: always PGlite, plus PostgreSQL when TEST_DATABASE_URL is set. */
export const BACKENDS: Backend[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgresql'] : ['pglite'];

export interface TestDatabase extends Database {
  /** PostgreSQL: where this test file's database is, for a second connection pool (with `schema`). */
  url?: string;
  /** PostgreSQL without CREATEDB: the schema this test file owns. */
  schema?: string;
  destroy(): Promise<void>;
}

export async function createTestDatabase(backend: Backend = 'pglite'): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const template = new Blob([readFileSync(inject('pgliteTemplate'))]);
    const db = await openDatabase({ dataDir: 'memory://', loadDataDir: template });
    return Object.assign(db, { destroy: () => db.close() });
  }
  const url = process.env.TEST_DATABASE_URL!;
  try {
    const db = await openCopyOfTemplate(url);
    return Object.assign(db, { destroy: () => db.dropDatabase() });
  } catch (err) {
    if ((err as { code?: string }).code !== '42501') throw err; // insufficient_privilege: no CREATEDB
  }
  const db = await openInNewSchema(url, 'test');
  return Object.assign(db, { url, destroy: () => db.dropSchema() });
}
