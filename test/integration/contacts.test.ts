// The contact register and relationship reviews as a learner uses them through the typed commands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleCommand } from '../../src/services/commands/handle-command.ts';
import { handleContactAction, submitContactForm, submitReviewForm } from '../../src/services/contacts-privacy/contact-commands.ts';
import { listDueReviews } from '../../src/services/contacts-privacy/list-contacts.ts';
import { BACKENDS } from '../helpers/db.ts';
import { createTestContext, loadRoster, PEOPLE, type TestContext } from '../helpers/context.ts';
import { messageText } from '../helpers/fake-chat.ts';

describe.each(BACKENDS)('contact register and reviews (%s)', (backend) => {
  let t: TestContext;
  let n = 0;
  const run = async (text: string, actor = PEOPLE.learner) => {
    const r = await handleCommand(t.ctx, { actor, text, requestId: `req-${++n}`, source: 'slack' });
    return r;
  };
  const say = async (text: string, actor = PEOPLE.learner) => {
    const r = await run(text, actor);
    if (r.kind !== 'message') throw new Error(`expected a message, got ${r.kind}`);
    return { text: messageText(r.message), message: r.message };
  };

  beforeAll(async () => {
    t = await createTestContext(backend);
    await loadRoster(t.ctx);
  });
  afterAll(() => t.db.destroy());

  it('adds a contact with consent: when, how, and the privacy notice', async () => {
    const r = await say('contact add "Sam Taylor" org:"Acme Ltd" kind:candidate email:Sam@Example.com phone:"07700 900123" channel:phone availability:"weekday mornings" consent:yes consent-method:"verbal on call" notice:yes');
    expect(r.text).toContain('Added Sam Taylor in your contacts.');
    expect(r.text).toContain('Candidate · Acme Ltd · prefers Phone · weekday mornings');
    expect(r.text).toContain('✓ Consent given 23 Nov 2026 (verbal on call) · privacy notice sent 23 Nov 2026');
    const c = await t.db.prisma.contact.findFirstOrThrow({ where: { name: 'Sam Taylor' } });
    expect(c).toMatchObject({ email: 'sam@example.com', phone: '+447700900123', consent: true, consentMethod: 'verbal on call', kind: 'candidate' });
    expect(c.consentAt?.toISOString()).toBe('2026-11-23T10:00:00.000Z');
    expect(c.noticeSentAt?.toISOString()).toBe('2026-11-23T10:00:00.000Z');
  });

  it('re-adding the same name updates it, and the same request twice changes nothing', async () => {
    t.clock.advance(3_600_000);
    const r = await say('contact add "sam taylor" consent:yes notice:yes');
    expect(r.text).toContain('Updated Sam Taylor');
    const c = await t.db.prisma.contact.findFirstOrThrow({ where: { name: 'Sam Taylor' } });
    // Consent and notice were already recorded: their times do not move.
    expect(c.consentAt?.toISOString()).toBe('2026-11-23T10:00:00.000Z');
    expect(await t.db.prisma.contact.count()).toBe(1);
  });

  it('refuses a malformed email or phone, saying how to fix it, and changes nothing', async () => {
    await expect(run('contact add "Ali Khan" email:ali@@example')).rejects.toMatchObject({ userMessage: expect.stringContaining('should look like `sam@example.com`') });
    await expect(run('contact add "Ali Khan" phone:123')).rejects.toMatchObject({ userMessage: expect.stringContaining('07700 900123') });
    expect(await t.db.prisma.contact.count({ where: { name: 'Ali Khan' } })).toBe(0);
  });

  it('the contact form saved over an existing contact changes only what was filled in', async () => {
    const r = await submitContactForm(t.ctx, { actor: PEOPLE.learner, requestId: 'v0', source: 'slack', values: { name: 'Sam Taylor', phone: '020 7946 0000', notice: 'yes' } });
    expect(r.kind === 'message' && messageText(r.message)).toContain('Updated Sam Taylor');
    expect(await t.db.prisma.contact.findFirstOrThrow({ where: { name: 'Sam Taylor' } })).toMatchObject({
      phone: '+442079460000', email: 'sam@example.com', org: 'Acme Ltd', channel: 'phone', consentMethod: 'verbal on call',
    });
    await expect(submitContactForm(t.ctx, { actor: PEOPLE.learner, requestId: 'v0b', source: 'slack', values: { name: 'Sam Taylor', email: 'nope' } }))
      .rejects.toMatchObject({ details: { field: 'email' } });
  });

  it('opens the contact form for `contact add` alone', async () => {
    expect(await run('contact add')).toEqual({ kind: 'form', form: 'contact' });
  });

  it('a contact without consent is listed with a warning, and logging with them warns', async () => {
    await say('contact add "Jo Bloggs" kind:client channel:email');
    const list = await say('contacts');
    expect(list.text).toContain('Your contacts (1–2 of 2)');
    expect(list.text).toMatch(/Jo Bloggs\nClient · prefers Email · no logged contact yet/);
    expect(list.text).toContain('⚠ Consent not recorded · privacy notice not sent');
    const log = await say('log Called Jo to take a job brief with:"Jo Bloggs" #U7:1.1');
    expect(log.text).toContain('with Jo Bloggs');
    expect(log.text).toContain('No consent is recorded for Jo Bloggs');
    const entry = await t.db.prisma.entry.findFirstOrThrow({ where: { summary: { contains: 'job brief' } }, include: { contact: true } });
    expect(entry.contact?.name).toBe('Jo Bloggs');
    expect(entry.contact?.lastInteractionAt).not.toBeNull();
    expect((await say('contacts')).text).toContain('last contact 23 Nov 2026');
  });

  it('logging with a contact who refused consent says so', async () => {
    await say('contact add "Ray Refused" consent:no');
    const log = await say('log Passed Ray a role by email with:"Ray Refused" #U7:1.1');
    expect(log.text).toContain('Ray Refused refused or withdrew consent');
    const ask = await say('forget "Ray Refused"');
    const erase = ask.message.blocks.flatMap((b) => (b.type === 'actions' ? b.actions : []))[0]!;
    await handleContactAction(t.ctx, { actor: PEOPLE.learner, requestId: 'ray', source: 'slack', actionId: erase.id, value: erase.value });
  });

  it('pages the register', async () => {
    for (let i = 1; i <= 11; i++) await say(`contact add "Person ${String(i).padStart(2, '0')}" kind:other`);
    const first = await run('contacts');
    expect(first.kind === 'message' && first.message.blocks.at(-2)).toMatchObject({ type: 'actions', actions: [{ id: 'contacts.more', value: '1' }] });
    const more = await handleContactAction(t.ctx, { actor: PEOPLE.learner, requestId: 'x', source: 'slack', actionId: 'contacts.more', value: '1' });
    expect(more.kind === 'message' && messageText(more.message)).toContain('Your contacts (11–13 of 13)');
    // Another learner sees none of them.
    expect((await say('contacts', PEOPLE.learner2)).text).toContain('Your contact register is empty');
  });

  it('lists contacts due for review after the interval, and records a review as evidence', async () => {
    expect((await say('review')).text).toContain('Nothing is due');
    t.clock.advance(9 * 7 * 86_400_000);
    const due = await listDueReviews(t.ctx, { actor: PEOPLE.learner });
    expect(due.due.map((c) => c.name)).toContain('Sam Taylor');
    const r = await say('review "Sam Taylor" value:4 activity:2 potential:5 action:strengthen Placed twice this year but we have not spoken since; a monthly call keeps them warm. #U7:2.1');
    expect(r.text).toContain('Review of Sam Taylor recorded.');
    expect(r.text).toContain('Logged as evidence and sent to your assessor.');
    expect(r.text).toMatch(/Next contact \d+ \w+ 2027 by Phone/);
    const review = await t.db.prisma.contactReview.findFirstOrThrow({ include: { contact: true } });
    expect(review).toMatchObject({ value: 4, activity: 2, potential: 5, action: 'strengthen' });
    const entry = await t.db.prisma.entry.findUniqueOrThrow({ where: { id: review.entryId! }, include: { criteria: true } });
    expect(entry.summary).toMatch(/^Relationship review of Sam Taylor: value 4\/5, activity level 2\/5, potential 5\/5\. Action: strengthen\./);
    expect(entry.criteria).toEqual([expect.objectContaining({ number: '2.1' })]);
    expect(entry.contactId).toBe(review.contactId);
    // Two weeks after "strengthen", at 09:00 local; a review is not an interaction.
    expect(review.contact.nextContactAt).not.toBeNull();
    expect(review.contact.lastInteractionAt).toBeNull();
    expect((await listDueReviews(t.ctx, { actor: PEOPLE.learner })).due.map((c) => c.name)).not.toContain('Sam Taylor');
  });

  it('records a review once however often the form is submitted, and refuses bad scores', async () => {
    const c = await t.db.prisma.contact.findFirstOrThrow({ where: { name: 'Jo Bloggs' } });
    const values = { contactId: c.id, value: '2', activity: '1', potential: '1', action: 'discontinue' as const, rationale: 'Role filled elsewhere; no further need.' };
    const input = { actor: PEOPLE.learner, requestId: 'view-1', source: 'slack' as const, values };
    await submitReviewForm(t.ctx, input);
    await submitReviewForm(t.ctx, input);
    expect(await t.db.prisma.contactReview.count({ where: { contactId: c.id } })).toBe(1);
    expect((await t.db.prisma.contact.findUniqueOrThrow({ where: { id: c.id } })).nextContactAt).toBeNull();
    await expect(submitReviewForm(t.ctx, { ...input, requestId: 'view-2', values: { ...values, value: '9' } })).rejects.toMatchObject({ details: { field: 'value' } });
    // Another learner cannot review it.
    await expect(submitReviewForm(t.ctx, { ...input, actor: PEOPLE.learner2, requestId: 'view-3' })).rejects.toMatchObject({ details: { field: 'contactId' } });
    // Discontinued relationships are not due again.
    expect((await listDueReviews(t.ctx, { actor: PEOPLE.learner })).due.map((x) => x.name)).not.toContain('Jo Bloggs');
  });

  it('an unknown contact in a review is refused with how to add them', async () => {
    await expect(run('review Nobody value:1 activity:1 potential:1 action:keep fine')).rejects.toMatchObject({ userMessage: expect.stringContaining('There is no contact called "Nobody"') });
  });
});
