// What an edit form opens with: the entry restated in the `log` grammar (summary, criteria tags,
// minutes, simulation), its version, and the assessor's feedback asking for the changes.
import { getQualification } from '../../catalogue/catalogue.ts';
import { forbidden } from '../../lib/errors.ts';
import { STATUS_LABEL } from '../../messages/entry-card.ts';
import { staleEntry } from '../verification/assessment-access.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import { identifyLearner } from '../kernel/identify-person.ts';
import { loadEntryView } from './entry-view.ts';

/** What an edit form opens with: the entry in the `log` grammar, and the assessor's feedback. */
export async function getEntryForEdit(ctx: ServiceContext, input: { actor: ActorRef; entryId: string }) {
  const { person } = await identifyLearner(ctx, input.actor);
  const entry = await ctx.db.entry.findUnique({
    where: { id: input.entryId },
    include: { criteria: true, contact: { select: { name: true } }, enrolment: { select: { qualificationId: true } } },
  });
  if (!entry || entry.learnerId !== person.id) throw forbidden('You can only edit your own evidence.');
  if (entry.status !== 'changes_requested') {
    throw staleEntry(entry.status, STATUS_LABEL[entry.status] ?? '');
  }
  const view = await loadEntryView(ctx, entry.id);
  const feedback = await ctx.db.decision.findFirst({
    where: { entryId: entry.id, outcome: 'changes', OR: [{ needsCountersign: false }, { countersignOutcome: 'countersigned' }] },
    orderBy: { createdAt: 'desc' },
    select: { feedback: true },
  });
  const q = getQualification(entry.enrolment.qualificationId);
  const tags = view.criteria.map((c) => {
    const unit = q.units.find((u) => u.ref === c.unitRef);
    return unit ? `#U${unit.number}:${c.number}` : `#${c.unitRef}:${c.number}`;
  });
  const text = [
    entry.summary,
    tags.join(' '),
    entry.minutes ? `mins:${entry.minutes}` : '',
    entry.simulated ? 'simulated' : '',
  ].filter(Boolean).join(' ');
  return { entryId: entry.id, version: entry.version, text, feedback: feedback?.feedback ?? null, summary: entry.summary };
}
