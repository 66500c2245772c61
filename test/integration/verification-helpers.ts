// Shared set-up for the verification tests (decisions, countersigning, IQA, witnesses): the roster
// fixture plus a few more people, a way to log an entry and deliver what the outbox holds, and the
// buttons a person received.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { AppError } from '../../src/lib/errors.ts';
import type { ChatMessage, MessageAction } from '../../src/ports/message.ts';
import type { ActorRef } from '../../src/services/kernel/context.ts';
import { deliverOutbox } from '../../src/services/outbox/deliver-outbox.ts';
import { recordEvidence } from '../../src/services/evidence/record-evidence.ts';
import { loadRoster, PEOPLE, type TestContext } from '../helpers/context.ts';
import { FakeChatPort, messageText, type SentMessage } from '../helpers/fake-chat.ts';

export const MORE_PEOPLE = {
  qualified2: { platform: 'slack', workspaceId: 'T0CENTRE', userId: 'U0ASSESS3' },
  managerAssessor: { platform: 'slack', workspaceId: 'T0CENTRE', userId: 'U0MANASS' },
  learner3: { platform: 'slack', workspaceId: 'T0CENTRE', userId: 'U0LEARN3' },
  iqaAssessor: { platform: 'slack', workspaceId: 'T0CENTRE', userId: 'U0IVY' },
  learner4: { platform: 'slack', workspaceId: 'T0CENTRE', userId: 'U0LEARN4' },
  otherAssessor: { platform: 'slack', workspaceId: 'T0OTHER', userId: 'U0OTHER1' },
  otherLearner: { platform: 'slack', workspaceId: 'T0OTHER', userId: 'U0OTHERL' },
} satisfies Record<string, ActorRef>;

export const WHO = { ...PEOPLE, ...MORE_PEOPLE };

const EXTRA_CSV = readFileSync(fileURLToPath(new URL('../fixtures/verification-roster.csv', import.meta.url)), 'utf8');

export async function loadVerificationRoster(t: TestContext) {
  await loadRoster(t.ctx);
  const r = await loadRoster(t.ctx, EXTRA_CSV);
  expect(r.refused).toEqual([]);
}

let seq = 0;
export const requestId = () => `req-${++seq}`;

export async function logEntry(t: TestContext, text = 'Called Sam a week after placement to check in #U7:2.1 mins:20', actor: ActorRef = PEOPLE.learner) {
  const r = await recordEvidence(t.ctx, { actor, idempotencyKey: requestId(), source: 'slack', text });
  return r.entry;
}

/** Delivers everything due and returns what was posted and updated by this pass. */
export async function deliver(t: TestContext, chat: FakeChatPort) {
  const sentBefore = chat.sent.length;
  const updatesBefore = chat.updates.length;
  await deliverOutbox(t.ctx, { slack: chat }, { now: new Date(t.clock.now().getTime() + 60_000) });
  return { sent: chat.sent.slice(sentBefore), updates: chat.updates.slice(updatesBefore) };
}

export function buttons(m: { message: ChatMessage }): MessageAction[] {
  return m.message.blocks.flatMap((b) => (b.type === 'actions' ? b.actions : []));
}

export function sentTo(list: SentMessage[], userId: string) {
  return list.filter((s) => s.to.userExternalId === userId);
}

export const textOf = (m: { message: Parameters<typeof messageText>[0] }) => messageText(m.message);

/** Runs `f`, expects an AppError with `code`, and that nothing in the named tables changed. */
export async function refusedWith(t: TestContext, code: string, f: () => Promise<unknown>): Promise<string> {
  const counts = async () => {
    const p = t.db.prisma;
    return [await p.decision.count(), await p.entryEvent.count(), await p.outboxMessage.count(), await p.iqaSample.count(), await p.witnessRequest.count(), await p.processedRequest.count(),
      JSON.stringify(await p.entry.findMany({ select: { id: true, status: true, version: true, summary: true }, orderBy: { id: 'asc' } })),
      JSON.stringify(await p.decision.findMany({ select: { id: true, countersignOutcome: true }, orderBy: { id: 'asc' } })),
      JSON.stringify(await p.iqaSample.findMany({ select: { id: true, outcome: true }, orderBy: { id: 'asc' } })),
      JSON.stringify(await p.witnessRequest.findMany({ select: { id: true, statement: true }, orderBy: { id: 'asc' } }))];
  };
  const before = await counts();
  const err = await f().then(() => undefined, (e: unknown) => e);
  expect(err, 'expected a refusal').toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  expect(await counts()).toEqual(before);
  return (err as AppError).userMessage;
}
