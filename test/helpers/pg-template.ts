// A migrated PostgreSQL database of a test file's own, copied from a template database
// (CREATE DATABASE … TEMPLATE: about 50 ms) instead of migrating a new schema in every test file
// (over a second each, and Prisma's schema engine loaded into every test process). The template
// is migrated once per set of migrations and migration code (its name carries their hash) by
// whichever test file needs it first, under an advisory lock; it refuses connections, so copying
// it never finds anyone using it. A fresh database is still migrated on every run by
// test/e2e/faults-postgres.test.ts.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { applyMigrations } from '../../src/db/migrate.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const LOCK = 'evidence-test-template';

/** What decides the template's content: the committed migrations and the code that applies them. */
function templateName(): string {
  const hash = createHash('sha256');
  const migrations = join(root, 'prisma', 'migrations');
  for (const entry of readdirSync(migrations, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    hash.update(entry.name);
    if (entry.isDirectory()) hash.update(readFileSync(join(migrations, entry.name, 'migration.sql')));
  }
  for (const file of [join('src', 'db', 'migrate.ts'), join('src', 'db', 'database.ts')]) hash.update(readFileSync(join(root, file)));
  return `evidence_test_template_${hash.digest('hex').slice(0, 16)}`;
}

const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

async function withClient<T>(url: string, run: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await run(c);
  } finally {
    await c.end();
  }
}

async function ensureTemplate(url: string, name: string): Promise<void> {
  const exists = (c: pg.Client) => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]).then((r) => r.rowCount === 1);
  await withClient(url, async (c) => {
    if (await exists(c)) return;
    await c.query('SELECT pg_advisory_lock(hashtext($1))', [LOCK]);
    try {
      if (await exists(c)) return; // another test file made it while this one waited
      const building = `${name}_building`;
      await c.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await c.query(`CREATE DATABASE "${building}"`);
      const db = await openDatabase({ url: withDatabase(url, building) });
      try {
        await applyMigrations(db);
      } finally {
        await db.close();
      }
      // Published whole, under its final name, only once migrated.
      await c.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
      await c.query(`ALTER DATABASE "${name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
    } finally {
      await c.query('SELECT pg_advisory_unlock(hashtext($1))', [LOCK]);
    }
  });
}

/**
 * A new database on the server of `url`, copied from the migrated template; `dropDatabase()`
 * closes it and drops it. Throws when the user may not create databases (SQLSTATE 42501).
 */
export async function openCopyOfTemplate(url: string): Promise<Database & { url: string; dropDatabase(): Promise<void> }> {
  const template = templateName();
  await ensureTemplate(url, template);
  const name = `evidence_test_${randomBytes(6).toString('hex')}`;
  await withClient(url, (c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  const own = withDatabase(url, name);
  const drop = () => withClient(url, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined);
  let db: Database;
  try {
    db = await openDatabase({ url: own });
  } catch (err) {
    await drop();
    throw err;
  }
  return Object.assign(db, {
    url: own,
    async dropDatabase() {
      try {
        await db.close();
      } finally {
        await drop();
      }
    },
  });
}
