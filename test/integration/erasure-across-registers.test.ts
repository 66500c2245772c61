// One person in two learners' registers under two names and one email ("Sam Taylor" for Lee,
// "Samuel Taylor" for Priya). Subject access by that email finds both records and every text that
// names either; `forget --email … --yes` leaves neither name, the email nor the phone in any column
// of any table; and subject access afterwards finds nothing because nothing is left.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOBS } from '../../jobs/registry.ts';
import { runCliCommand } from '../../src/cli/commands.ts';
import { addContact } from '../../src/services/contacts-privacy/add-contact.ts';
import { subjectAccess } from '../../src/services/contacts-privacy/subject-access.ts';
import { recordEvidence } from '../../src/services/evidence/record-evidence.ts';
import { createServices } from '../../src/services/index.ts';
import { deliverOutbox } from '../../src/services/outbox/deliver-outbox.ts';
import { decideEntry } from '../../src/services/verification/decide-entry.ts';
import { BACKENDS } from '../helpers/db.ts';
import { createTestContext, loadRoster, PEOPLE, type TestContext } from '../helpers/context.ts';
import { FakeChatPort, messageText } from '../helpers/fake-chat.ts';

const EMAIL = 'sam.taylor@example.net';
const PHONE_DIGITS = '7700900456';

/** Every table.column (text, JSON or array) that still holds either name, the email or the phone. */
async function traces(t: TestContext): Promise<string[]> {
  const cols = await t.db.prisma.$queryRawUnsafe<{ table_name: string; column_name: string }[]>(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY')`,
  );
  const found: string[] = [];
  for (const c of cols) {
    const v = `"${c.column_name}"::text`;
    const [row] = await t.db.prisma.$queryRawUnsafe<{ n: bigint }[]>(
      `SELECT count(*) AS n FROM "${c.table_name}"
       WHERE lower(${v}) LIKE '%taylor%' OR lower(${v}) ~ '(^|[^a-z])sam(uel)?([^a-z]|$)' OR lower(${v}) LIKE $1
          OR regexp_replace(${v}, '[^0-9]', '', 'g') LIKE $2`,
      `%${EMAIL}%`, `%${PHONE_DIGITS}%`,
    );
    if (Number(row!.n) > 0) found.push(`${c.table_name}.${c.column_name}: ${row!.n}`);
  }
  return found;
}

describe.each(BACKENDS)('forget --email: one person in several registers under different names (%s)', (backend) => {
  let t: TestContext;
  let slack: FakeChatPort;
  let forwarded: string;
  const deliver = () => deliverOutbox(t.ctx, { slack }, { now: new Date(t.clock.now().getTime() + 60_000) });

  beforeAll(async () => {
    t = await createTestContext(backend);
    await loadRoster(t.ctx);
    slack = new FakeChatPort('slack');
    await addContact(t.ctx, { actor: PEOPLE.learner, text: `"Sam Taylor" kind:candidate email:${EMAIL} phone:"07700 900456" consent:yes` });
    await addContact(t.ctx, { actor: PEOPLE.learner2, text: `"Samuel Taylor" kind:candidate email:${EMAIL.toUpperCase()} consent:yes` });
    await recordEvidence(t.ctx, { actor: PEOPLE.learner, idempotencyKey: 'a1', source: 'slack', text: 'Screened Sam Taylor for the Leeds role with:"Sam Taylor" #U7:2.1' });
    // Priya's texts call them by the name Lee uses: one unlinked (naming them in full, then by first
    // name), one linked to her own record.
    forwarded = (await recordEvidence(t.ctx, { actor: PEOPLE.learner2, idempotencyKey: 'b1', source: 'slack', text: 'Forwarded Sam Taylor CV to the client; Sam wants the role #U10:1.1' })).entry.id;
    const linked = await recordEvidence(t.ctx, { actor: PEOPLE.learner2, idempotencyKey: 'b2', source: 'slack', text: 'Prepped Sam for the interview with:"Samuel Taylor" #U10:1.2' });
    await deliver();
    await decideEntry(t.ctx, { actor: PEOPLE.unqualifiedAssessor, entryId: forwarded, version: 1, outcome: 'changes', feedback: 'Say what Sam Taylor thought of the role', requestId: 'd1' });
    await deliver();
    expect(linked.entry.id).toBeTruthy();
    expect((await traces(t)).length).toBeGreaterThanOrEqual(5);
  });
  afterAll(() => t.db.destroy());

  it('subject access by the email finds both records and every text naming either, under either name', async () => {
    const sa = await subjectAccess(t.ctx, { query: EMAIL });
    expect(sa.contacts.map((c) => [c.name, c.heldBy?.name]).sort()).toEqual([['Sam Taylor', 'Lee Learner'], ['Samuel Taylor', 'Priya Patel']]);
    // Priya's unlinked entry names them as "Sam Taylor", which is not her record's name.
    expect(sa.mentions.map((m) => m.summary)).toEqual(['Forwarded Sam Taylor CV to the client; Sam wants the role']);
    expect(sa.searchedFor.names.sort()).toEqual(['Sam Taylor', 'Samuel Taylor']);
    expect(sa.mentionedIn.decisions.map((d) => d.feedback)).toEqual(['Say what Sam Taylor thought of the role']);
    expect(sa.mentionedIn.messages.length).toBeGreaterThanOrEqual(2);
    // By either name: the same person, found through the shared email.
    const byName = await subjectAccess(t.ctx, { query: 'samuel taylor' });
    expect(byName.contacts.map((c) => c.name).sort()).toEqual(['Sam Taylor', 'Samuel Taylor']);
    expect(byName.mentions.map((m) => m.summary)).toEqual(['Forwarded Sam Taylor CV to the client; Sam wants the role']);
  });

  it('forget --email erases both records and both names from both registers, texts, stored and posted messages', async () => {
    const lines: string[] = [];
    const deps = { db: t.db, ctx: t.ctx, services: createServices(t.ctx), ports: { slack }, jobs: JOBS, out: (l: string) => void lines.push(l), exportDir: '' };
    expect(await runCliCommand(['forget', '--email', EMAIL], deps)).toBe(0);
    expect(lines.filter((l) => l.startsWith('would erase'))).toHaveLength(2);
    const updatesBefore = slack.updates.length;
    expect(await runCliCommand(['forget', '--email', EMAIL, '--yes'], deps), lines.join('\n')).toBe(0);
    expect(lines.filter((l) => l.startsWith('erased '))).toHaveLength(2);
    await deliver();

    expect(await traces(t)).toEqual([]);
    expect((await t.db.prisma.entry.findUniqueOrThrow({ where: { id: forwarded } })).summary).toBe('Forwarded [erased contact] CV to the client; [erased contact] wants the role');
    expect((await t.db.prisma.entry.findFirstOrThrow({ where: { summary: { startsWith: 'Prepped' } } })).summary).toBe('Prepped [erased contact] for the interview');
    // The cards already posted about Priya's entries now show the scrubbed text.
    const updates = slack.updates.slice(updatesBefore).map((u) => messageText(u.message));
    expect(updates.some((u) => u.includes('Forwarded [erased contact] CV'))).toBe(true);
    for (const u of updates) expect(u).not.toMatch(/taylor|\bsam\b/i);

    const sa = await subjectAccess(t.ctx, { query: EMAIL });
    expect([sa.contacts.length, sa.mentions.length, ...Object.values(sa.mentionedIn).map((x) => x.length)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
