// Where the bot can reach a person proactively on a platform that needs a stored address (Teams:
// the Bot Framework conversation reference, saved when the person installs the app or first
// writes). The reference is opaque to the core; the adapter writes and reads it. Saving one for
// the first time (or a changed one) wakes the person's messages that were waiting for it.
import type { Prisma } from '../../db/generated/client.ts';
import type { ActorRef, ServiceContext } from './context.ts';
import { findPerson } from './identify-person.ts';

/** A Bot Framework conversation reference, as the adapter gives it (JSON-safe). */
export type StoredReference = Record<string, unknown> & { serviceUrl?: string; conversation?: { id?: string; [key: string]: unknown } };

export interface RememberResult {
  /** The roster person behind the actor, or null when they are not on it (nothing stored). */
  personId: string | null;
  name?: string;
  /** The first reference stored for this person, or a different one than before. */
  changed: boolean;
}

/** Stores the reference of the person behind `actor` (a turn from them). */
export async function rememberConversation(ctx: ServiceContext, input: { actor: ActorRef; reference: StoredReference }): Promise<RememberResult> {
  const person = await findPerson(ctx, input.actor);
  if (!person) return { personId: null, changed: false };
  const changed = await saveConversationRef(ctx, { personId: person.id, reference: input.reference });
  return { personId: person.id, name: person.name, changed };
}

/** Stores a reference for a person; returns whether it is new or different. */
export async function saveConversationRef(ctx: ServiceContext, input: { personId: string; reference: StoredReference }): Promise<boolean> {
  const existing = await ctx.db.conversationRef.findUnique({ where: { personId: input.personId } });
  const same = existing && sameAddress(existing.reference as StoredReference, input.reference);
  if (same) return false;
  const reference = input.reference as Prisma.InputJsonValue;
  await ctx.db.conversationRef.upsert({ where: { personId: input.personId }, create: { personId: input.personId, reference }, update: { reference } });
  // Messages that waited because the bot could not reach this person go now, not at their next try.
  const { count } = await ctx.db.outboxMessage.updateMany({
    where: { recipientId: input.personId, status: 'pending', nextAttemptAt: { gt: ctx.clock.now() } },
    data: { nextAttemptAt: ctx.clock.now() },
  });
  ctx.log.info({ personId: input.personId, woken: count }, existing ? 'conversation reference updated' : 'conversation reference stored');
  ctx.kickOutbox();
  return true;
}

export async function getConversationRef(ctx: ServiceContext, input: { personId: string }): Promise<StoredReference | null> {
  const row = await ctx.db.conversationRef.findUnique({ where: { personId: input.personId } });
  return (row?.reference as StoredReference | undefined) ?? null;
}

/** A stored reference for a conversation (to update a message posted there). */
export async function findConversationRef(ctx: ServiceContext, input: { conversationId: string }): Promise<StoredReference | null> {
  const row = await ctx.db.conversationRef.findFirst({ where: { reference: { path: ['conversation', 'id'], equals: input.conversationId } } });
  return (row?.reference as StoredReference | undefined) ?? null;
}

/**
 * Any reference stored for someone in this workspace (Teams tenant), newest first, then any at
 * all: it carries the service URL and the bot's own ID needed to open a new conversation.
 */
export async function findWorkspaceReference(ctx: ServiceContext, input: { platform: 'slack' | 'teams'; workspaceExternalId: string }): Promise<StoredReference | null> {
  const inWorkspace = await ctx.db.conversationRef.findFirst({
    where: { person: { platform: input.platform, workspace: { externalId: input.workspaceExternalId } } },
    orderBy: { updatedAt: 'desc' },
  });
  const row = inWorkspace ?? (await ctx.db.conversationRef.findFirst({ where: { person: { platform: input.platform } }, orderBy: { updatedAt: 'desc' } }));
  return (row?.reference as StoredReference | undefined) ?? null;
}

function sameAddress(a: StoredReference, b: StoredReference): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
