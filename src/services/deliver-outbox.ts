// Delivers outbox messages through the chat ports. A message is claimed with a short lease (so two
// replicas never send the same one), sent, and marked sent with the posted message recorded; a
// failure backs off (honouring Retry-After) and a message that keeps failing is marked dead,
// logged, and reported to the admins — never silently dropped.
import type { ChatError, ChatPort, ChatRecipient, PostedRef } from '../ports/chat.ts';
import { observeOutboxDelivery } from '../lib/metrics.ts';
import type { OutboxPayload } from './outbox.ts';
import { enqueue } from './outbox.ts';
import type { ServiceContext } from './context.ts';

export const MAX_ATTEMPTS = 12;
const LEASE_MS = 60_000;
/** Backoff after the nth failure: 10 s, 30 s, 1 min, 2 min, 5 min, 10 min, then 30 min. */
const BACKOFF_S = [10, 30, 60, 120, 300, 600, 1800];

export type ChatPorts = Partial<Record<'slack' | 'teams', ChatPort>>;

export interface DeliveryReport {
  sent: number;
  retried: number;
  dead: number;
  deferred: number;
}

type Row = { id: string; dedupeKey: string; recipientId: string; kind: string; payload: unknown; attempts: number };

/** Claims up to `limit` due messages for this worker; other workers skip them until the lease ends. */
async function claimDue(ctx: ServiceContext, now: Date, limit: number): Promise<Row[]> {
  const until = new Date(now.getTime() + LEASE_MS);
  return ctx.db.$queryRawUnsafe<Row[]>(
    `UPDATE "OutboxMessage" SET "lockedUntil" = $1
     WHERE id IN (
       SELECT id FROM "OutboxMessage"
       WHERE status = 'pending' AND "nextAttemptAt" <= $2 AND ("lockedUntil" IS NULL OR "lockedUntil" < $2)
       ORDER BY "nextAttemptAt", "createdAt"
       LIMIT $3
       FOR UPDATE SKIP LOCKED)
     RETURNING id, "dedupeKey", "recipientId", kind, payload, attempts`,
    until, now, limit,
  );
}

/** Delivers what is due at `now`; loops until nothing due is left (or `maxBatches`). */
export async function deliverOutbox(ctx: ServiceContext, ports: ChatPorts, options: { now?: Date; batchSize?: number; maxBatches?: number } = {}): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: 0, retried: 0, dead: 0, deferred: 0 };
  for (let batch = 0; batch < (options.maxBatches ?? 50); batch++) {
    const now = options.now ?? ctx.clock.now();
    const rows = await claimDue(ctx, now, options.batchSize ?? 20);
    if (rows.length === 0) break;
    // Messages to one person go in order; different people in parallel.
    const byRecipient = new Map<string, Row[]>();
    for (const r of rows) byRecipient.set(r.recipientId, [...(byRecipient.get(r.recipientId) ?? []), r]);
    await Promise.all([...byRecipient.values()].map(async (list) => {
      for (const row of list) {
        const outcome = await deliverOne(ctx, ports, row, now);
        report[outcome]++;
        observeOutboxDelivery(outcome);
      }
    }));
  }
  return report;
}

async function deliverOne(ctx: ServiceContext, ports: ChatPorts, row: Row, now: Date): Promise<keyof DeliveryReport> {
  const payload = row.payload as OutboxPayload;
  if (payload.updatePosted) return updatePosted(ctx, ports, row, now, payload.updatePosted.postedMessageId, payload);
  const person = await ctx.db.person.findUnique({ where: { id: row.recipientId }, include: { workspace: true } });
  if (!person || person.erasedAt) return markDead(ctx, row, 'recipient is no longer on the roster', false);
  const port = ports[person.platform];
  if (!port) return retry(ctx, row, now, `${person.platform} is not configured`, undefined);
  const to: ChatRecipient = { personId: person.id, platform: person.platform, workspaceExternalId: person.workspace.externalId, userExternalId: person.externalId };

  try {
    if (payload.updateOf) {
      const target = await ctx.db.postedMessage.findFirst({ where: { entryId: payload.updateOf.entryId, purpose: payload.updateOf.purpose, platform: person.platform }, orderBy: { createdAt: 'asc' } });
      if (!target) return defer(ctx, row, now, 'the message to update is not posted yet');
      await port.update({ conversationId: target.conversationId, messageId: target.messageId }, payload.message);
    } else {
      let threadOf: PostedRef | undefined;
      if (payload.threadEntryId) {
        const root = await ctx.db.postedMessage.findFirst({ where: { entryId: payload.threadEntryId, purpose: 'entry_root', platform: person.platform } });
        if (root) threadOf = { conversationId: root.conversationId, messageId: root.messageId };
        else if (await ctx.db.outboxMessage.findFirst({ where: { dedupeKey: `entry:${payload.threadEntryId}:root`, status: 'pending' } })) {
          return defer(ctx, row, now, 'the thread root is not posted yet');
        }
      }
      const ref = await port.send(to, payload.message, { threadOf, conversationId: threadOf ? undefined : payload.conversationId });
      await ctx.db.postedMessage.upsert({
        where: { platform_conversationId_messageId: { platform: person.platform, conversationId: ref.conversationId, messageId: ref.messageId } },
        create: {
          platform: person.platform, conversationId: ref.conversationId, messageId: ref.messageId, recipientId: person.id,
          entryId: payload.entryId ?? null, contactId: payload.contactId ?? null, purpose: payload.purpose, outboxId: row.id,
        },
        update: {},
      });
    }
    await ctx.db.outboxMessage.update({ where: { id: row.id }, data: { status: 'sent', sentAt: now, attempts: row.attempts + 1, lockedUntil: null, lastError: null } });
    return 'sent';
  } catch (err) {
    const e = err as ChatError;
    if (e.retryable === false) return markDead(ctx, row, e.message, true);
    return retry(ctx, row, now, e.message ?? String(err), e.retryAfterSeconds);
  }
}

