// Deciding by replying in an entry's thread: the root identifies the entry, the reply's words the
// decision; the same checks of who may decide apply; chat in the thread is left alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideFromThreadReply } from '../../src/services/verification/decide-from-thread-reply.ts';
import { BACKENDS } from '../helpers/db.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { FakeChatPort } from '../helpers/fake-chat.ts';
import { deliver, loadVerificationRoster, logEntry, refusedWith, requestId, sentTo, textOf, WHO } from './verification-helpers.ts';

describe.each(BACKENDS)('deciding by thread reply (%s)', (backend) => {
  let t: TestContext;
  let chat: FakeChatPort;
  beforeAll(async () => {
    t = await createTestContext(backend);
    await loadVerificationRoster(t);
    chat = new FakeChatPort('slack');
  });
  afterAll(() => t.db.destroy());

  async function rootOfNewEntry() {
    const entry = await logEntry(t);
    const root = sentTo((await deliver(t, chat)).sent, 'U0ASSESS1')[0]!;
    return { entry, where: { platform: 'slack' as const, conversationId: root.ref.conversationId, threadMessageId: root.ref.messageId } };
  }

  it('`changes: …` in the thread asks for changes with that feedback, once however often the event arrives', async () => {
    const { entry, where } = await rootOfNewEntry();
    const input = { actor: WHO.assessor, ...where, text: 'Changes: name the two roles you discussed', requestId: 'msg-1' };
    const r = await decideFromThreadReply(t.ctx, input);
    expect(r.kind).toBe('decided');
    const again = await decideFromThreadReply(t.ctx, input);
    expect(again.kind === 'decided' && again.duplicate).toBe(true);
    const d = await t.db.prisma.decision.findMany({ where: { entryId: entry.id } });
    expect(d.map((x) => [x.outcome, x.feedback])).toEqual([['changes', 'name the two roles you discussed']]);
    const out = await deliver(t, chat);
    expect(textOf(sentTo(out.sent, 'U0LEARN1')[0]!)).toContain('name the two roles you discussed');
  });

  it('ignores conversation and threads that are not an entry\'s', async () => {
    const { entry, where } = await rootOfNewEntry();
    expect(await decideFromThreadReply(t.ctx, { actor: WHO.assessor, ...where, text: 'I will look at this tomorrow', requestId: requestId() })).toEqual({ kind: 'ignored' });
    expect(await decideFromThreadReply(t.ctx, { actor: WHO.assessor, ...where, threadMessageId: 'not-a-root', text: 'approve', requestId: requestId() })).toEqual({ kind: 'ignored' });
    expect(await t.db.prisma.decision.count({ where: { entryId: entry.id } })).toBe(0);
  });

  it('applies the same checks: a learner or manager replying "approve" changes nothing', async () => {
    const { where } = await rootOfNewEntry();
    await refusedWith(t, 'forbidden', () => decideFromThreadReply(t.ctx, { actor: WHO.learner, ...where, text: 'approve', requestId: requestId() }));
    await refusedWith(t, 'forbidden', () => decideFromThreadReply(t.ctx, { actor: WHO.manager, ...where, text: 'approved', requestId: requestId() }));
    await refusedWith(t, 'invalid_input', () => decideFromThreadReply(t.ctx, { actor: WHO.assessor, ...where, text: 'reject', requestId: requestId() }));
    const r = await decideFromThreadReply(t.ctx, { actor: WHO.assessor, ...where, text: 'approve', requestId: requestId() });
    expect(r.kind === 'decided' && r.entry.status).toBe('approved');
    // Once decided, another "approve" by someone else is a conflict, not a second decision.
    await refusedWith(t, 'conflict', () => decideFromThreadReply(t.ctx, { actor: WHO.qualified2, ...where, text: 'reject: no', requestId: requestId() }));
  });
});
