// The criteria picker in the logging form loads its options here (a `block_suggestion` request) as
// the learner types: their own criteria matching the text, at most 100.
import type { SlackOptionsMiddlewareArgs } from '@slack/bolt';
import { criterionOption } from '../block-kit/log-modal.ts';
import { failureMessage, slackActor, type SlackDeps } from './shared.ts';

export type OptionsArgs = Pick<SlackOptionsMiddlewareArgs<'block_suggestion'>, 'ack' | 'body'>;

export function criteriaOptions(deps: SlackDeps) {
  return async ({ ack, body }: OptionsArgs): Promise<void> => {
    const actor = slackActor(body.team?.id ?? body.user.team_id, body.user.id);
    try {
      const found = await deps.services.searchCriteria({ actor, query: typeof body.value === 'string' ? body.value : '' });
      await ack({ options: found.map(criterionOption) });
    } catch (err) {
      // A picker cannot show a message: an empty list, and the reason in the log.
      failureMessage(err, deps.log, { options: 'criteria' });
      await ack({ options: [] });
    }
  };
}
