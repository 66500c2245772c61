// `forget CONTACT`: personal data is seeded in every place it can live — the register, linked and
// unlinked evidence, outcomes, history notes, assessor feedback, countersign and IQA notes, witness
// statements, a review, a log held for a minimisation choice, sent and waiting outbox messages,
// the bot's posted messages, an export file — and after the erasure none of it remains in any
// text or JSON column of any table, nor in the updates the chat platform received. The assessment
// history stays, and says an erasure happened.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverOutbox } from '../../src/services/outbox/deliver-outbox.ts';
import { decideEntry } from '../../src/services/verification/decide-entry.ts';
import { exportPortfolio } from '../../src/services/evidence/export-portfolio.ts';
import { handleCommand } from '../../src/services/commands/handle-command.ts';
import { handleContactAction } from '../../src/services/contacts-privacy/contact-commands.ts';
import { enqueue } from '../../src/services/outbox/outbox.ts';
import { recordEvidence } from '../../src/services/evidence/record-evidence.ts';
import type { ChatMessage } from '../../src/ports/message.ts';
import { BACKENDS } from '../helpers/db.ts';
import { createTestContext, loadRoster, PEOPLE, type TestContext } from '../helpers/context.ts';
import { FakeChatPort, messageText } from '../helpers/fake-chat.ts';

const NAME = 'Quentin Blakesley';
const EMAIL = 'quentin.b@example.org';
const PHONE_DIGITS = '7700900123';

/** Every (table, column, hits) where a text, JSON or text[] column still holds the contact's data. */
async function traces(t: TestContext): Promise<string[]> {
  const cols = await t.db.prisma.$queryRawUnsafe<{ table_name: string; column_name: string }[]>(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY')`,
  );
  expect(cols.length).toBeGreaterThan(40);
  const found: string[] = [];
  for (const c of cols) {
    const v = `"${c.column_name}"::text`;
    const [row] = await t.db.prisma.$queryRawUnsafe<{ n: bigint }[]>(
      `SELECT count(*) AS n FROM "${c.table_name}"
       WHERE lower(${v}) LIKE '%quentin%' OR lower(${v}) LIKE '%blakesley%' OR lower(${v}) LIKE $1 OR lower(${v}) LIKE '%@example.org%'
          OR regexp_replace(${v}, '[^0-9]', '', 'g') LIKE $2`,
      `%${EMAIL}%`, `%${PHONE_DIGITS}%`,
    );
    if (Number(row!.n) > 0) found.push(`${c.table_name}.${c.column_name}: ${row!.n}`);
  }
  return found;
}

const clean = (text: string) => !/quentin|blakesley|@example\.org/i.test(text) && !text.toLowerCase().includes(EMAIL) && !text.replace(/\D/g, '').includes(PHONE_DIGITS);

