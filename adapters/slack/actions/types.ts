// The shape of one button handler. Each button the bot renders has a MessageAction id
// (`criterion.log`, `entries.more`, `entry.approve` …); index.ts routes a click to the handler
// with that id. A handler receives the click already acknowledged and parsed.
import type { BlockAction } from '@slack/bolt';
import type { ChatMessage } from '../../../src/ports/message.ts';
import type { ActorRef } from '../../../src/services/kernel/context.ts';
import type { SlackDeps, WebClient } from '../listeners/shared.ts';

export interface SlackActionArgs {
  /** The MessageAction id (without the `~n` that keeps duplicate buttons apart in one block). */
  actionId: string;
  /** The button's value, as the core wrote it. Only says WHICH thing was clicked: authorise in the service. */
  value: string;
  actor: ActorRef;
  /** Valid for 3 seconds after the click: open modals first. */
  triggerId: string;
  body: BlockAction;
  client: WebClient;
  deps: SlackDeps;
  /**
   * Answers the person who clicked: ephemerally under the message (optionally replacing it), or
   * in a small modal when the button was not in a message (the App Home).
   */
  reply(message: ChatMessage, options?: { replaceOriginal?: boolean }): Promise<void>;
}

export interface SlackActionHandler {
  /** The MessageAction id this handler answers. */
  id: string;
  handle(args: SlackActionArgs): Promise<void>;
}
