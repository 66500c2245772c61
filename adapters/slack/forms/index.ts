// The modals the Slack edge can open, one per core form. When the core asks for a form
// (CommandResult `{ kind: 'form' }`, or a button) it is looked up here; adding a form means writing
// a SlackForm in this folder and listing it below.
import type { FormName } from '../../../src/services/commands/handle-command.ts';
import type { WebClient } from '../listeners/shared.ts';
import { logForm } from './log-form.ts';
import { contactForm, reviewForm } from './contact-forms.ts';
import { settingsForm } from './settings-form.ts';
import type { SlackForm } from './types.ts';

export type { SlackForm };

export const SLACK_FORMS: SlackForm[] = [logForm, contactForm, reviewForm, settingsForm];

export function findForm(name: FormName, forms: SlackForm[] = SLACK_FORMS): SlackForm | undefined {
  return forms.find((f) => f.name === name);
}

/**
 * Opens the form's modal (trigger IDs expire 3 seconds after the click or command). Returns false
 * when Slack has no modal for this form yet, so the caller can say so instead.
 */
export async function openForm(
  client: WebClient,
  triggerId: string,
  request: { form: FormName; prefill?: Record<string, unknown> },
  context: { now: Date; origin: string },
  forms: SlackForm[] = SLACK_FORMS,
): Promise<boolean> {
  const form = findForm(request.form, forms);
  if (!form) return false;
  await client.views.open({ trigger_id: triggerId, view: form.view(request.prefill, context) });
  return true;
}