describe.each(BACKENDS)('forget: erasing a contact everywhere (%s)', (backend) => {
  let t: TestContext;
  let slack: FakeChatPort;
  let exportDir: string;
  let n = 0;
  const cmd = (text: string, actor = PEOPLE.learner) => handleCommand(t.ctx, { actor, text, requestId: `r${++n}`, source: 'slack' });
  const deliver = () => deliverOutbox(t.ctx, { slack }, { now: new Date(t.clock.now().getTime() + 60_000) });

  beforeAll(async () => {
    t = await createTestContext(backend);
    exportDir = mkdtempSync(join(tmpdir(), 'exports-'));
    t.ctx.exportDir = exportDir;
    await loadRoster(t.ctx);
    slack = new FakeChatPort('slack');
  });
  afterAll(() => t.db.destroy());

  let linked: string, unlinked: string, reviewEntry: string;
  it('seeds the contact\'s data everywhere it can live', async () => {
    await cmd(`contact add "${NAME}" kind:candidate email:${EMAIL} phone:"07700 900123" consent:yes consent-method:"verbal on call" notice:yes next:2w`);
    // Linked evidence: the learner kept the email in the text ("Keep as written"), first name alone too.
    const held = await cmd(`log Called Quentin about the Leeds role; he asked me to write to ${EMAIL} with:"${NAME}" #U7:2.1`);
    const key = held.kind === 'message' && held.message.blocks.flatMap((b) => (b.type === 'actions' ? b.actions : [])).find((a) => a.id === 'log.keep')!.value;
    expect(key).toBeTruthy();
    const kept = await handleContactAction(t.ctx, { actor: PEOPLE.learner, requestId: 'k1', source: 'slack', actionId: 'log.keep', value: key as string });
    expect(kept.kind === 'message' && messageText(kept.message)).toContain('Evidence recorded');
    linked = (await t.db.prisma.entry.findFirstOrThrow({ where: { contact: { name: NAME } } })).id;
    // Unlinked evidence naming them in full, with the phone in the outcome (the learner ticked "keep
    // personal details as written" on the form); a confirmation DM to the learner.
    const r = await recordEvidence(t.ctx, {
      actor: PEOPLE.learner, idempotencyKey: 'u1', source: 'slack', notifyLearner: true,
      draft: { summary: `Met ${NAME} at the REC event and talked about temp work`, outcome: 'He will call back from +44 7700 900123', tags: [{ unit: 'U7', number: '1.1', raw: '#U7:1.1' }], keepPersonalData: true },
    });
    unlinked = r.entry.id;
    // A log held for a choice never made, with the phone in it.
    await cmd('log Rang Quentin Blakesley on 07700 900 123 #U7:1.2');
    // A review, logged as evidence.
    t.clock.advance(60_000);
    await cmd(`review "${NAME}" value:4 activity:3 potential:5 action:strengthen Quentin has referred two friends #U7:2.3`);
    reviewEntry = (await t.db.prisma.contactReview.findFirstOrThrow()).entryId!;
    await deliver();

    // The assessor asks for changes, naming the contact: feedback, history note, thread note, learner DM, root update.
    await decideEntry(t.ctx, { actor: PEOPLE.assessor, entryId: linked, version: 1, outcome: 'changes', feedback: `Ask ${NAME} for a witness statement, ${EMAIL}`, requestId: 'd1' });
    await deliver();
    // What the verification and IQA features store: a countersign note, an IQA note, a witness statement, a history note.
    const assessor = await t.db.prisma.person.findFirstOrThrow({ where: { externalId: 'U0ASSESS1' } });
    const iqa = await t.db.prisma.person.findFirstOrThrow({ where: { externalId: 'U0IQA1' } });
    const manager = await t.db.prisma.person.findFirstOrThrow({ where: { externalId: 'U0MANAGE1' } });
    const d = await t.db.prisma.decision.create({
      data: { entryId: unlinked, assessorId: assessor.id, outcome: 'approve', entryVersion: 1, countersignNote: `Checked with Quentin Blakesley on 07700900123` },
    });
    await t.db.prisma.iqaSample.create({ data: { decisionId: d.id, iqaId: iqa.id, week: '2026-W48', note: `Sampled: ${NAME} contact` } });
    await t.db.prisma.witnessRequest.create({ data: { entryId: linked, witnessId: manager.id, requestedById: assessor.id, statement: `I heard the call with ${NAME}.` } });
    await t.db.prisma.entryEvent.create({ data: { entryId: unlinked, action: 'iqa_action', note: `Ring ${NAME} to confirm` } });
    // A message waiting in the outbox (due later), and an export file.
    const lee = await t.db.prisma.person.findFirstOrThrow({ where: { externalId: 'U0LEARN1' } });
    await enqueue(t.db.prisma, {
      dedupeKey: 'later-1', recipientId: lee.id, kind: 'followup', notBefore: new Date(t.clock.now().getTime() + 7 * 86_400_000),
      payload: { purpose: 'followup', entryId: linked, message: { fallback: 'Follow up', blocks: [{ type: 'text', text: `Follow up with Quentin on ${EMAIL}` }] } },
    });
    const file = await exportPortfolio(t.ctx, { learner: 'U0LEARN1', format: 'html' });
    writeFileSync(join(exportDir, file.fileName), file.content);
    writeFileSync(join(exportDir, 'portfolio-priya-patel.csv'), 'nothing about them');

    expect((await traces(t)).length).toBeGreaterThanOrEqual(12);
    expect(slack.sent.some((s) => !clean(messageText(s.message)))).toBe(true);
  });

  let historyBefore: { id: string; action: string; toStatus: string | null }[];
  let entriesBefore: unknown;
  it('asks for confirmation first, and Cancel erases nothing', async () => {
    historyBefore = await t.db.prisma.entryEvent.findMany({ select: { id: true, action: true, toStatus: true }, orderBy: { id: 'asc' } });
    entriesBefore = await t.db.prisma.entry.findMany({ select: { id: true, status: true, version: true, criteria: true }, orderBy: { id: 'asc' } });
    const ask = await cmd(`forget "${NAME.toLowerCase()}"`);
    expect(ask.kind).toBe('message');
    const m = (ask as { message: ChatMessage }).message;
    expect(messageText(m)).toContain(`Erase ${NAME}'s personal data?`);
    const actions = m.blocks.flatMap((b) => (b.type === 'actions' ? b.actions : []));
    expect(actions.map((a) => a.id)).toEqual(['contact.forget_confirm', 'contact.forget_cancel']);
    const cancel = await handleContactAction(t.ctx, { actor: PEOPLE.learner, requestId: 'c1', source: 'slack', actionId: 'contact.forget_cancel', value: actions[1]!.value });
    expect(cancel.kind === 'message' && messageText(cancel.message)).toContain('nothing was erased');
    expect(await t.db.prisma.contact.count({ where: { name: NAME } })).toBe(1);
    // Someone else's click on Erase is refused.
    await expect(handleContactAction(t.ctx, { actor: PEOPLE.learner2, requestId: 'c2', source: 'slack', actionId: 'contact.forget_confirm', value: actions[0]!.value }))
      .rejects.toMatchObject({ code: 'forbidden' });
  });

  it('Erase leaves no trace in any table, and updates every posted message that showed the data', async () => {
    const contact = await t.db.prisma.contact.findFirstOrThrow({ where: { name: NAME } });
    const updatesBefore = slack.updates.length;
    const done = await handleContactAction(t.ctx, { actor: PEOPLE.learner, requestId: 'e1', source: 'slack', actionId: 'contact.forget_confirm', value: contact.id });
    expect(done.kind === 'message' && messageText(done.message)).toContain('has been erased');
    await deliver();

    expect(await traces(t)).toEqual([]);

    // Each message that showed the data now shows the scrubbed version, in place.
    const updates = slack.updates.slice(updatesBefore);
    expect(updates.length).toBeGreaterThanOrEqual(4);
    for (const u of updates) expect(clean(messageText(u.message)), messageText(u.message)).toBe(true);
    const dirty = slack.sent.filter((s) => !clean(messageText(s.message)));
    const lastShown = (ref: { conversationId: string; messageId: string }) =>
      [...slack.updates].reverse().find((u) => u.ref.conversationId === ref.conversationId && u.ref.messageId === ref.messageId)?.message;
    for (const s of dirty) {
      const now = lastShown(s.ref);
      expect(now, `message ${s.ref.messageId} "${messageText(s.message).slice(0, 60)}" was not updated`).toBeDefined();
      expect(clean(messageText(now!))).toBe(true);
    }
    // The assessor's card keeps its place and the learner's text, without the contact.
    const root = slack.sent.find((s) => s.to.userExternalId === 'U0ASSESS1' && messageText(s.message).includes('Met '))!;
    expect(messageText(lastShown(root.ref)!)).toContain('Met [erased contact] at the REC event');
    // The export the learner or an admin makes now holds none of it; the stale file is gone.
    const csv = await exportPortfolio(t.ctx, { learner: 'U0LEARN1', format: 'csv' });
    expect(clean(csv.content)).toBe(true);
    expect(readdirSync(exportDir)).toEqual(['portfolio-priya-patel.csv']);
  });

  it('keeps the assessment history intact, adding an erasure event that says when and who asked, not what', async () => {
    const after = await t.db.prisma.entryEvent.findMany({ select: { id: true, action: true, toStatus: true }, orderBy: { id: 'asc' } });
    expect(after.filter((e) => e.action !== 'erasure')).toEqual(historyBefore);
    expect(await t.db.prisma.entry.findMany({ select: { id: true, status: true, version: true, criteria: true }, orderBy: { id: 'asc' } })).toEqual(entriesBefore);
    const lee = await t.db.prisma.person.findFirstOrThrow({ where: { externalId: 'U0LEARN1' } });
    const erasures = after.filter((e) => e.action === 'erasure');
    const ids = (await t.db.prisma.entryEvent.findMany({ where: { action: 'erasure' } })).map((e) => e.entryId).sort();
    expect(ids).toEqual([linked, unlinked, reviewEntry].sort());
    const ev = await t.db.prisma.entryEvent.findFirstOrThrow({ where: { action: 'erasure', entryId: linked } });
    expect(ev).toMatchObject({ actorId: lee.id, note: "A contact's personal data was erased from this entry at the learner's request." });
    expect(erasures).toHaveLength(3);
    const e = await t.db.prisma.entry.findUniqueOrThrow({ where: { id: linked } });
    expect(e.summary).toBe('Called [erased contact] about the Leeds role; he asked me to write to [erased contact]');
    expect(e.contactId).toBeNull();
  });

  it('a second click, and a retry, erase nothing more', async () => {
    const contactId = 'already-gone';
    const again = await handleContactAction(t.ctx, { actor: PEOPLE.learner, requestId: 'e2', source: 'slack', actionId: 'contact.forget_confirm', value: contactId });
    expect(again.kind === 'message' && messageText(again.message)).toContain('already been erased');
    await expect(cmd(`forget "${NAME}"`)).rejects.toMatchObject({ userMessage: expect.stringContaining(`no contact called "${NAME}"`) });
  });
});