/**
 * Updates one posted message in place by its PostedMessage row (erasure re-renders). The recipient
 * may be erased by then (learner retention): only the platform and the message's address are needed.
 */
async function updatePosted(ctx: ServiceContext, ports: ChatPorts, row: Row, now: Date, postedMessageId: string, payload: OutboxPayload): Promise<keyof DeliveryReport> {
  const target = await ctx.db.postedMessage.findUnique({ where: { id: postedMessageId } });
  if (!target) return markDead(ctx, row, 'the message to update is no longer recorded', false);
  const port = ports[target.platform];
  if (!port) return retry(ctx, row, now, `${target.platform} is not configured`, undefined);
  try {
    await port.update({ conversationId: target.conversationId, messageId: target.messageId }, payload.message);
  } catch (err) {
    const e = err as ChatError;
    if (e.retryable === false) return markDead(ctx, row, e.message, true);
    return retry(ctx, row, now, e.message ?? String(err), e.retryAfterSeconds);
  }
  await ctx.db.outboxMessage.update({ where: { id: row.id }, data: { status: 'sent', sentAt: now, attempts: row.attempts + 1, lockedUntil: null, lastError: null } });
  return 'sent';
}

async function retry(ctx: ServiceContext, row: Row, now: Date, reason: string, retryAfterSeconds: number | undefined): Promise<keyof DeliveryReport> {
  const attempts = row.attempts + 1;
  if (attempts >= MAX_ATTEMPTS) return markDead(ctx, row, reason, true);
  const wait = retryAfterSeconds ?? BACKOFF_S[Math.min(attempts - 1, BACKOFF_S.length - 1)]!;
  // A little jitter so many messages failing together do not all retry in the same second.
  const jitter = retryAfterSeconds ? 0 : Math.floor(Math.random() * 1000);
  await ctx.db.outboxMessage.update({
    where: { id: row.id },
    data: { attempts, nextAttemptAt: new Date(now.getTime() + wait * 1000 + jitter), lockedUntil: null, lastError: reason.slice(0, 500) },
  });
  ctx.log.warn({ outboxId: row.id, kind: row.kind, attempts, retryInSeconds: wait, reason }, 'outbox delivery failed; will retry');
  return 'retried';
}

/** Waits for something else to be sent first (a thread root); not counted as a failure. */
async function defer(ctx: ServiceContext, row: Row, now: Date, reason: string): Promise<keyof DeliveryReport> {
  await ctx.db.outboxMessage.update({ where: { id: row.id }, data: { nextAttemptAt: new Date(now.getTime() + 5_000), lockedUntil: null, lastError: reason } });
  return 'deferred';
}

async function markDead(ctx: ServiceContext, row: Row, reason: string, tellAdmins: boolean): Promise<keyof DeliveryReport> {
  await ctx.db.outboxMessage.update({ where: { id: row.id }, data: { status: 'dead', attempts: row.attempts + 1, lockedUntil: null, lastError: reason.slice(0, 500) } });
  ctx.log.error({ outboxId: row.id, kind: row.kind, recipientId: row.recipientId, reason }, 'outbox message could not be delivered');
  if (tellAdmins && !row.kind.startsWith('admin_')) {
    const recipient = await ctx.db.person.findUnique({ where: { id: row.recipientId }, select: { name: true, workspaceId: true } });
    const admins = await ctx.db.person.findMany({ where: { roles: { has: 'admin' }, erasedAt: null, id: { not: row.recipientId } }, select: { id: true, workspaceId: true } });
    const sameWorkspace = admins.filter((a) => a.workspaceId === recipient?.workspaceId);
    await enqueue(ctx.db, (sameWorkspace.length ? sameWorkspace : admins).map((a) => ({
      dedupeKey: `admin_undelivered:${row.id}:${a.id}`,
      recipientId: a.id,
      kind: 'admin_undelivered',
      payload: {
        purpose: 'admin_alert',
        message: {
          fallback: 'A message could not be delivered',
          blocks: [
            { type: 'text', text: `A ${row.kind.replace(/_/g, ' ')} message to ${recipient?.name ?? 'someone'} could not be delivered after ${row.attempts + 1} attempts.`, bold: true },
            { type: 'context', text: `Reason: ${reason.slice(0, 200)} · outbox ${row.id}` },
          ],
        },
      },
    })));
  }
  return 'dead';
}
