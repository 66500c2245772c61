import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, migrationStatus, readMigrationsList } from '../../src/db/migrate.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../helpers/db.ts';

describe.each(BACKENDS)('migrations and the history table (%s)', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(backend);
  });
  afterAll(() => db.destroy());

  it('has applied every committed migration, and applying again does nothing', async () => {
    const committed = readMigrationsList().migrationDirectories.map((d) => d.path);
    const status = await migrationStatus(db);
    expect(status.applied.map((a) => a.name)).toEqual(committed);
    expect(status.pending).toEqual([]);
    expect(await applyMigrations(db)).toEqual([]);
  });

  it('keeps the entry history append-only: no deletes, no rewrites but of the note', async () => {
    const p = db.prisma;
    const ws = await p.workspace.create({ data: { platform: 'slack', externalId: 'T-hist' } });
    const learner = await p.person.create({ data: { workspaceId: ws.id, platform: 'slack', externalId: 'U-h', name: 'H', roles: ['learner'] } });
    const enrolment = await p.enrolment.create({ data: { learnerId: learner.id, qualificationId: '601/7920/X' } });
    const entry = await p.entry.create({
      data: { learnerId: learner.id, enrolmentId: enrolment.id, occurredAt: new Date(), summary: 's', idempotencyKey: 'hist', source: 'cli',
        events: { create: { action: 'created', toStatus: 'pending', note: 'with Sam Taylor' } } },
      include: { events: true },
    });
    const ev = entry.events[0]!;
    await expect(p.entryEvent.delete({ where: { id: ev.id } })).rejects.toThrow(/append-only/);
    await expect(p.entryEvent.update({ where: { id: ev.id }, data: { action: 'approved' } })).rejects.toThrow(/append-only/);
    await p.entryEvent.update({ where: { id: ev.id }, data: { note: '[erased contact]' } });
    expect((await p.entryEvent.findUniqueOrThrow({ where: { id: ev.id } })).note).toBe('[erased contact]');
  });
});
