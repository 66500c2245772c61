// Delivers outbox messages through the chat ports. A message is claimed with a lease (so two
// workers or replicas never send the same one), sent, and marked sent together with the posted
// message it became; a failure backs off (honouring Retry-After, and pausing the platform for the
// rest of the pass on a 429), and a message that keeps failing is marked dead, logged, and reported
// to the admins — never silently dropped. A sender that crashes mid-send leaves its lease to
// expire, and the message is tried again.
//
// Danger: a lease is only as good as the port's own time-out. A send still in flight when its
// lease ends can be claimed and sent by another worker, so ports must fail well within LEASE_MS
// (the Slack and Teams clients are configured without their own long retry loops).
import type { ChatError, ChatPort, ChatRecipient, Platform, PostedRef } from '../../ports/chat.ts';
import { observeOutboxDelivery } from '../../lib/metrics.ts';
import type { OutboxPayload } from './outbox.ts';
import { enqueue } from './outbox.ts';
import type { ServiceContext } from '../kernel/context.ts';

/** Failures (not counting rate limits) before a message is dead-lettered. */
export const MAX_ATTEMPTS = 12;
/** A sender holds a message this long; the ports time out well within it (Slack after 10 s). */
export const LEASE_MS = 30_000;
/** Backoff after the nth failure: 10 s, 30 s, 1 min, 2 min, 5 min, 10 min, then 30 min. */
const BACKOFF_S = [10, 30, 60, 120, 300, 600, 1800];
/** How long a message may wait for the message it threads under or updates before it gives up. */
const DEFER_LIMIT_MS = 24 * 3_600_000;

export type ChatPorts = Partial<Record<Platform, ChatPort>>;

export interface DeliveryReport {
  sent: number;
  retried: number;
  dead: number;
  deferred: number;
}
type Outcome = keyof DeliveryReport;

type Row = {
  id: string; dedupeKey: string; recipientId: string; kind: string; payload: unknown; attempts: number;
  createdAt: Date;
  /** The lease this worker holds: also a fencing token (a reclaimed row has a later one). */
  lockedUntil: Date;
};

/** One delivery pass: the time it runs at, and platforms told to slow down (429) during it. */
interface Pass {
  now: Date;
  pausedUntil: Map<Platform, Date>;
}

/** Claims up to `limit` due messages for this worker; other workers skip them until the lease ends. */
async function claimDue(ctx: ServiceContext, now: Date, limit: number): Promise<Row[]> {
  const until = new Date(now.getTime() + LEASE_MS);
  // The candidates are picked once, in a CTE (a subquery in WHERE id IN (…) may be re-run by the
  // planner and then claim more rows than the limit).
  return ctx.db.$queryRawUnsafe<Row[]>(
    `WITH due AS MATERIALIZED (
       SELECT id FROM "OutboxMessage"
       WHERE status = 'pending' AND "nextAttemptAt" <= $2::timestamp(3)
         AND ("lockedUntil" IS NULL OR "lockedUntil" <= $2::timestamp(3))
       ORDER BY "nextAttemptAt", "createdAt"
       LIMIT $3
       FOR UPDATE SKIP LOCKED)
     UPDATE "OutboxMessage" AS o SET "lockedUntil" = $1::timestamp(3)
     FROM due WHERE o.id = due.id
     RETURNING o.id, o."dedupeKey", o."recipientId", o.kind, o.payload, o.attempts, o."createdAt", o."lockedUntil"`,
    until.toISOString(), now.toISOString(), limit,
  );
}

/** Delivers what is due at `now`; loops until nothing due is left (or `maxBatches`). */
export async function deliverOutbox(ctx: ServiceContext, ports: ChatPorts, options: { now?: Date; batchSize?: number; maxBatches?: number } = {}): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: 0, retried: 0, dead: 0, deferred: 0 };
  const pausedUntil = new Map<Platform, Date>();
  for (let batch = 0; batch < (options.maxBatches ?? 50); batch++) {
    const pass: Pass = { now: options.now ?? ctx.clock.now(), pausedUntil };
    const rows = await claimDue(ctx, pass.now, options.batchSize ?? 20);
    if (rows.length === 0) break;
    // Messages to one person go in order; different people in parallel.
    const byRecipient = new Map<string, Row[]>();
    for (const r of rows) byRecipient.set(r.recipientId, [...(byRecipient.get(r.recipientId) ?? []), r]);
    await Promise.all([...byRecipient.values()].map(async (list) => {
      for (const row of list) {
        let outcome: Outcome;
        try {
          outcome = await deliverOne(ctx, ports, row, pass);
        } catch (err) {
          // The database failed us mid-way: leave the lease to expire and the message to a later pass.
          ctx.log.error({ err, outboxId: row.id, kind: row.kind }, 'outbox delivery interrupted; retried when its lease ends');
          outcome = 'retried';
        }
        report[outcome]++;
        observeOutboxDelivery(outcome);
      }
    }));
  }
  return report;
}

