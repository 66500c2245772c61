// A fresh, migrated database per test file: PGlite from the template made in global-setup, and,
// when TEST_DATABASE_URL is set, PostgreSQL in a schema of its own (dropped afterwards).
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { applyMigrations } from '../../src/db/migrate.ts';

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
  const url = process.env.TEST_DATABASE_URL!;
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.end();
  const db = await openDatabase({ url, schema });
  await applyMigrations(db);
  return Object.assign(db, {
    schema,
    async destroy() {
      await db.close();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA "${schema}" CASCADE`);
      await c.end();
    },
  });
}
