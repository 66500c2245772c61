// The retention job (contacts after months without interaction, learners years after completion,
// held log texts after a day) and subject access (everything held about a person, as JSON).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retentionJob } from '../../jobs/retention.ts';
import { deliverOutbox } from '../../src/services/outbox/deliver-outbox.ts';
import { handleCommand } from '../../src/services/commands/handle-command.ts';
import { subjectAccess } from '../../src/services/contacts-privacy/subject-access.ts';
import { BACKENDS } from '../helpers/db.ts';
import { createTestContext, loadRoster, PEOPLE, type TestContext } from '../helpers/context.ts';
import { FakeChatPort, messageText } from '../helpers/fake-chat.ts';

describe.each(BACKENDS)('retention and subject access (%s)', (backend) => {
  let t: TestContext;
  let slack: FakeChatPort;
  let n = 0;
  const cmd = (text: string, actor = PEOPLE.learner) => handleCommand(t.ctx, { actor, text, requestId: `r${++n}`, source: 'slack' });
  const run = (iso: string) => retentionJob.run({ ctx: t.ctx, ports: { slack } }, new Date(iso));

  beforeAll(async () => {
    t = await createTestContext(backend);
    await loadRoster(t.ctx);
    slack = new FakeChatPort('slack');
    t.clock.set('2024-01-10T10:00:00Z');
    await cmd('contact add "Old Contact" email:old@example.net consent:yes');
    await cmd('contact add "Busy Contact" consent:yes');
    await cmd('contact add "Recent Contact" consent:yes', PEOPLE.learner2);
    await cmd('log Met Old Contact for coffee with:"Old Contact" #U7:1.1');
    await cmd('contact add "Pat Quinn" email:pat.q@example.net phone:"020 7946 0001" consent:yes', PEOPLE.learner2);
    await cmd('log Placed Pat Quinn with a client with:"Pat Quinn" #U10:1.1', PEOPLE.learner2);
    await cmd('log Rang 07700 900111 #U10:1.1', PEOPLE.learner2); // held for a choice, never made
    t.clock.set('2025-02-01T10:00:00Z');
    await cmd('log Caught up with Busy Contact with:"Busy Contact" #U7:1.2');
    await cmd('log Lunch with Recent Contact with:"Recent Contact" #U10:1.2', PEOPLE.learner2);
    await deliverOutbox(t.ctx, { slack });
  });
  afterAll(() => t.db.destroy());

  it('subject access prints everything held about a contact, and about a roster person', async () => {
    const c = await subjectAccess(t.ctx, { query: 'old@example.net' });
    expect(c.roster).toEqual([]);
    expect(c.contacts).toHaveLength(1);
    expect(c.contacts[0]).toMatchObject({ name: 'Old Contact', consent: true, heldBy: { name: 'Lee Learner' } });
    expect(c.contacts[0]!.entries.map((e) => e.summary)).toEqual(['Met Old Contact for coffee']);
    const p = await subjectAccess(t.ctx, { query: 'Priya Patel' });
    expect(p.roster).toHaveLength(1);
    expect(p.roster[0]).toMatchObject({ name: 'Priya Patel', email: 'priya@example.com' });
    expect(p.roster[0]!.entries.map((e) => e.summary)).toEqual(['Placed Pat Quinn with a client', 'Lunch with Recent Contact']);
    expect(p.roster[0]!.contacts.map((x) => x.name).sort()).toEqual(['Pat Quinn', 'Recent Contact']);
    expect(JSON.parse(JSON.stringify(p))).toBeTruthy();
  });

  it('erases contacts with no interaction for 24 months, tells the admins, and runs once a day', async () => {
    const r = await run('2026-01-11T03:15:00Z');
    expect(r).toMatchObject({ contactsErased: 2, learnersErased: 0, heldLogsDropped: 1 });
    const names = (await t.db.prisma.contact.findMany({ orderBy: { name: 'asc' } })).map((c) => c.name);
    expect(names).toEqual(['Busy Contact', 'Recent Contact']);
    expect((await t.db.prisma.entry.findFirstOrThrow({ where: { summary: { contains: 'coffee' } } })).summary).toBe('Met [erased contact] for coffee');
    const ev = await t.db.prisma.entryEvent.findFirstOrThrow({ where: { action: 'erasure' } });
    expect(ev).toMatchObject({ actorId: null, note: "A contact's personal data was erased from this entry under the centre's retention policy." });
    await deliverOutbox(t.ctx, { slack });
    const toAdmin = slack.textsFor('U0ADMIN1').join('\n');
    expect(toAdmin).toContain('Erased today: 2 contacts with no interaction for 24 months.');
    expect(toAdmin).not.toContain('Old Contact');
    expect(await run('2026-01-11T09:00:00Z')).toMatchObject({ skipped: true });
  });

  it("anonymises a learner six years after completion: text cleared, messages replaced, history kept", async () => {
    const priya = await t.db.prisma.person.findFirstOrThrow({ where: { externalId: 'U0LEARN2' } });
    await t.db.prisma.enrolment.updateMany({ where: { learnerId: priya.id }, data: { status: 'completed', completedAt: new Date('2026-03-01T00:00:00Z') } });
    expect(await run('2032-02-27T03:15:00Z')).toMatchObject({ learnersErased: 0 });
    const before = await t.db.prisma.entry.findMany({ where: { learnerId: priya.id }, include: { criteria: true } });
    const updatesBefore = slack.updates.length;
    const r = await run('2032-03-02T03:15:00Z');
    expect(r).toMatchObject({ learnersErased: 1 });
    const p = await t.db.prisma.person.findUniqueOrThrow({ where: { id: priya.id } });
    expect(p).toMatchObject({ name: 'Erased learner', email: null, timezone: null, externalId: `erased:${priya.id}` });
    expect(p.erasedAt).not.toBeNull();
    const after = await t.db.prisma.entry.findMany({ where: { learnerId: priya.id }, include: { criteria: true } });
    expect(after.map((e) => [e.id, e.status, e.criteria.length])).toEqual(before.map((e) => [e.id, e.status, e.criteria.length]));
    expect(after.every((e) => e.summary === '[erased]')).toBe(true);
    expect(await t.db.prisma.entryEvent.count({ where: { entryId: { in: after.map((e) => e.id) }, action: 'erasure' } })).toBeGreaterThanOrEqual(1);
    // Nothing about her or her contact anywhere in the database.
    const dump = JSON.stringify(await Promise.all([
      t.db.prisma.person.findMany(), t.db.prisma.entry.findMany(), t.db.prisma.entryEvent.findMany(), t.db.prisma.contact.findMany(),
      t.db.prisma.outboxMessage.findMany(), t.db.prisma.processedRequest.findMany(), t.db.prisma.jobRun.findMany(),
    ]));
    for (const s of ['Priya', 'priya@example.com', 'Pat Quinn', 'pat.q@example.net', '2079460001', 'Recent Contact']) expect(dump, s).not.toContain(s);
    // The assessor's card about her evidence now says it was erased.
    await deliverOutbox(t.ctx, { slack });
    const updates = slack.updates.slice(updatesBefore).map((u) => messageText(u.message));
    expect(updates.length).toBeGreaterThanOrEqual(1);
    for (const u of updates) expect(u).not.toMatch(/Priya|Pat Quinn/);
    expect(updates.join()).toContain("This evidence record was erased under the centre's retention policy.");
    // Subject access finds nothing left under her name.
    const sa = await subjectAccess(t.ctx, { query: 'priya@example.com' });
    expect([sa.roster.length, sa.contacts.length, sa.mentions.length]).toEqual([0, 0, 0]);
  });
});
