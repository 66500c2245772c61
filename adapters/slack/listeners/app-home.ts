// The App Home tab, published each time someone opens it: what the core says their home shows
// (progress and recent entries for a learner, the queue for an assessor, a polite note otherwise).
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { homeView } from '../block-kit/views.ts';
import { failureMessage, slackActor, type SlackDeps } from './shared.ts';

export type HomeArgs = Pick<SlackEventMiddlewareArgs<'app_home_opened'>, 'event' | 'body'> & Pick<AllMiddlewareArgs, 'client'>;

export function appHomeOpened(deps: SlackDeps) {
  return async ({ event, body, client }: HomeArgs): Promise<void> => {
    if (event.tab !== 'home') return;
    try {
      const home = await deps.services.getHome({ actor: slackActor(body.team_id, event.user) });
      await client.views.publish({ user_id: event.user, view: homeView(home) });
    } catch (err) {
      failureMessage(err, deps.log, { event: 'app_home_opened' });
    }
  };
}
