// The logging form. Opening: the core's prefill (chosen criteria, a contact) drawn as the modal.
// Submission: parse the inputs into a draft, record it through the core (keyed on the view ID, so
// a double submission stores one entry), and answer in the modal — field errors inline under their
// input, a refusal in place of the form, success by closing it. The learner's confirmation comes
// as a DM through the outbox (sent once, whatever happens to this request).
import { z } from 'zod';
import { AppError, TRY_AGAIN } from '../../../src/lib/errors.ts';
import { blockForField, FIELD, LOG_FORM_CALLBACK_ID, logFormView, parseLogFormMetadata, parseLogSubmission } from '../block-kit/log-modal.ts';
import { noticeView } from '../block-kit/views.ts';
import { ACK_BUDGET_MS, failureMessage, sendToDm, settle, settleWithin, slackActor, type SlackDeps } from '../listeners/shared.ts';
import type { SlackForm, ViewArgs } from './types.ts';

const ZPrefill = z.object({
  criteria: z.array(z.object({ value: z.string(), label: z.string() })).optional(),
  contactName: z.string().optional(),
  summary: z.string().optional(),
}).passthrough();

export const logForm: SlackForm = {
  name: 'log',
  callbackId: LOG_FORM_CALLBACK_ID,
  view(prefill, context) {
    const p = ZPrefill.safeParse(prefill ?? {});
    const data = p.success ? p.data : {};
    return logFormView({ criteria: data.criteria, contactName: data.contactName, summary: data.summary, origin: context.origin, now: context.now });
  },
  submit: logFormSubmission,
};

export function logFormSubmission(deps: SlackDeps) {
  return async ({ ack, body, view }: ViewArgs): Promise<void> => {
    const actor = slackActor(body.team?.id ?? body.user.team_id, body.user.id);
    const logContext = { view: LOG_FORM_CALLBACK_ID, viewId: view.id };
    const form = parseLogSubmission(view.state.values);
    if (!form.ok) {
      await ack({ response_action: 'errors', errors: form.errors });
      return;
    }
    const { contactName } = parseLogFormMetadata(view.private_metadata);
    const work = deps.services.recordEvidence({
      actor, idempotencyKey: `slack:view:${view.id}`, source: 'slack', draft: { ...form.draft, contactName }, notifyLearner: true,
    });
    const outcome = await settleWithin(work, ACK_BUDGET_MS);
    if (outcome.state === 'done') {
      await ack(); // closes the form; the confirmation is in the outbox
      return;
    }
    if (outcome.state === 'failed') {
      await ack(errorResponse(outcome.error, deps, logContext));
      return;
    }
    // Too slow to answer in the modal: close it, and if it fails after all, say so in a DM.
    await ack();
    const late = await settle(work);
    if (late.state === 'failed') {
      await sendToDm(deps, actor.userId, failureMessage(late.error, deps.log, logContext)).catch((err: unknown) =>
        deps.log.error({ ...logContext, err }, 'could not tell the learner their form failed'));
    }
  };
}

function errorResponse(err: unknown, deps: SlackDeps, logContext: Record<string, unknown>) {
  const message = failureMessage(err, deps.log, logContext);
  if (err instanceof AppError && err.code === 'invalid_input') {
    return { response_action: 'errors' as const, errors: { [blockForField(err.details?.field)]: err.userMessage } };
  }
  if (err instanceof AppError) {
    // Not on the roster, not a learner…: no field to fix, so the form gives way to the explanation.
    return { response_action: 'update' as const, view: noticeView('Log evidence', message) };
  }
  // Ours, not theirs: keep the form and what they typed, so they can simply submit again.
  return { response_action: 'errors' as const, errors: { [FIELD.summary]: TRY_AGAIN } };
}
