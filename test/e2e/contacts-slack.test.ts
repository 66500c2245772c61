// The contact register in Slack, end to end: the real bot in front of the fake Slack Web API. A
// learner adds a contact with consent through the modal, logs evidence with them, answers the
// personal-data question, records a relationship review (typed and through the modal), then asks
// to forget the contact: afterwards the contact's name, email and phone are nowhere in the
// database, the export, or the messages Slack was asked to update in place.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE } from '../helpers/context.ts';
import { blocksText, buttonsIn, startFakeSlackApi, type FakeSlackApi } from '../helpers/fake-slack-api.ts';
import { startBot, type Bot } from '../helpers/slack-bot.ts';
import { payloads } from '../helpers/slack-payloads.ts';

const NAME = 'Quentin Blakesley';
const EMAIL = 'quentin.b@example.org';
const has = (text: string) => /quentin|blakesley/i.test(text) || text.toLowerCase().includes(EMAIL) || text.replace(/\D/g, '').includes('7700900123');

let api: FakeSlackApi;
let bot: Bot;
beforeAll(async () => {
  api = await startFakeSlackApi();
  bot = await startBot({ api });
});
afterAll(async () => {
  await bot?.close();
  await api?.close();
});

const sel = (value: string) => ({ type: 'static_select', selected_option: { value, text: { type: 'plain_text', text: value } } });
const txt = (value: string | null) => ({ type: 'plain_text_input', value });
const submit = (callbackId: string, values: Record<string, any>, privateMetadata: string, viewId: string) =>
  bot.send(payloads.viewSubmission({ user: PEOPLE.learner, viewId, callbackId, privateMetadata, values }));
const lastResponse = () => api.responses().at(-1)!;

