// Minimisation: a log whose text looks like personal data stores nothing until the learner chooses,
// and every choice is idempotent. And the logs: a real service call's log lines carry no message
// text or personal data.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.ts';
import { handleContactAction, submitContactForm } from '../../src/services/contacts-privacy/contact-commands.ts';
import { handleCommand } from '../../src/services/commands/handle-command.ts';
import type { ChatMessage } from '../../src/ports/message.ts';
import { BACKENDS } from '../helpers/db.ts';
import { createTestContext, loadRoster, PEOPLE, type TestContext } from '../helpers/context.ts';
import { messageText } from '../helpers/fake-chat.ts';

const actionsOf = (m: ChatMessage) => m.blocks.flatMap((b) => (b.type === 'actions' ? b.actions : []));

describe.each(BACKENDS)('minimisation of personal data in free text (%s)', (backend) => {
  let t: TestContext;
  const lines: string[] = [];
  beforeAll(async () => {
    t = await createTestContext(backend);
    t.ctx.log = createLogger('debug', new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } }));
    await loadRoster(t.ctx);
  });
  afterAll(() => t.db.destroy());

  const log = async (text: string, requestId: string) => {
    const r = await handleCommand(t.ctx, { actor: PEOPLE.learner, text: `log ${text}`, requestId, source: 'slack' });
    if (r.kind !== 'message') throw new Error('expected a message');
    return r.message;
  };
  const click = (actionId: string, value: string, actor = PEOPLE.learner) =>
    handleContactAction(t.ctx, { actor, requestId: `click-${actionId}`, source: 'slack', actionId, value });

  it('holds a log with an email and a phone number, storing no entry, and asks', async () => {
    const m = await log('Called Sam Taylor on 07700 900123 and emailed sam.t@example.com the job spec #U7:2.1', 'm1');
    expect(messageText(m)).toContain('That looks like personal data: a phone number and an email address. Nothing has been saved yet.');
    expect(actionsOf(m).map((a) => a.label)).toEqual(['Move to a contact and redact', 'Keep as written']);
    expect(await t.db.prisma.entry.count()).toBe(0);
    // Slack retries the command: the same question, still nothing stored.
    const again = await log('Called Sam Taylor on 07700 900123 and emailed sam.t@example.com the job spec #U7:2.1', 'm1');
    expect(actionsOf(again)).toEqual(actionsOf(m));
    expect(await t.db.prisma.entry.count()).toBe(0);
  });

  it('refuses a wrong criterion before asking about personal data', async () => {
    await expect(log('Rang 07700 900123 #U7:9.9', 'm0')).rejects.toMatchObject({ userMessage: expect.stringContaining('is not one of your criteria') });
  });

  it('"Move to a contact" opens the contact form prefilled; saving it stores the contact and the redacted entry once', async () => {
    const m = await log('Called Sam Taylor on 07700 900123 and emailed sam.t@example.com the job spec #U7:2.1', 'm1');
    const move = actionsOf(m)[0]!;
    const form = await click(move.id, move.value);
    expect(form).toEqual({ kind: 'form', form: 'contact', prefill: { email: 'sam.t@example.com', phone: '07700 900123', pendingLog: move.value } });
    const values = { name: 'Sam Taylor', kind: 'candidate' as const, email: 'sam.t@example.com', phone: '07700 900123', consent: 'yes' as const, consentMethod: 'verbal on call', pendingLog: move.value };
    const r = await submitContactForm(t.ctx, { actor: PEOPLE.learner, requestId: 'v1', source: 'slack', values });
    expect(r.kind === 'message' && messageText(r.message)).toContain('Evidence recorded');
    const entry = await t.db.prisma.entry.findFirstOrThrow({ include: { contact: true } });
    expect(entry.summary).toBe('Called Sam Taylor on [phone removed] and emailed [email removed] the job spec');
    expect(entry.contact).toMatchObject({ name: 'Sam Taylor', email: 'sam.t@example.com', phone: '+447700900123', consent: true });
    // The held text is gone; a second submit, the other button, and a retried command all give the one entry.
    expect(await t.db.prisma.processedRequest.count({ where: { key: { startsWith: 'minimise:' } } })).toBe(0);
    await submitContactForm(t.ctx, { actor: PEOPLE.learner, requestId: 'v1', source: 'slack', values });
    const keep = await click('log.keep', move.value);
    expect(keep.kind === 'message' && messageText(keep.message)).toContain('[phone removed]');
    await log('Called Sam Taylor on 07700 900123 and emailed sam.t@example.com the job spec #U7:2.1', 'm1');
    expect(await t.db.prisma.entry.count()).toBe(1);
  });

  it('with a `with:` contact, moves the details straight into it', async () => {
    const m = await log('Texted Jo on 07700 900456 to confirm the interview with:"Jo Bloggs" #U7:2.2', 'm2');
    const move = actionsOf(m)[0]!;
    expect(move.label).toBe('Move to Jo Bloggs and redact');
    const r = await click(move.id, move.value);
    const text = r.kind === 'message' ? messageText(r.message) : '';
    expect(text).toContain('Added Jo Bloggs to your contacts with the details from your text.');
    expect(text).toContain("Record Jo Bloggs's consent");
    const e = await t.db.prisma.entry.findFirstOrThrow({ where: { summary: { contains: 'Texted Jo' } }, include: { contact: true } });
    expect(e.summary).toBe('Texted Jo on [phone removed] to confirm the interview');
    expect(e.contact?.phone).toBe('+447700900456');
  });

  it('a National Insurance number can only be redacted or kept; "Keep as written" keeps it', async () => {
    const m = await log('Checked right to work for a candidate, NI AB 12 34 56 C #U7:1.1', 'm3');
    expect(actionsOf(m).map((a) => a.id)).toEqual(['log.redact', 'log.keep']);
    await click('log.redact', actionsOf(m)[0]!.value);
    expect((await t.db.prisma.entry.findFirstOrThrow({ where: { summary: { contains: 'right to work' } } })).summary).toBe('Checked right to work for a candidate, NI [NI number removed]');
    const k = await log('Candidate emailed me from cv@agency.example.com #U7:1.1', 'm4');
    await click('log.keep', actionsOf(k)[1]!.value);
    expect(await t.db.prisma.entry.count({ where: { summary: { contains: 'cv@agency.example.com' } } })).toBe(1);
  });

  it("another learner cannot make the choice, and an expired choice says so", async () => {
    const m = await log('Called 07700 900789 about shifts #U7:1.1', 'm5');
    await expect(click('log.keep', actionsOf(m)[1]!.value, PEOPLE.learner2)).rejects.toMatchObject({ userMessage: expect.stringContaining('expired') });
    await expect(click('log.keep', 'minimise:slack:never')).rejects.toMatchObject({ userMessage: expect.stringContaining('send the log again') });
  });

  it('wrote no message text or personal data to the log, only ids and counts', async () => {
    await handleCommand(t.ctx, { actor: PEOPLE.learner, text: 'contact add "Jo Bloggs" email:jo.b@example.com phone:"07700 900456" consent:yes consent-method:"verbal on call"', requestId: 'c1', source: 'slack' });
    await expect(handleCommand(t.ctx, { actor: PEOPLE.learner, text: 'forget "Zed Zimmerman"', requestId: 'c2', source: 'slack' })).rejects.toThrow();
    t.ctx.log.error({ err: await handleCommand(t.ctx, { actor: PEOPLE.learner, text: 'review "Zed Zimmerman" value:1 activity:1 potential:1 action:keep x', requestId: 'c3', source: 'slack' }).catch((e) => e) }, 'command failed');
    const all = lines.join('');
    expect(lines.length).toBeGreaterThan(5);
    expect(all).toContain('"msg":"contact updated"');
    expect(all).toContain('"msg":"log held: looks like personal data"');
    expect(all).toContain('"code":"invalid_input"');
    for (const secret of ['Sam Taylor', 'Jo Bloggs', 'Zed', 'Zimmerman', 'example.com', '07700', '7700900', 'AB 12 34 56 C', 'job spec', 'verbal on call', 'right to work']) {
      expect(all, secret).not.toContain(secret);
    }
  });
});
