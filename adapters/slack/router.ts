// Every Slack request reaches its handler through one global middleware that routes on the
// request's type, instead of one Bolt listener per type. Bolt runs every registered listener's
// matcher chain for every request (copying its arguments for each), so with six listeners an
// `/evidence log` cost about twice the bare framework's garbage per request (85 KB against 46,
// measured with a sampling heap profiler), which on a busy morning is CPU taken from acknowledging.
// Here a request costs one chain step, and the routing sits in one place. It also times every
// request by kind for GET /metrics (src/lib/metrics.ts), from Bolt's hand-over to the handler's end.
import type { AllMiddlewareArgs, AnyMiddlewareArgs, Middleware, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { startRequestTimer, type ChatRequestKind } from '../../src/lib/metrics.ts';
import type { BlockActionArgs } from './actions/index.ts';
import type { ViewArgs } from './forms/types.ts';
import type { HomeArgs } from './listeners/app-home.ts';
import type { CommandArgs } from './listeners/command.ts';
import type { OptionsArgs } from './listeners/criteria-options.ts';
import type { MessageEventArgs } from './listeners/thread-reply.ts';

export interface SlackHandlers {
  /** Slash commands whose name matches `commandName`. */
  command: (args: CommandArgs) => Promise<void>;
  commandName: RegExp;
  /** Modal submissions, by the view's callback_id. */
  views: ReadonlyMap<string, (args: ViewArgs) => Promise<void>>;
  /** `block_suggestion` requests, by the select menu's action_id. */
  options: ReadonlyMap<string, (args: OptionsArgs) => Promise<void>>;
  /** Every `block_actions` request (the handler routes on action_id). */
  action: (args: BlockActionArgs) => Promise<void>;
  /** Events API events, by event type. */
  events: { app_home_opened: (args: HomeArgs) => Promise<void>; message: (args: MessageEventArgs) => Promise<void> };
  /** Told about a request no handler takes (it has been acknowledged, so Slack shows no error). */
  unrouted(kind: ChatRequestKind, detail: Record<string, unknown>): void;
}

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

export function slackRouter(h: SlackHandlers): Middleware<AnyMiddlewareArgs> {
  const route = async (args: Parameters<Middleware<AnyMiddlewareArgs>>[0], kind: ChatRequestKind): Promise<void> => {
    if ('command' in args) {
      if (h.commandName.test(args.command.command)) return h.command(args);
      h.unrouted(kind, { command: args.command.command });
      return args.ack();
    }
    if ('view' in args) {
      const submit = args.body.type === 'view_submission' ? h.views.get(args.view.callback_id) : undefined;
      if (submit) return submit(args as SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs);
      if (args.body.type === 'view_submission') h.unrouted(kind, { callbackId: args.view.callback_id });
      return args.ack(); // a closed modal needs only its acknowledgement
    }
    if ('options' in args) {
      const load = args.body.type === 'block_suggestion' ? h.options.get(args.body.action_id) : undefined;
      if (load) return load(args as OptionsArgs);
      h.unrouted(kind, { actionId: (args.body as { action_id?: string }).action_id });
      return args.ack({ options: [] });
    }
    if ('action' in args) {
      if (args.body.type === 'block_actions') return h.action(args as BlockActionArgs);
      h.unrouted(kind, { type: args.body.type });
      return args.ack();
    }
    if ('event' in args) { // acknowledged by Bolt already
      if (args.event.type === 'app_home_opened') return h.events.app_home_opened(args as HomeArgs);
      if (args.event.type === 'message') return h.events.message(args as MessageEventArgs);
      return; // an event the manifest does not subscribe to
    }
    h.unrouted(kind, {});
    if ('ack' in args) await args.ack();
  };
  return async (args) => {
    const kind = requestKind(args.body as unknown as Record<string, unknown>);
    const done = startRequestTimer('slack', kind);
    try {
      await route(args, kind);
      done('ok');
    } catch (err) {
      done('error');
      throw err;
    }
  };
}
