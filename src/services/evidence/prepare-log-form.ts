// What the logging form needs before it opens: the person must be an enrolled learner (refused
// politely otherwise, before a form is opened for nothing), and any criteria to preselect — the
// "Log 2.1" button under `/evidence criteria U7` — resolved against the learner's own units.
import { getQualification } from '../../catalogue/catalogue.ts';
import { enrolledUnits } from '../../domain/progress.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { identifyLearner, timeZoneOf } from '../kernel/identify-person.ts';
import { criterionOptionsFor, type CriterionOption } from './search-criteria.ts';

export interface LogFormPrefill {
  criteria: CriterionOption[];
  timeZone: string;
}

export async function prepareLogForm(ctx: ServiceContext, input: { actor: ActorRef; criteria?: string[] }): Promise<LogFormPrefill> {
  const { person, enrolment } = await identifyLearner(ctx, input.actor);
  const q = getQualification(enrolment.qualificationId);
  const unitRefs = enrolledUnits(q, enrolment.optionalUnits).map((u) => u.ref);
  return { criteria: criterionOptionsFor(q, unitRefs, input.criteria ?? []), timeZone: timeZoneOf(ctx, person) };
}
