// A migrated database in a PostgreSQL schema of its own, dropped with it: each database test file
// (test/helpers/db.ts) and the sweep benchmark (bench/jobs.ts) run in one, side by side on one server.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { applyMigrations } from '../../src/db/migrate.ts';

export async function openInNewSchema(url: string, prefix: string): Promise<Database & { schema: string; dropSchema(): Promise<void> }> {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const sql = async (text: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(text);
    } finally {
      await c.end();
    }
  };
  await sql(`CREATE SCHEMA "${schema}"`);
  const db = await openDatabase({ url, schema });
  await applyMigrations(db);
  return Object.assign(db, {
    schema,
    async dropSchema() {
      await db.close();
      await sql(`DROP SCHEMA "${schema}" CASCADE`);
    },
  });
}
