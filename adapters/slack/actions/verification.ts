// The verification buttons (Approve, Request changes, Reject, Edit, Ask a witness, History,
// Countersign, Overturn, Confirm, Raise action, Write statement): one handler per action ID, all
// going to the core's handleVerificationAction with the click's trigger ID as the request ID (a
// Slack retry of the same click acts once). A message comes back ephemerally under the clicked
// message; a form opens as a modal. A refusal (not theirs to decide, a stale button) is thrown,
// and the routing table answers it ephemerally: nothing has changed.
import { VERIFICATION_ACTIONS } from '../../../src/services/verification/verification-actions.ts';
import { verificationModal } from '../block-kit/verification-modal.ts';
import type { SlackActionHandler } from './types.ts';

export const verificationActions: SlackActionHandler[] = VERIFICATION_ACTIONS.map((id) => ({
  id,
  async handle({ actor, value, triggerId, client, deps, reply }) {
    const result = await deps.services.handleVerificationAction({ actor, actionId: id, value, requestId: `slack:action:${triggerId}` });
    if (result.kind === 'message') await reply(result.message);
    else await client.views.open({ trigger_id: triggerId, view: verificationModal(result.form) });
  },
}));
