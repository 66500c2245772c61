// One run per (job, time slot), claimed with a JobRun row: two replicas whose timers fire for the
// same slot collide on the primary key and only one does the sweep. The sweep itself finds all work
// due at or before `now` that is not done, so a slot that nobody ran is caught up by the next one;
// outbox dedupe keys keep a message single even if two sweeps ever overlap.
import type { ServiceContext } from './context.ts';

/** The slot a run belongs to: its minute, in UTC ("2026-11-23T09:00Z"). */
export function minuteSlot(now: Date): string {
  return `${now.toISOString().slice(0, 16)}Z`;
}

export type SlotRun<T> = { ran: true; summary: T } | { ran: false; reason: 'slot already claimed' };

export async function runInSlot<T extends Record<string, unknown>>(ctx: ServiceContext, job: string, now: Date, work: () => Promise<T>): Promise<SlotRun<T>> {
  const slot = minuteSlot(now);
  const claimed = await ctx.db.$executeRawUnsafe(
    `INSERT INTO "JobRun" (job, slot, "startedAt") VALUES ($1, $2, $3::timestamp(3)) ON CONFLICT DO NOTHING`,
    job, slot, now.toISOString(),
  );
  if (claimed === 0) return { ran: false, reason: 'slot already claimed' };
  let summary: T;
  try {
    summary = await work();
  } catch (err) {
    // Free the slot so a retry for the same time (a CLI re-run) is not refused; done work stays done.
    await ctx.db.jobRun.delete({ where: { job_slot: { job, slot } } }).catch(() => {});
    throw err;
  }
  await ctx.db.jobRun.update({ where: { job_slot: { job, slot } }, data: { finishedAt: new Date(), summary: summary as object } });
  // Keep a fortnight of run records.
  await ctx.db.jobRun.deleteMany({ where: { job, startedAt: { lt: new Date(now.getTime() - 14 * 86_400_000) } } });
  return { ran: true, summary };
}
