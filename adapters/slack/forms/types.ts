// One Slack modal for one of the core's forms (FormName): how it is drawn from the core's prefill,
// and the listener for its submission. forms/index.ts lists them; a new form is one file there.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction, types } from '@slack/bolt';
import type { FormName } from '../../../src/services/commands/handle-command.ts';
import type { SlackDeps } from '../listeners/shared.ts';

export type ViewArgs = Pick<SlackViewMiddlewareArgs<ViewSubmitAction>, 'ack' | 'body' | 'view'> & Partial<Pick<AllMiddlewareArgs, 'client'>>;

export interface SlackForm {
  name: FormName;
  /** The modal's callback_id: submissions are routed on it. */
  callbackId: string;
  /** The modal, from what the core pre-filled (a contact, chosen criteria, current settings …). */
  view(prefill: Record<string, unknown> | undefined, context: { now: Date; origin: string }): types.ModalView;
  /** Handles view_submission for this callback_id. */
  submit(deps: SlackDeps): (args: ViewArgs) => Promise<void>;
}
