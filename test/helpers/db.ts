// A fresh, migrated database per test file: PGlite from the template made in global-setup, and,
// when TEST_DATABASE_URL is set, PostgreSQL in a schema of its own (dropped afterwards).
import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { openInNewSchema } from './pg-schema.ts';

export type Backend = 'pglite' | 'postgresql';

/** The backends database tests run on: always PGlite, plus PostgreSQL when TEST_DATABASE_URL is set. */
export const BACKENDS: Backend[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgresql'] : ['pglite'];

export interface TestDatabase extends Database {
  /** PostgreSQL: the schema this test file owns. */
  schema?: string;
  destroy(): Promise<void>;
}

export async function createTestDatabase(backend: Backend = 'pglite'): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const template = new Blob([readFileSync(inject('pgliteTemplate'))]);
    const db = await openDatabase({ dataDir: 'memory://', loadDataDir: template });
    return Object.assign(db, { destroy: () => db.close() });
  }
  const db = await openInNewSchema(process.env.TEST_DATABASE_URL!, 'test');
  return Object.assign(db, { destroy: () => db.dropSchema() });
}
