// An assessor decides by replying in an entry's thread (`approve`, `changes: …`, `reject: …`). The
// thread root says which entry (PostedMessage, purpose entry_root); the decision then goes
// through decideEntry, with the same checks of who may decide. A reply that is not a decision, or
// a thread that is not an entry's, is ordinary conversation: ignored, nothing stored.
import { parseThreadDecision } from '../../domain/parse-thread-decision.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { decideEntry, type DecideEntryResult } from './decide-entry.ts';

export interface ThreadReplyInput {
  actor: ActorRef;
  platform: 'slack' | 'teams';
  /** Where the reply was posted (a DM or the assessor channel). */
  conversationId: string;
  /** The message the reply is threaded under (Slack thread_ts, Teams replyToId). */
  threadMessageId: string;
  text: string;
  /** The reply's own message ID: a redelivered event decides once. */
  requestId: string;
}

export type ThreadReplyResult = { kind: 'ignored' } | ({ kind: 'decided' } & DecideEntryResult);

export async function decideFromThreadReply(ctx: ServiceContext, input: ThreadReplyInput): Promise<ThreadReplyResult> {
  const root = await ctx.db.postedMessage.findFirst({
    where: { platform: input.platform, conversationId: input.conversationId, messageId: input.threadMessageId, purpose: 'entry_root' },
    select: { entryId: true },
  });
  if (!root?.entryId) return { kind: 'ignored' };
  const parsed = parseThreadDecision(input.text);
  if (!parsed) return { kind: 'ignored' };
  // The reply decides on the entry as it is now: the person is looking at its thread.
  const entry = await ctx.db.entry.findUnique({ where: { id: root.entryId }, select: { version: true } });
  if (!entry) return { kind: 'ignored' };
  const r = await decideEntry(ctx, {
    actor: input.actor, entryId: root.entryId, version: entry.version, outcome: parsed.outcome, feedback: parsed.feedback,
    requestId: `thread:${input.requestId}`, conversationId: input.conversationId,
  });
  return { kind: 'decided', ...r };
}