async function deliverOne(ctx: ServiceContext, ports: ChatPorts, row: Row, pass: Pass): Promise<Outcome> {
  const payload = row.payload as OutboxPayload;
  if (payload.updatePosted) return updatePosted(ctx, ports, row, pass, payload.updatePosted.postedMessageId, payload);
  const person = await ctx.db.person.findUnique({ where: { id: row.recipientId }, include: { workspace: true } });
  if (!person || person.erasedAt) return markDead(ctx, row, 'recipient is no longer on the roster', false);
  const port = ports[person.platform];
  if (!port) return retry(ctx, row, pass.now, `${person.platform} is not configured`, undefined);
  const paused = pass.pausedUntil.get(person.platform);
  if (paused && paused > pass.now) return postpone(ctx, row, paused, `${person.platform} asked us to slow down`);
  const to: ChatRecipient = { personId: person.id, platform: person.platform, workspaceExternalId: person.workspace.externalId, userExternalId: person.externalId };

  try {
    if (payload.replyUrl && port.respond && !(payload.replyBy && new Date(payload.replyBy) <= pass.now)) {
      try {
        await port.respond(payload.replyUrl, payload.message);
        return markSent(ctx, row, pass.now);
      } catch (err) {
        ctx.log.warn({ err, outboxId: row.id, kind: row.kind }, 'could not answer through the reply URL; the answer goes as a direct message');
      }
    }
    if (payload.updateOf) {
      const target = await ctx.db.postedMessage.findFirst({ where: { entryId: payload.updateOf.entryId, purpose: payload.updateOf.purpose, platform: person.platform }, orderBy: { createdAt: 'asc' } });
      if (!target) return defer(ctx, row, pass.now, 'the message to update is not posted yet');
      await port.update({ conversationId: target.conversationId, messageId: target.messageId }, payload.message);
      return markSent(ctx, row, pass.now);
    }
    let threadOf: PostedRef | undefined;
    if (payload.threadEntryId) {
      const root = await ctx.db.postedMessage.findFirst({ where: { entryId: payload.threadEntryId, purpose: 'entry_root', platform: person.platform } });
      if (root) threadOf = { conversationId: root.conversationId, messageId: root.messageId };
      else if (await ctx.db.outboxMessage.findFirst({ where: { dedupeKey: `entry:${payload.threadEntryId}:root`, status: 'pending' } })) {
        return defer(ctx, row, pass.now, 'the thread root is not posted yet');
      }
    }
    const ref = await port.send(to, payload.message, { threadOf, conversationId: threadOf ? undefined : payload.conversationId });
    return markSent(ctx, row, pass.now, {
      platform: person.platform, conversationId: ref.conversationId, messageId: ref.messageId, recipientId: person.id,
      entryId: payload.entryId ?? null, contactId: payload.contactId ?? null, purpose: payload.purpose, outboxId: row.id,
    });
  } catch (err) {
    return failed(ctx, row, pass, person.platform, err);
  }
}

/**
 * Updates one posted message in place by its PostedMessage row (erasure re-renders). The recipient
 * may be erased by then (learner retention): only the platform and the message's address are needed.
 */
async function updatePosted(ctx: ServiceContext, ports: ChatPorts, row: Row, pass: Pass, postedMessageId: string, payload: OutboxPayload): Promise<Outcome> {
  const target = await ctx.db.postedMessage.findUnique({ where: { id: postedMessageId } });
  if (!target) return markDead(ctx, row, 'the message to update is no longer recorded', false);
  const port = ports[target.platform];
  if (!port) return retry(ctx, row, pass.now, `${target.platform} is not configured`, undefined);
  const paused = pass.pausedUntil.get(target.platform);
  if (paused && paused > pass.now) return postpone(ctx, row, paused, `${target.platform} asked us to slow down`);
  try {
    await port.update({ conversationId: target.conversationId, messageId: target.messageId }, payload.message);
  } catch (err) {
    return failed(ctx, row, pass, target.platform, err);
  }
  return markSent(ctx, row, pass.now);
}

type PostedData = {
  platform: Platform; conversationId: string; messageId: string; recipientId: string;
  entryId: string | null; contactId: string | null; purpose: string; outboxId: string;
};

/** Marks the message sent and records what it became, in one transaction; only while we hold the lease. */
async function markSent(ctx: ServiceContext, row: Row, now: Date, posted?: PostedData): Promise<Outcome> {
  const kept = await ctx.db.$transaction(async (tx) => {
    const { count } = await tx.outboxMessage.updateMany({
      where: { id: row.id, status: 'pending', lockedUntil: row.lockedUntil },
      data: { status: 'sent', sentAt: now, attempts: row.attempts + 1, lockedUntil: null, lastError: null },
    });
    if (posted) {
      await tx.postedMessage.upsert({
        where: { platform_conversationId_messageId: { platform: posted.platform, conversationId: posted.conversationId, messageId: posted.messageId } },
        create: posted,
        update: {},
      });
    }
    return count;
  });
  if (!kept) ctx.log.warn({ outboxId: row.id, kind: row.kind }, 'outbox lease was lost while sending: the send took longer than the lease');
  return 'sent';
}