describe('contacts, reviews and forget in Slack', () => {
  it('`/evidence contact add` opens the contact modal; saving it records consent, how, and the privacy notice', async () => {
    const res = await bot.command('contact add', { user: PEOPLE.learner });
    expect(res.status).toBe(200);
    const [open] = await api.waitFor('views.open', (c) => c.body.view?.callback_id === 'evidence_contact');
    const view = open!.body.view;
    expect(view.blocks.map((b: any) => b.block_id).filter(Boolean)).toEqual(['name', 'org', 'kind', 'email', 'phone', 'channel', 'availability', 'consent', 'consentMethod', 'notice', 'next']);

    const values = {
      name: { name: txt(NAME) }, org: { org: txt('Leeds Temps') }, kind: { kind: sel('candidate') },
      email: { email: { type: 'email_text_input', value: EMAIL } }, phone: { phone: txt('07700 900123') },
      channel: { channel: sel('phone') }, availability: { availability: txt('after 5pm') },
      consent: { consent: { type: 'radio_buttons', selected_option: { value: 'yes' } } }, consentMethod: { consentMethod: txt('verbal on call') },
      notice: { notice: { type: 'checkboxes', selected_options: [{ value: 'yes' }] } }, next: { next: { type: 'datepicker', selected_date: null } },
    };
    const bad = await submit('evidence_contact', { ...values, phone: { phone: txt('12345') } }, view.private_metadata, 'VCONTACT0');
    expect(bad.json).toMatchObject({ response_action: 'errors', errors: { phone: expect.stringContaining('07700 900123') } });
    const saved = await submit('evidence_contact', values, view.private_metadata, 'VCONTACT1');
    expect(saved.json.response_action).toBe('update');
    const shown = blocksText(saved.json.view.blocks);
    expect(shown).toContain(`Added ${NAME} in your contacts.`);
    expect(shown).toMatch(/✓ Consent given \d+ \w+ \d{4} \(verbal on call\) · privacy notice sent/);
    const list = await bot.command('contacts', { user: PEOPLE.learner });
    expect(blocksText(list.json.blocks)).toContain('Candidate · Leeds Temps · prefers Phone · after 5pm · no logged contact yet');
  });

  it('logs evidence with the contact; the assessor sees it', async () => {
    const res = await bot.command(`log Called Quentin about the Leeds temp role with:"${NAME}" #U7:2.1`, { user: PEOPLE.learner });
    const seen = blocksText(res.json.blocks);
    expect(seen).toContain('Evidence recorded');
    expect(seen).toContain(`with ${NAME}`);
    expect(seen).not.toContain('No consent is recorded');
    await bot.settle();
    expect(api.posted().some((m) => m.channel === 'D0ASSESS1' && blocksText(m.blocks).includes('Called Quentin about the Leeds temp role'))).toBe(true);
  });

  it('a log with a phone number waits for the learner\'s choice; "Keep as written" stores it once', async () => {
    const res = await bot.command(`log Rang ${NAME} back on 07700 900123 to confirm the start date #U7:2.2`, { user: PEOPLE.learner });
    expect(blocksText(res.json.blocks)).toContain('That looks like personal data: a phone number. Nothing has been saved yet.');
    const buttons = buttonsIn(res.json.blocks);
    expect(buttons.map((b) => b.text)).toEqual(['Move to a contact and redact', 'Keep as written']);
    const keep = buttons[1]!;
    const responseUrl = api.responseUrl();
    await bot.click({ user: PEOPLE.learner, actionId: keep.action_id, value: keep.value!, responseUrl });
    await bot.click({ user: PEOPLE.learner, actionId: keep.action_id, value: keep.value!, responseUrl });
    const target = responseUrl.split('/').pop();
    await api.waitFor('respond', (c) => c.target === target && api.callsTo('respond').filter((x) => x.target === target).length === 2);
    expect(lastResponse()).toMatchObject({ replace_original: true });
    expect(blocksText(lastResponse().blocks)).toContain('Evidence recorded');
    expect((await bot.app.services.listEntries({ actor: PEOPLE.learner })).entries.filter((e) => e.summary.includes('start date'))).toHaveLength(1);
    await bot.settle();
  });

  it('records a relationship review, typed and through the review modal', async () => {
    const typed = await bot.command(`review "${NAME}" value:4 activity:3 potential:5 action:strengthen Quentin has referred two friends; call monthly #U7:2.3`, { user: PEOPLE.learner });
    expect(blocksText(typed.json.blocks)).toContain(`Review of ${NAME} recorded.`);
    expect(blocksText(typed.json.blocks)).toContain('Logged as evidence and sent to your assessor.');

    const contact = (await bot.app.services.listContacts({ actor: PEOPLE.learner })).contacts.find((c) => c.name === NAME)!;
    await bot.click({ user: PEOPLE.learner, actionId: 'contact.review', value: contact.id });
    const [open] = await api.waitFor('views.open', (c) => c.body.view?.callback_id === 'evidence_review');
    const view = open!.body.view;
    expect(blocksText(view.blocks)).toContain(`Reviewing *${NAME}*`);
    const values = {
      value: { value: sel('4') }, activity: { activity: sel('2') }, potential: { potential: sel('5') },
      action: { action: { type: 'radio_buttons', selected_option: { value: 'keep' } } },
      rationale: { rationale: txt('Steady source of referrals; quarterly is enough.') },
      next: { next: { type: 'datepicker', selected_date: null } }, tags: { tags: txt(null) },
    };
    const r1 = await submit('evidence_review', values, view.private_metadata, 'VREVIEW1');
    const r2 = await submit('evidence_review', values, view.private_metadata, 'VREVIEW1');
    expect(blocksText(r1.json.view.blocks)).toContain(`Review of ${NAME} recorded.`);
    expect(blocksText(r2.json.view.blocks)).toContain(`Review of ${NAME} recorded.`);
    const bad = await submit('evidence_review', { ...values, rationale: { rationale: txt('  ') } }, view.private_metadata, 'VREVIEW2');
    expect(bad.json).toMatchObject({ response_action: 'errors', errors: { rationale: expect.stringContaining('rationale') } });
    const reviews = await bot.app.db.prisma.contactReview.findMany({ where: { contactId: contact.id } });
    expect(reviews.map((r) => r.action).sort()).toEqual(['keep', 'strengthen']);
    await bot.settle();
  });

  it('`forget` asks first; Erase leaves no trace in the database, the export, or the messages Slack updated', async () => {
    const prisma = bot.app.db.prisma;
    // What Slack shows now: each posted message (channel, ts) with the content of the outbox message that posted it.
    const shown = await prisma.$queryRawUnsafe<{ conversationId: string; messageId: string; payload: unknown }[]>(
      `SELECT p."conversationId", p."messageId", o.payload FROM "PostedMessage" p JOIN "OutboxMessage" o ON o.id = p."outboxId" WHERE p.platform = 'slack'`,
    );
    const dirty = shown.filter((m) => has(JSON.stringify(m.payload)));
    expect(dirty.length).toBeGreaterThanOrEqual(2);
    const updatesBefore = api.callsTo('chat.update').length;

    const ask = await bot.command(`forget "${NAME}"`, { user: PEOPLE.learner });
    expect(blocksText(ask.json.blocks)).toContain(`Erase ${NAME}'s personal data?`);
    const erase = buttonsIn(ask.json.blocks).find((b) => b.action_id === 'contact.forget_confirm')!;
    // Someone else pressing it is refused, and nothing happens.
    await bot.click({ user: PEOPLE.learner2, actionId: erase.action_id, value: erase.value!, responseUrl: api.responseUrl() });
    await api.waitFor('respond', (c) => blocksText(c.body.blocks).includes('only erase contacts from your own register'));

    await bot.click({ user: PEOPLE.learner, actionId: erase.action_id, value: erase.value!, responseUrl: api.responseUrl() });
    await api.waitFor('respond', (c) => blocksText(c.body.blocks).includes('has been erased'));
    await bot.settle();

    // The database: no text, JSON or array column of any table holds the name, email or phone.
    const cols = await prisma.$queryRawUnsafe<{ table_name: string; column_name: string }[]>(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY')`,
    );
    const left: string[] = [];
    for (const c of cols) {
      const v = `"${c.column_name}"::text`;
      const [row] = await prisma.$queryRawUnsafe<{ n: bigint }[]>(
        `SELECT count(*) AS n FROM "${c.table_name}" WHERE ${v} ~* '(quentin|blakesley)' OR lower(${v}) LIKE $1 OR regexp_replace(${v}, '[^0-9]', '', 'g') LIKE '%7700900123%'`,
        `%${EMAIL}%`,
      );
      if (Number(row!.n)) left.push(`${c.table_name}.${c.column_name}`);
    }
    expect(left).toEqual([]);

    // Every message posted with the data was updated in place (chat.update on its channel and ts), and no update carries it.
    const updates = api.callsTo('chat.update').slice(updatesBefore);
    for (const u of updates) expect(has(blocksText(u.body.blocks) + (u.body.text ?? '')), blocksText(u.body.blocks)).toBe(false);
    for (const d of dirty) {
      expect(updates.some((u) => u.body.channel === d.conversationId && u.body.ts === d.messageId), `${d.conversationId} ${d.messageId} was not updated`).toBe(true);
    }
    expect(blocksText(updates.map((u) => u.body.blocks))).toContain('Called [erased contact] about the Leeds temp role');

    // The export, as the learner gets it and as an admin writes it.
    const exp = await bot.command('export html', { user: PEOPLE.learner });
    expect(exp.status).toBe(200);
    const [upload] = await api.waitFor('upload');
    expect(has(upload!.body.content)).toBe(false);
    expect(upload!.body.content).toContain('[erased contact]');
    const file = await bot.app.services.exportPortfolio({ learner: 'U0LEARN1', format: 'csv' });
    expect(has(file.content)).toBe(false);

    // The register no longer has them, and the history says an erasure happened.
    expect(blocksText((await bot.command('contacts', { user: PEOPLE.learner })).json.blocks)).not.toContain(NAME);
    expect(await prisma.entryEvent.count({ where: { action: 'erasure' } })).toBeGreaterThanOrEqual(3);
  });
});
