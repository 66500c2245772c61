// The contact form and the relationship-review form: drawn from the core's prefill, and on
// submission handed to the core (the review keyed on the view ID, so a double submission stores
// one review; a contact is saved by name, so a second save changes nothing). Field errors come back
// inline; the outcome replaces the modal, so the learner sees what was saved where they acted.
import { AppError, TRY_AGAIN } from '../../../src/lib/errors.ts';
import type { ChatMessage } from '../../../src/ports/message.ts';
import type { CommandResult } from '../../../src/services/commands/handle-command.ts';
import {
  CONTACT_FORM_CALLBACK_ID, contactBlockFor, contactFormView, parseContactSubmission, parseReviewSubmission, REVIEW_FORM_CALLBACK_ID, reviewBlockFor, reviewFormView,
} from '../block-kit/contact-modal.ts';
import { noticeView } from '../block-kit/views.ts';
import { ACK_BUDGET_MS, failureMessage, sendToDm, settle, settleWithin, slackActor, textMessage, type SlackDeps } from '../listeners/shared.ts';
import type { SlackForm, ViewArgs } from './types.ts';

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

export const contactForm: SlackForm = {
  name: 'contact',
  callbackId: CONTACT_FORM_CALLBACK_ID,
  view: (prefill) => contactFormView({ name: str(prefill?.name), email: str(prefill?.email), phone: str(prefill?.phone), pendingLog: str(prefill?.pendingLog) }),
  submit: (deps) => async ({ ack, body, view }: ViewArgs) => {
    const parsed = parseContactSubmission(view.state.values, view.private_metadata);
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: parsed.errors });
      return;
    }
    const actor = slackActor(body.team?.id ?? body.user.team_id, body.user.id);
    await answer(deps, ack, actor.userId, 'Contact', { view: CONTACT_FORM_CALLBACK_ID, viewId: view.id }, contactBlockFor,
      deps.services.submitContactForm({ actor, requestId: `view:${view.id}`, source: 'slack', values: parsed.values }));
  },
};

export const reviewForm: SlackForm = {
  name: 'review',
  callbackId: REVIEW_FORM_CALLBACK_ID,
  view: (prefill) => reviewFormView({ contactId: String(prefill?.contactId ?? ''), contactName: String(prefill?.contactName ?? 'your contact') }),
  submit: (deps) => async ({ ack, body, view }: ViewArgs) => {
    const parsed = parseReviewSubmission(view.state.values, view.private_metadata);
    if (!parsed.ok) {
      if ('stale' in parsed) await ack({ response_action: 'update', view: noticeView('Relationship review', textMessage('That form is out of date. Type `/evidence review` to start again.')) });
      else await ack({ response_action: 'errors', errors: parsed.errors });
      return;
    }
    const actor = slackActor(body.team?.id ?? body.user.team_id, body.user.id);
    await answer(deps, ack, actor.userId, 'Relationship review', { view: REVIEW_FORM_CALLBACK_ID, viewId: view.id }, reviewBlockFor,
      deps.services.submitReviewForm({ actor, requestId: `view:${view.id}`, source: 'slack', values: parsed.values }));
  },
};

/** Answers a submission within Slack's 3 seconds: the outcome in the modal, field errors inline, a late failure by DM. */
async function answer(
  deps: SlackDeps,
  ack: ViewArgs['ack'],
  userId: string,
  title: string,
  logContext: Record<string, unknown>,
  blockFor: (field: unknown) => string,
  work: Promise<CommandResult>,
): Promise<void> {
  const outcome = await settleWithin(work, ACK_BUDGET_MS);
  if (outcome.state === 'done') {
    const r = outcome.value;
    const message: ChatMessage = r.kind === 'message' || r.kind === 'file' ? r.message : textMessage('Saved.');
    await ack({ response_action: 'update', view: noticeView(title, message) });
    return;
  }
  if (outcome.state === 'failed') {
    const err = outcome.error;
    const message = failureMessage(err, deps.log, logContext);
    if (err instanceof AppError && err.code === 'invalid_input') await ack({ response_action: 'errors', errors: { [blockFor(err.details?.field)]: err.userMessage } });
    else if (err instanceof AppError) await ack({ response_action: 'update', view: noticeView(title, message) });
    else await ack({ response_action: 'errors', errors: { [blockFor(undefined)]: TRY_AGAIN } });
    return;
  }
  await ack();
  const late = await settle(work);
  const tell = late.state === 'failed' ? failureMessage(late.error, deps.log, logContext) : late.value.kind === 'message' ? late.value.message : undefined;
  if (tell) await sendToDm(deps, userId, tell).catch((e: unknown) => deps.log.error({ ...logContext, err: e }, 'could not answer a slow form'));
}
