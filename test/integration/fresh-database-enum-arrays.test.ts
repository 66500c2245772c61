// A first start migrates an empty embedded database in the running process. PGlite reads its array
// types when it opens, so without a refresh the Role[] enum array created by the migration is sent
// as a plain string and every `roles: { has: … }` query fails — the not-on-roster reply among them.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { identifyPerson } from '../../src/services/kernel/identify-person.ts';
import { PEOPLE, loadRoster, quietLogger } from '../helpers/context.ts';

describe('a database migrated in this process', () => {
  it('answers queries on enum arrays (someone not on the roster is told who to ask)', { timeout: 120_000 }, async () => {
    const db = await openDatabase({ dataDir: 'memory://' });
    try {
      await applyMigrations(db);
      const ctx = { db: db.prisma, clock: { now: () => new Date() }, log: quietLogger(), defaultTimeZone: 'Europe/London', kickOutbox() {} };
      await loadRoster(ctx);
      await expect(identifyPerson(ctx, PEOPLE.stranger)).rejects.toMatchObject({ code: 'not_on_roster', userMessage: expect.stringContaining('Alex Admin') });
      expect(await db.prisma.person.count({ where: { roles: { has: 'admin' } } })).toBeGreaterThan(0);
    } finally {
      await db.close();
    }
  });
});
