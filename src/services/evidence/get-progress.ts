// A learner's progress: their evidence, folded into per-unit coverage and credits (domain/progress).
import { getQualification } from '../../catalogue/catalogue.ts';
import { computeProgress, type Progress } from '../../domain/progress.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { identifyLearner } from '../kernel/identify-person.ts';

export async function progressForEnrolment(ctx: Pick<ServiceContext, 'db'>, enrolment: { id: string; qualificationId: string; optionalUnits: string[] }): Promise<Progress> {
  const entries = await ctx.db.entry.findMany({
    where: { enrolmentId: enrolment.id },
    select: { status: true, simulated: true, criteria: { select: { unitRef: true, number: true } } },
  });
  return computeProgress(getQualification(enrolment.qualificationId), enrolment.optionalUnits, entries);
}

export async function getProgress(ctx: ServiceContext, input: { actor: ActorRef }) {
  const { person, enrolment } = await identifyLearner(ctx, input.actor);
  return { learner: person, progress: await progressForEnrolment(ctx, enrolment) };
}
