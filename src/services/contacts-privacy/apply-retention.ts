// The retention policy, run daily by the `retention` job: contacts with no interaction for the
// workspace's contactRetentionMonths (default 24) are erased; learners whose enrolment completed
// more than learnerRetentionYears ago (default 6) are anonymised (erase-learner.ts); log texts held
// for a minimisation choice are dropped after a day. The admins are told what was removed, in
// counts only. One run per day (JobRun row `retention`/date); a second run of the day does nothing.
import type { ChatMessage } from '../../ports/message.ts';
import type { ServiceContext } from '../kernel/context.ts';
import { eraseContact } from './erase-contact.ts';
import { eraseLearner } from './erase-learner.ts';
import { purgeOldRowVersions } from './purge-row-versions.ts';
import { PENDING_PREFIX, PENDING_TTL_MS } from '../evidence/minimise-log.ts';
import { enqueue } from '../outbox/outbox.ts';

export interface RetentionSummary {
  slot: string;
  skipped?: boolean;
  contactsErased: number;
  learnersErased: number;
  heldLogsDropped: number;
}

const minusMonths = (d: Date, months: number) => {
  const x = new Date(d);
  x.setUTCMonth(x.getUTCMonth() - months);
  return x;
};

export async function applyRetention(ctx: ServiceContext, now: Date): Promise<RetentionSummary> {
  const slot = now.toISOString().slice(0, 10);
  const summary: RetentionSummary = { slot, contactsErased: 0, learnersErased: 0, heldLogsDropped: 0 };
  const claimed = await ctx.db.jobRun.createMany({ data: [{ job: 'retention', slot, startedAt: now }], skipDuplicates: true });
  if (claimed.count === 0) {
    // Done (or running) for this day; a run that died over an hour ago is taken over. Erasure is idempotent.
    const taken = await ctx.db.jobRun.updateMany({
      where: { job: 'retention', slot, finishedAt: null, startedAt: { lt: new Date(now.getTime() - 3_600_000) } },
      data: { startedAt: now },
    });
    if (taken.count === 0) return { ...summary, skipped: true };
  }

  const byWorkspace = new Map<string, { contacts: number; learners: number }>();
  const bump = (ws: string, k: 'contacts' | 'learners') => {
    const v = byWorkspace.get(ws) ?? { contacts: 0, learners: 0 };
    v[k]++;
    byWorkspace.set(ws, v);
  };

  for (const ws of await ctx.db.workspace.findMany()) {
    const cutoff = minusMonths(now, ws.contactRetentionMonths);
    const stale = await ctx.db.contact.findMany({
      where: {
        owner: { workspaceId: ws.id },
        OR: [{ lastInteractionAt: { lt: cutoff } }, { lastInteractionAt: null, createdAt: { lt: cutoff } }],
      },
      select: { id: true },
    });
    for (const c of stale) {
      const r = await eraseContact(ctx, { contactId: c.id, requestedBy: { kind: 'retention' }, purge: false });
      if (r.erased) { summary.contactsErased++; bump(ws.id, 'contacts'); }
    }

    const completedBefore = minusMonths(now, ws.learnerRetentionYears * 12);
    const learners = await ctx.db.person.findMany({
      where: {
        workspaceId: ws.id, erasedAt: null,
        enrolments: { some: { completedAt: { lt: completedBefore } }, none: { OR: [{ completedAt: null }, { completedAt: { gte: completedBefore } }] } },
      },
      select: { id: true },
    });
    for (const l of learners) {
      const r = await eraseLearner(ctx, { personId: l.id, requestedBy: { kind: 'retention' }, purge: false });
      if (r.erased) { summary.learnersErased++; bump(ws.id, 'learners'); }
    }
  }

  const held = await ctx.db.processedRequest.deleteMany({ where: { key: { startsWith: PENDING_PREFIX }, createdAt: { lt: new Date(now.getTime() - PENDING_TTL_MS) } } });
  summary.heldLogsDropped = held.count;
  // Once for the whole run: the old row versions and write-ahead log that still hold what was erased.
  if (summary.contactsErased || summary.learnersErased || summary.heldLogsDropped) await purgeOldRowVersions(ctx);

  // Tell each workspace's admins, in counts only.
  for (const [workspaceId, n] of byWorkspace) {
    const ws = await ctx.db.workspace.findUniqueOrThrow({ where: { id: workspaceId } });
    const admins = await ctx.db.person.findMany({ where: { workspaceId, roles: { has: 'admin' }, erasedAt: null }, select: { id: true } });
    const parts = [];
    if (n.contacts) parts.push(`${n.contacts} contact${n.contacts === 1 ? '' : 's'} with no interaction for ${ws.contactRetentionMonths} months`);
    if (n.learners) parts.push(`${n.learners} learner${n.learners === 1 ? '' : 's'} who completed more than ${ws.learnerRetentionYears} years ago (anonymised)`);
    const message: ChatMessage = {
      fallback: 'Retention: personal data erased',
      blocks: [
        { type: 'text', text: 'Retention policy applied', bold: true },
        { type: 'text', text: `Erased today: ${parts.join('; ')}.` },
        { type: 'context', text: 'Evidence and its assessment history stay; each affected entry records that an erasure happened.' },
      ],
    };
    await enqueue(ctx.db, admins.map((a) => ({ dedupeKey: `retention:${slot}:${a.id}`, recipientId: a.id, kind: 'admin_retention', payload: { message, purpose: 'admin_alert' } })));
  }
  if (byWorkspace.size) ctx.kickOutbox();

  const { slot: _slot, ...counts } = summary;
  await ctx.db.jobRun.update({ where: { job_slot: { job: 'retention', slot } }, data: { finishedAt: new Date(), summary: counts } });
  ctx.log.info({ ...counts, slot }, 'retention applied');
  return summary;
}
