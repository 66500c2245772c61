// The verification buttons (Approve, Request changes, Reject, Edit, Ask a witness, History,
// Countersign, Overturn, Confirm, Raise action, Write statement): one handler per action ID, all
// going to the core's handleVerificationAction with the click's trigger ID as the request ID (a
// Slack retry of the same click acts once). A message comes back ephemerally under the clicked
// message; a form opens as a modal, if the core answered while the trigger ID is still valid
// (within the acknowledgement budget); later than that, the person is asked to click again rather
// than shown Slack's expired-trigger failure. A refusal (not theirs to decide, a stale button) is
// thrown, and the routing table answers it ephemerally: nothing has changed.
import { VERIFICATION_ACTIONS } from '../../../src/services/verification/verification-actions.ts';
import { verificationModal } from '../block-kit/verification-modal.ts';
import { answerWithinAckBudget, textMessage } from '../listeners/shared.ts';
import type { SlackActionHandler } from './types.ts';

export const TOO_SLOW_FOR_FORM = 'That took too long, so the form could not open. Nothing was changed: click the button again.';

export const verificationActions: SlackActionHandler[] = VERIFICATION_ACTIONS.map((id) => ({
  id,
  async handle({ actor, value, triggerId, client, deps, reply }) {
    const work = deps.services.handleVerificationAction({ actor, actionId: id, value, requestId: `slack:action:${triggerId}` });
    await answerWithinAckBudget(work, {
      async inTime(outcome) {
        if (outcome.state === 'failed') throw outcome.error;
        const r = outcome.value;
        if (r.kind === 'message') await reply(r.message);
        else await client.views.open({ trigger_id: triggerId, view: verificationModal(r.form) });
      },
      ackEmpty: async () => {}, // the click was acknowledged on arrival (actions/index.ts)
      async later(outcome) {
        if (outcome.state === 'failed') throw outcome.error;
        const r = outcome.value;
        await reply(r.kind === 'message' ? r.message : textMessage(TOO_SLOW_FOR_FORM));
      },
    });
  },
}));