describe.each(BACKENDS)('forget in Teams (%s)', (backend) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(backend);
    await loadRoster(t.ctx);
  });
  afterAll(() => t.db.destroy());

  it('updates the messages the bot posted in Teams too, and leaves other learners\' namesakes alone', async () => {
    const teams = new FakeChatPort('teams');
    const slack = new FakeChatPort('slack');
    const run = (text: string, actor: typeof PEOPLE.teamsLearner | typeof PEOPLE.learner, id: string) =>
      handleCommand(t.ctx, { actor, text, requestId: id, source: actor.platform === 'teams' ? 'teams' : 'slack' });
    await run(`contact add "${NAME}" phone:07700900123 consent:yes`, PEOPLE.teamsLearner, 't1');
    await run(`log Coffee with ${NAME} about interim roles with:"${NAME}" #U14:1.1`, PEOPLE.teamsLearner, 't2');
    // Lee has a different contact with the same name.
    await run(`contact add "${NAME}" consent:yes`, PEOPLE.learner, 's1');
    await run(`log Lunch with ${NAME} with:"${NAME}" #U7:1.1`, PEOPLE.learner, 's2');
    await deliverOutbox(t.ctx, { teams, slack });
    expect(teams.sent.map((s) => messageText(s.message)).join()).toContain(`Coffee with ${NAME}`);

    const tessContact = await t.db.prisma.contact.findFirstOrThrow({ where: { owner: { externalId: PEOPLE.teamsLearner.userId } } });
    const r = await handleContactAction(t.ctx, { actor: PEOPLE.teamsLearner, requestId: 't3', source: 'teams', actionId: 'contact.forget_confirm', value: tessContact.id });
    expect(r.kind).toBe('message');
    await deliverOutbox(t.ctx, { teams, slack });
    expect(teams.updates).toHaveLength(1);
    expect(messageText(teams.updates[0]!.message)).toContain('Coffee with [erased contact] about interim roles');
    expect(slack.updates).toHaveLength(0);
    expect(await t.db.prisma.entry.count({ where: { summary: { contains: `Lunch with ${NAME}` } } })).toBe(1);
    expect(await t.db.prisma.contact.count({ where: { name: NAME } })).toBe(1);
  });
});