async function failed(ctx: ServiceContext, row: Row, pass: Pass, platform: Platform, err: unknown): Promise<Outcome> {
  const e = err as Partial<ChatError>;
  const reason = (err as Error)?.message ?? String(err);
  if (e.retryable === false) return markDead(ctx, row, reason, true);
  if (typeof e.retryAfterSeconds === 'number') {
    // 429: the platform says when; everything else for it in this pass waits too. Not a failure of this message.
    const until = new Date(pass.now.getTime() + Math.max(1, e.retryAfterSeconds) * 1000);
    const current = pass.pausedUntil.get(platform);
    if (!current || current < until) pass.pausedUntil.set(platform, until);
    ctx.log.warn({ outboxId: row.id, kind: row.kind, platform, retryInSeconds: e.retryAfterSeconds }, 'rate limited; outbox waits as asked');
    return postpone(ctx, row, until, reason);
  }
  return retry(ctx, row, pass.now, reason, undefined);
}

async function retry(ctx: ServiceContext, row: Row, now: Date, reason: string, retryAfterSeconds: number | undefined): Promise<Outcome> {
  const attempts = row.attempts + 1;
  if (attempts >= MAX_ATTEMPTS) return markDead(ctx, row, reason, true);
  const wait = retryAfterSeconds ?? BACKOFF_S[Math.min(attempts - 1, BACKOFF_S.length - 1)]!;
  // A little jitter so many messages failing together do not all retry in the same second.
  const jitter = retryAfterSeconds ? 0 : Math.floor(Math.random() * 1000);
  await release(ctx, row, { attempts, nextAttemptAt: new Date(now.getTime() + wait * 1000 + jitter), lastError: reason.slice(0, 500) });
  ctx.log.warn({ outboxId: row.id, kind: row.kind, attempts, retryInSeconds: wait, reason }, 'outbox delivery failed; will retry');
  return 'retried';
}

/** Tries again at `until` without counting an attempt (a rate limit: the platform's pace, not this message's fault). */
async function postpone(ctx: ServiceContext, row: Row, until: Date, reason: string): Promise<Outcome> {
  await release(ctx, row, { nextAttemptAt: until, lastError: reason.slice(0, 500) });
  return 'deferred';
}

/** Waits for something else to be sent first (a thread root, the message to update); gives up after a day. */
async function defer(ctx: ServiceContext, row: Row, now: Date, reason: string): Promise<Outcome> {
  if (now.getTime() - row.createdAt.getTime() > DEFER_LIMIT_MS) return markDead(ctx, row, `${reason} after a day of waiting`, false);
  await release(ctx, row, { nextAttemptAt: new Date(now.getTime() + 5_000), lastError: reason });
  return 'deferred';
}

/** Gives the message back (lease cleared) with new timing; only while we still hold its lease. */
async function release(ctx: ServiceContext, row: Row, data: { attempts?: number; nextAttemptAt: Date; lastError: string }) {
  await ctx.db.outboxMessage.updateMany({ where: { id: row.id, status: 'pending', lockedUntil: row.lockedUntil }, data: { ...data, lockedUntil: null } });
}

async function markDead(ctx: ServiceContext, row: Row, reason: string, tellAdmins: boolean): Promise<Outcome> {
  const { count } = await ctx.db.outboxMessage.updateMany({
    where: { id: row.id, status: 'pending', lockedUntil: row.lockedUntil },
    data: { status: 'dead', attempts: row.attempts + 1, lockedUntil: null, lastError: reason.slice(0, 500) },
  });
  if (!count) return 'dead'; // another worker holds it now
  ctx.log.error({ outboxId: row.id, kind: row.kind, recipientId: row.recipientId, attempts: row.attempts + 1, reason }, 'outbox message could not be delivered');
  if (tellAdmins && !row.kind.startsWith('admin_')) {
    const recipient = await ctx.db.person.findUnique({ where: { id: row.recipientId }, select: { name: true, workspaceId: true } });
    const admins = await ctx.db.person.findMany({ where: { roles: { has: 'admin' }, erasedAt: null, id: { not: row.recipientId } }, select: { id: true, workspaceId: true } });
    const sameWorkspace = admins.filter((a) => a.workspaceId === recipient?.workspaceId);
    const told = sameWorkspace.length ? sameWorkspace : admins;
    if (!told.length) ctx.log.error({ outboxId: row.id }, 'no admin on the roster to tell about an undelivered message');
    await enqueue(ctx.db, told.map((a) => ({
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
