// Counts and times every Slack request by kind for GET /metrics (src/lib/metrics.ts): a global
// Bolt middleware, so each listener is measured from Bolt's hand-over to its end, whatever it does.
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { startRequestTimer, type ChatRequestKind } from '../../src/lib/metrics.ts';

export function requestKind(body: Record<string, unknown>): ChatRequestKind {
  if (typeof body.command === 'string') return 'command';
  switch (body.type) {
    case 'block_actions':
    case 'interactive_message':
      return 'action';
    case 'view_submission':
      return 'view_submission';
    case 'view_closed':
      return 'view_closed';
    case 'block_suggestion':
      return 'options';
    case 'event_callback':
      return 'event';
    case 'shortcut':
    case 'message_action':
      return 'shortcut';
    default:
      return 'other';
  }
}

export const measureRequests: Middleware<AnyMiddlewareArgs> = async ({ body, next }) => {
  const done = startRequestTimer('slack', requestKind(body as unknown as Record<string, unknown>));
  try {
    await next();
    done('ok');
  } catch (err) {
    done('error');
    throw err;
  }
};
