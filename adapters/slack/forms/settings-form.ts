// The check-in settings form (`/evidence settings`): drawn from the core's current settings; on
// submission handed to update-settings. A bad value comes back inline under its input; the saved
// settings (with the next check-in) replace the modal, so the learner sees what changed.
import { AppError, TRY_AGAIN } from '../../../src/lib/errors.ts';
import { noticeView } from '../block-kit/views.ts';
import { parseSettingsSubmission, SETTINGS_FORM_CALLBACK_ID, settingsBlockFor, settingsFormView } from '../block-kit/settings-modal.ts';
import { ACK_BUDGET_MS, failureMessage, sendToDm, settle, settleWithin, slackActor, type SlackDeps } from '../listeners/shared.ts';
import type { SlackForm, ViewArgs } from './types.ts';

export const settingsForm: SlackForm = {
  name: 'settings',
  callbackId: SETTINGS_FORM_CALLBACK_ID,
  view: (prefill) => settingsFormView(prefill),
  submit: (deps: SlackDeps) => async ({ ack, body, view }: ViewArgs) => {
    const parsed = parseSettingsSubmission(view.state.values);
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: parsed.errors });
      return;
    }
    const actor = slackActor(body.team?.id ?? body.user.team_id, body.user.id);
    const logContext = { view: SETTINGS_FORM_CALLBACK_ID, viewId: view.id };
    // Saving the same settings twice is harmless: a retried submission needs no key.
    const work = deps.services.updateSettings({ actor, changes: parsed.changes });
    const outcome = await settleWithin(work, ACK_BUDGET_MS);
    if (outcome.state === 'done') {
      await ack({ response_action: 'update', view: noticeView('Check-ins', outcome.value.message) });
      return;
    }
    if (outcome.state === 'failed') {
      const err = outcome.error;
      const message = failureMessage(err, deps.log, logContext);
      if (err instanceof AppError && err.code === 'invalid_input') await ack({ response_action: 'errors', errors: { [settingsBlockFor(err.details?.field)]: err.userMessage } });
      else if (err instanceof AppError) await ack({ response_action: 'update', view: noticeView('Check-ins', message) });
      else await ack({ response_action: 'errors', errors: { [settingsBlockFor(undefined)]: TRY_AGAIN } });
      return;
    }
    await ack();
    const late = await settle(work);
    const tell = late.state === 'failed' ? failureMessage(late.error, deps.log, logContext) : late.value.message;
    await sendToDm(deps, actor.userId, tell).catch((e: unknown) => deps.log.error({ ...logContext, err: e }, 'could not answer a slow settings form'));
  },
};
