// Simulated evidence is flagged wherever it is shown: the assessor's thread root, the learner's
// decision notice, and `progress` warns when simulation is more than a small share of a unit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressMessage } from '../../src/messages/progress-view.ts';
import { decideEntry } from '../../src/services/verification/decide-entry.ts';
import { getProgress } from '../../src/services/evidence/get-progress.ts';
import { BACKENDS } from '../helpers/db.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { FakeChatPort, messageText } from '../helpers/fake-chat.ts';
import { deliver, loadVerificationRoster, logEntry, requestId, sentTo, textOf, WHO } from './verification-helpers.ts';

describe.each(BACKENDS)('simulated evidence (%s)', (backend) => {
  let t: TestContext;
  let chat: FakeChatPort;
  beforeAll(async () => {
    t = await createTestContext(backend);
    await loadVerificationRoster(t);
    chat = new FakeChatPort('slack');
  });
  afterAll(() => t.db.destroy());

  it('is flagged to the assessor and the learner, and progress warns once it is more than a small share', async () => {
    const real = await logEntry(t, 'Phoned a candidate about a role #U7:1.1');
    await deliver(t, chat);
    let p = await getProgress(t.ctx, { actor: WHO.learner });
    expect(messageText(progressMessage(p.progress, p.learner.name))).not.toContain('simulated');

    const sim = await logEntry(t, 'Role-played a difficult client call simulated #U7:1.2');
    const root = sentTo((await deliver(t, chat)).sent, 'U0ASSESS1')[0]!;
    expect(textOf(root)).toContain('Simulated evidence');

    await decideEntry(t.ctx, { actor: WHO.assessor, entryId: sim.id, version: 1, outcome: 'approve', requestId: requestId() });
    await decideEntry(t.ctx, { actor: WHO.assessor, entryId: real.id, version: 1, outcome: 'approve', requestId: requestId() });
    const out = await deliver(t, chat);
    expect(sentTo(out.sent, 'U0LEARN1').map(textOf).join('\n')).toMatch(/simulated/);
    expect(out.updates.map((u) => messageText(u.message)).join('\n')).toContain('Simulated evidence');

    p = await getProgress(t.ctx, { actor: WHO.learner });
    const text = messageText(progressMessage(p.progress, p.learner.name));
    expect(text).toMatch(/U7 .*⚠ 1 of 2 entries simulated/);
  });
});
