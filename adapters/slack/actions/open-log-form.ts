// Buttons that open the logging form: "Log evidence" (App Home, check-in nudges, follow-up
// reminders — the core pre-fills the contact a reminder was about) and "Log 2.1" under a unit's
// criteria (`/evidence criteria U7`), which opens the form with that criterion already chosen.
// The services refuse anyone who is not an enrolled learner, before a form opens for nothing.
import { CRITERION_LOG_ACTION } from '../../../src/messages/action-values.ts';
import { LOG_EVIDENCE_ACTION } from '../../../src/messages/home-view.ts';
import { openForm } from '../forms/index.ts';
import type { SlackActionArgs, SlackActionHandler } from './types.ts';

const origin = (args: SlackActionArgs, fallback: string) => ({ origin: args.value.split(':')[0] || fallback, now: args.deps.services.context.clock.now() });

export const logEvidenceAction: SlackActionHandler = {
  id: LOG_EVIDENCE_ACTION,
  async handle(args) {
    const form = await args.deps.services.openLogForm({ actor: args.actor, value: args.value });
    await openForm(args.client, args.triggerId, form, origin(args, 'button'));
  },
};

export const criterionLogAction: SlackActionHandler = {
  id: CRITERION_LOG_ACTION,
  async handle(args) {
    const prefill = await args.deps.services.prepareLogForm({ actor: args.actor, criteria: [args.value] });
    await openForm(args.client, args.triggerId, { form: 'log', prefill: { criteria: prefill.criteria } }, { origin: 'criteria', now: args.deps.services.context.clock.now() });
  },
};
