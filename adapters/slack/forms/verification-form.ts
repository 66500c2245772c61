// Submission of a verification modal (block-kit/verification-modal.ts): hand the value to the
// core, keyed on the view ID so a double submission acts once. A missing or too-long value comes
// back inline under the field (`response_action: errors`); a refusal or a success replaces the
// modal with what the core says, so the person sees the outcome where they acted. Slower than the
// acknowledgement budget, the modal closes and a late failure is told in a DM.
import { AppError, TRY_AGAIN } from '../../../src/lib/errors.ts';
import { noticeView } from '../block-kit/views.ts';
import { parseVerificationSubmission, VALUE_FIELD, VERIFICATION_FORM_CALLBACK_ID } from '../block-kit/verification-modal.ts';
import { answerWithinAckBudget, failureMessage, sendToDm, slackActor, textMessage, type SlackDeps } from '../listeners/shared.ts';
import type { ViewArgs } from './types.ts';

export { VERIFICATION_FORM_CALLBACK_ID };

export function verificationFormSubmission(deps: SlackDeps) {
  return async ({ ack, body, view }: ViewArgs): Promise<void> => {
    const actor = slackActor(body.team?.id ?? body.user.team_id, body.user.id);
    const logContext = { view: VERIFICATION_FORM_CALLBACK_ID, viewId: view.id };
    const parsed = parseVerificationSubmission(view.private_metadata, view.state.values);
    if (!parsed) {
      await ack({ response_action: 'update', view: noticeView('Evidence bot', textMessage('That form is out of date. Open it again from the latest message.')) });
      return;
    }
    const title = view.title?.text ?? 'Evidence bot';
    const work = deps.services.submitVerificationForm({ actor, target: parsed.target, value: parsed.value, requestId: `slack:view:${view.id}` });
    await answerWithinAckBudget(work, {
      async inTime(outcome) {
        if (outcome.state === 'done') {
          await ack({ response_action: 'update', view: noticeView(title, outcome.value.reply) });
          return;
        }
        const err = outcome.error;
        const message = failureMessage(err, deps.log, logContext);
        if (err instanceof AppError && err.code === 'invalid_input') await ack({ response_action: 'errors', errors: { [VALUE_FIELD]: err.userMessage } });
        else if (err instanceof AppError) await ack({ response_action: 'update', view: noticeView(title, message) });
        else await ack({ response_action: 'errors', errors: { [VALUE_FIELD]: TRY_AGAIN } });
      },
      ackEmpty: () => ack(),
      async later(late) {
        if (late.state !== 'failed') return;
        await sendToDm(deps, actor.userId, failureMessage(late.error, deps.log, logContext)).catch((e: unknown) =>
          deps.log.error({ ...logContext, err: e }, 'could not report a failed verification form'));
      },
    });
  };
}
