// The contact register's buttons: More (contacts), Review (opens the review modal), Erase and
// Cancel under `forget`, and the minimisation choices under a held log. Each click goes to the
// core's handleContactAction, which checks ownership against the database; the answer replaces the
// ephemeral message clicked (so a confirmation naming the contact does not linger), or opens a form.
import { CONTACT_ACTIONS } from '../../../src/services/contacts-privacy/contact-commands.ts';
import { openForm } from '../forms/index.ts';
import { textMessage } from '../listeners/shared.ts';
import type { SlackActionHandler } from './types.ts';

const handler = (id: string): SlackActionHandler => ({
  id,
  async handle({ actionId, value, actor, triggerId, body, client, deps, reply }) {
    const r = await deps.services.handleContactAction({ actor, actionId, value, requestId: `action:${body.trigger_id}`, source: 'slack' });
    if (r.kind === 'form') {
      const opened = await openForm(client, triggerId, r, { origin: actionId, now: deps.services.context.clock.now() });
      if (!opened) await reply(textMessage('That form is not available in Slack yet.'));
      return;
    }
    if (r.kind === 'message') await reply(r.message, { replaceOriginal: true });
  },
});

export const contactActions: SlackActionHandler[] = Object.values(CONTACT_ACTIONS).map(handler);
