// How much is waiting in the outbox, for GET /metrics: messages due and not yet sent, messages
// scheduled for later (quiet hours, reminders), messages given up on, and how long the oldest due
// one has waited. One indexed query per scrape.
import type { ServiceContext } from '../kernel/context.ts';

export interface OutboxDepth {
  /** Due now (or overdue) and not yet sent. */
  pending: number;
  /** Waiting for a later time on purpose (notBefore, backoff). */
  scheduled: number;
  /** Given up on after repeated failures; an admin has been told. */
  dead: number;
  /** Seconds the oldest due message has waited past its due time; 0 when none is due. */
  oldestPendingSeconds: number;
}

export async function getOutboxDepth(ctx: ServiceContext): Promise<OutboxDepth> {
  const now = ctx.clock.now();
  const [row] = await ctx.db.$queryRawUnsafe<{ pending: bigint; scheduled: bigint; dead: bigint; oldest: Date | null }[]>(
    `SELECT count(*) FILTER (WHERE status = 'pending' AND "nextAttemptAt" <= $1) AS pending,
            count(*) FILTER (WHERE status = 'pending' AND "nextAttemptAt" > $1) AS scheduled,
            count(*) FILTER (WHERE status = 'dead') AS dead,
            min("nextAttemptAt") FILTER (WHERE status = 'pending' AND "nextAttemptAt" <= $1) AS oldest
     FROM "OutboxMessage" WHERE status IN ('pending', 'dead')`,
    now,
  );
  const oldest = row?.oldest ? new Date(row.oldest) : undefined;
  return {
    pending: Number(row?.pending ?? 0),
    scheduled: Number(row?.scheduled ?? 0),
    dead: Number(row?.dead ?? 0),
    oldestPendingSeconds: oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0,
  };
}
