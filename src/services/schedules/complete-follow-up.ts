// The reminder's Done button: marks the follow-up (or post-placement check-in) done and opens the
// logging form pre-filled from the entry it was about, so what happened is logged as new evidence.
// Only the learner it belongs to may press it (checked here, from the database).
import { criterionKey, getQualification } from '../../catalogue/catalogue.ts';
import { enrolledUnits } from '../../domain/progress.ts';
import { forbidden } from '../../lib/errors.ts';
import type { ActorRef, ServiceContext } from '../kernel/context.ts';
import type { CommandResult } from '../commands/handle-command.ts';
import { identifyLearner } from '../kernel/identify-person.ts';
import { criterionOptionsFor } from '../evidence/search-criteria.ts';

const DONE_PREFIX: Record<string, string> = {
  follow_up: 'Followed up',
  placement_1w: 'One-week post-placement check-in',
  placement_1m: 'One-month post-placement check-in',
  placement_3m: 'Three-month post-placement check-in',
};

export async function completeFollowUp(ctx: ServiceContext, input: { actor: ActorRef; reminderId: string }): Promise<CommandResult & { kind: 'form' }> {
  const { person, enrolment } = await identifyLearner(ctx, input.actor);
  const reminder = await ctx.db.followUpReminder.findUnique({
    where: { id: input.reminderId },
    include: { entry: { include: { criteria: true, contact: { select: { name: true } } } } },
  });
  if (!reminder || reminder.learnerId !== person.id) throw forbidden('That reminder is not one of yours, so nothing was changed.');
  const now = ctx.clock.now();
  if (!reminder.doneAt) {
    await ctx.db.$transaction(async (tx) => {
      // A double click: only the first marks it.
      const { count } = await tx.followUpReminder.updateMany({ where: { id: reminder.id, doneAt: null }, data: { doneAt: now, remindedAt: reminder.remindedAt ?? now } });
      if (count && reminder.kind === 'follow_up') await tx.entry.update({ where: { id: reminder.entryId }, data: { followUpDoneAt: now } });
    });
    ctx.log.info({ reminderId: reminder.id, kind: reminder.kind }, 'follow-up marked done');
  }
  const e = reminder.entry;
  const q = getQualification(enrolment.qualificationId);
  const unitRefs = enrolledUnits(q, enrolment.optionalUnits).map((u) => u.ref);
  return {
    kind: 'form',
    form: 'log',
    prefill: {
      summary: `${DONE_PREFIX[reminder.kind] ?? 'Followed up'}: ${e.summary}`.slice(0, 2500),
      // As the logging form takes them (value = criterion key, label = its text), like prepareLogForm's.
      criteria: criterionOptionsFor(q, unitRefs, e.criteria.map((c) => criterionKey(c))),
      ...(e.contact ? { contactName: e.contact.name } : {}),
      ...(e.kind ? { kind: e.kind } : {}),
      ...(e.channel ? { channel: e.channel } : {}),
      followUpOf: reminder.id,
    },
  };
}
