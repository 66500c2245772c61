// Who a learner can ask for a witness statement about an entry: their manager, and the other
// people on their workspace's roster (not themselves, not their assessor), for a picker.
import { forbidden } from '../../lib/errors.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { identifyLearner } from '../kernel/identify-person.ts';

export async function getWitnessOptions(ctx: ServiceContext, input: { actor: ActorRef; entryId: string }) {
  const { person, enrolment } = await identifyLearner(ctx, input.actor);
  const entry = await ctx.db.entry.findUnique({ where: { id: input.entryId }, select: { id: true, learnerId: true, summary: true } });
  if (!entry || entry.learnerId !== person.id) throw forbidden('You can only ask for witness statements about your own evidence.');
  const people = await ctx.db.person.findMany({
    where: { workspaceId: person.workspaceId, erasedAt: null, id: { notIn: [person.id, enrolment.assessorId].filter((x): x is string => !!x) } },
    select: { id: true, name: true },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    take: 100,
  });
  const manager = people.find((p) => p.id === enrolment.managerId) ?? null;
  return {
    entryId: entry.id,
    summary: entry.summary,
    manager: manager ? { personId: manager.id, name: manager.name } : null,
    colleagues: people.filter((p) => p.id !== manager?.id).map((p) => ({ personId: p.id, name: p.name })),
  };
}
