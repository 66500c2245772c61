// Typed text with characters PostgreSQL refuses (NUL: error 22021) or that spoof what an assessor
// reads (bidirectional overrides), and text far over the limit, through the services against a
// real database: refused with a message saying what to fix, or stored clean; never "Something went
// wrong on our side".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleCommand } from '../../src/services/commands/handle-command.ts';
import { addContact } from '../../src/services/contacts-privacy/add-contact.ts';
import { submitContactForm, submitReviewForm } from '../../src/services/contacts-privacy/contact-commands.ts';
import { recordEvidence } from '../../src/services/evidence/record-evidence.ts';
import { BACKENDS } from '../helpers/db.ts';
import { createTestContext, loadRoster, PEOPLE, type TestContext } from '../helpers/context.ts';
import { messageText } from '../helpers/fake-chat.ts';

const NUL = '\u0000';
const RLO = '\u202E'; // right-to-left override
const PDF = '\u202C'; // pop directional formatting
const TAG = { unit: 'U7', number: '2.1', raw: '#U7:2.1' };

describe.each(BACKENDS)('text as it enters (%s)', (backend) => {
  let t: TestContext;
  let n = 0;
  const command = (text: string) => handleCommand(t.ctx, { actor: PEOPLE.learner, text, requestId: `text-${++n}`, source: 'slack' });
  const entries = () => t.db.prisma.entry.count();
  const contacts = () => t.db.prisma.contact.count();

  beforeAll(async () => {
    t = await createTestContext(backend);
    await loadRoster(t.ctx);
  });
  afterAll(() => t.db.destroy());

  it('a typed `log` with a NUL is refused, saying what to fix, and nothing is stored', async () => {
    const before = await entries();
    await expect(command(`log Called${NUL}Sam to check in #U7:2.1`)).rejects.toMatchObject({
      code: 'invalid_input',
      userMessage: expect.stringMatching(/contains a NUL character.*Type the text again instead of pasting it/),
    });
    expect(await entries()).toBe(before);
  });

  it('log text with a NUL and other control characters, from elsewhere than a command (an edit), is stored without them', async () => {
    const r = await recordEvidence(t.ctx, { actor: PEOPLE.learner, idempotencyKey: `text-${++n}`, source: 'slack', text: `Called${NUL} Sam\u0007 to check in\r\nafter the placement #U7:2.1` });
    const row = await t.db.prisma.entry.findUniqueOrThrow({ where: { id: r.entry.id } });
    expect(row.summary).toBe('Called Sam to check in\nafter the placement');
  });

  it('a bidirectional override typed into `log` does not reach the stored summary', async () => {
    const r = await command(`log Checked the placement with Sam: ${RLO}devorppa${PDF} #U7:2.1`);
    expect(r.kind).toBe('message');
    const row = await t.db.prisma.entry.findFirstOrThrow({ orderBy: { createdAt: 'desc' }, where: { summary: { contains: 'devorppa' } } });
    expect(row.summary).toBe('Checked the placement with Sam: devorppa');
    expect(row.summary).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
  });

  it('the logging form stores its summary and outcome without NUL or bidi characters', async () => {
    const r = await recordEvidence(t.ctx, {
      actor: PEOPLE.learner, idempotencyKey: `text-${++n}`, source: 'teams',
      draft: { summary: `Met Jo${NUL} at the REC ${RLO}breakfast${PDF}`, outcome: `Jo${NUL} will call back\u2066`, tags: [TAG] },
    });
    const row = await t.db.prisma.entry.findUniqueOrThrow({ where: { id: r.entry.id } });
    expect(row.summary).toBe('Met Jo at the REC breakfast');
    expect(row.outcome).toBe('Jo will call back');
  });

  it('an over-long message is refused at once with the limit and how to fix it, and nothing is stored', async () => {
    const before = await entries();
    const start = performance.now();
    const err = await command(`log ${'%'.repeat(80_000)} #U7:2.1`).catch((e: unknown) => e);
    expect(performance.now() - start).toBeLessThan(1000);
    expect(err).toMatchObject({ code: 'invalid_input', userMessage: expect.stringContaining('That message is 80,012 characters long; the most I read at once is 4,000') });
    expect(await entries()).toBe(before);
  });

  it('a form field far over its limit is refused with the field named', async () => {
    await expect(recordEvidence(t.ctx, { actor: PEOPLE.learner, idempotencyKey: `text-${++n}`, source: 'slack', draft: { summary: '%'.repeat(150_000), tags: [TAG] } }))
      .rejects.toMatchObject({ code: 'invalid_input', userMessage: 'Keep it under 2,500 characters.', details: { field: 'summary' } });
  });

  it('`contact add` with a NUL in the name is refused, saying what to fix', async () => {
    const before = await contacts();
    await expect(command(`contact add "Sam${NUL} Taylor" kind:candidate consent:yes`)).rejects.toMatchObject({
      code: 'invalid_input', userMessage: expect.stringContaining('NUL character'),
    });
    expect(await contacts()).toBe(before);
  });

  it('a contact name with a NUL from the contact grammar or the form is stored without it', async () => {
    const typed = await addContact(t.ctx, { actor: PEOPLE.learner, text: `"Ali${NUL} Khan" org:"Acme${NUL} Ltd" consent:yes` });
    expect(typed.contact).toMatchObject({ name: 'Ali Khan', org: 'Acme Ltd' });
    const form = await submitContactForm(t.ctx, {
      actor: PEOPLE.learner, requestId: `text-${++n}`, source: 'slack',
      values: { name: `Jo${NUL} ${RLO}Bloggs`, availability: `mornings${NUL}`, consentMethod: `verbal${RLO}` },
    });
    expect(form.kind === 'message' && messageText(form.message)).toContain('Added Jo Bloggs');
    expect(await t.db.prisma.contact.findFirstOrThrow({ where: { name: 'Jo Bloggs' } })).toMatchObject({ availability: 'mornings', consentMethod: 'verbal' });
  });

  it('a review\'s rationale from the form is stored without NUL or bidi characters', async () => {
    const c = await t.db.prisma.contact.findFirstOrThrow({ where: { name: 'Ali Khan' } });
    await submitReviewForm(t.ctx, {
      actor: PEOPLE.learner, requestId: `text-${++n}`, source: 'slack',
      values: { contactId: c.id, value: '4', activity: '3', potential: '5', action: 'keep', rationale: `Placed${NUL} twice ${RLO}this year` },
    });
    expect((await t.db.prisma.contactReview.findFirstOrThrow({ where: { contactId: c.id } })).rationale).toBe('Placed twice this year');
  });
});
