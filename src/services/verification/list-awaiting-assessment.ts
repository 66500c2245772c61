// An assessor's queue: entries of the learners they assess that wait for a decision (pending), and,
// for qualified assessors, decisions by unqualified colleagues in their workspace that wait for a
// countersignature. Oldest first: whoever has waited longest is seen first.
import { forbidden } from '../../lib/errors.ts';
import type { EntryView } from '../../messages/entry-card.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { identifyPerson, timeZoneOf } from '../kernel/identify-person.ts';
import { toEntryView } from '../evidence/entry-view.ts';

export interface AwaitingAssessment {
  entries: EntryView[];
  /** All that wait, of which `entries` is the first `limit`. */
  total: number;
  tz: string;
}

export async function listAwaitingAssessment(ctx: ServiceContext, input: { actor: ActorRef; limit?: number }): Promise<AwaitingAssessment> {
  const person = await identifyPerson(ctx, input.actor);
  if (!person.roles.includes('assessor')) throw forbidden('Only assessors have entries waiting for them.');
  const where = {
    learner: { erasedAt: null },
    OR: [
      { status: 'pending' as const, enrolment: { assessorId: person.id } },
      ...(person.qualified ? [{ status: 'awaiting_countersignature' as const, learner: { workspaceId: person.workspaceId, erasedAt: null } }] : []),
    ],
  };
  const [rows, total] = await Promise.all([
    ctx.db.entry.findMany({
      where,
      orderBy: { createdAt: 'asc' },
      take: Math.min(input.limit ?? 20, 50),
      include: { criteria: true, learner: { select: { name: true } }, enrolment: { select: { qualificationId: true } }, contact: { select: { name: true } } },
    }),
    ctx.db.entry.count({ where }),
  ]);
  return { entries: rows.map(toEntryView), total, tz: timeZoneOf(ctx, person) };
}
