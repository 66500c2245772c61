// Requests as Slack sends them to POST /slack/events: Slack's v0 request signature
// (signSlackRequest(): HMAC-SHA256 of `v0:${ts}:${body}`) and real payload shapes (payloads.*: the
// slash command form body; block_actions, view_submission, view_closed, message_action and
// block_suggestion as `payload=` JSON; event_callback JSON), and logFormValues() for the state of a
// submitted logging form. Nothing here starts a server.
import { createHmac } from 'node:crypto';
import type { ActorRef } from '../../src/services/kernel/context.ts';

export const TEST_SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';

/** Slack's v0 signature headers for a raw body. `timestamp` in seconds (default: now). */
export function signSlackRequest(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp) };
}

let triggerSeq = 0;
/** A fresh trigger ID, shaped like Slack's. */
export const newTriggerId = () => `${Date.now()}.${++triggerSeq}.trigger${Math.random().toString(16).slice(2, 10)}`;

export interface SlackUser {
  userId: string;
  workspaceId: string;
}
const asUser = (who: ActorRef | SlackUser) => ({ id: who.userId, team_id: who.workspaceId, username: who.userId.toLowerCase(), name: who.userId.toLowerCase() });

export interface Encoded {
  body: string;
  contentType: string;
}

const form = (fields: Record<string, string>): Encoded => ({ body: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' });
/** An interactivity payload from `user`: the envelope every one carries, then the type's own fields. */
const interactive = (user: ActorRef | SlackUser, payload: Record<string, unknown>): Encoded =>
  form({
    payload: JSON.stringify({
      team: { id: user.workspaceId, domain: 'centre' },
      user: asUser(user),
      api_app_id: 'A0EVIDENCE',
      token: 'deprecated-verification-token',
      enterprise: null,
      is_enterprise_install: false,
      ...payload,
    }),
  });

export const payloads = {
  /** `/evidence TEXT` as Slack posts it (application/x-www-form-urlencoded). */
  slashCommand(o: { user: ActorRef | SlackUser; text: string; triggerId?: string; responseUrl?: string; channelId?: string; command?: string }): Encoded {
    return form({
      token: 'deprecated-verification-token',
      team_id: o.user.workspaceId,
      team_domain: 'centre',
      channel_id: o.channelId ?? 'C0GENERAL',
      channel_name: 'general',
      user_id: o.user.userId,
      user_name: o.user.userId.toLowerCase(),
      command: o.command ?? '/evidence',
      text: o.text,
      api_app_id: 'A0EVIDENCE',
      is_enterprise_install: 'false',
      response_url: o.responseUrl ?? 'https://hooks.slack.invalid/commands/T0/1/x',
      trigger_id: o.triggerId ?? newTriggerId(),
    });
  },

  /** A button click. From a message when `responseUrl` is given, else from the App Home. */
  blockActions(o: { user: ActorRef | SlackUser; actionId: string; value: string; triggerId?: string; responseUrl?: string; channelId?: string; messageTs?: string }): Encoded {
    const fromMessage = Boolean(o.responseUrl);
    return interactive(o.user, {
      type: 'block_actions',
      container: fromMessage
        ? { type: 'message', message_ts: o.messageTs ?? '1790000000.000100', channel_id: o.channelId ?? 'C0GENERAL', is_ephemeral: true }
        : { type: 'view', view_id: 'V0HOME' },
      trigger_id: o.triggerId ?? newTriggerId(),
      ...(fromMessage ? { channel: { id: o.channelId ?? 'C0GENERAL', name: 'general' }, response_url: o.responseUrl } : { view: { id: 'V0HOME', type: 'home' } }),
      actions: [{ action_id: o.actionId, block_id: 'b1', text: { type: 'plain_text', text: 'Button' }, value: o.value, type: 'button', action_ts: '1790000000.1' }],
    });
  },

  /** The logging form submitted, with `values` as view.state.values (see logFormValues). */
  viewSubmission(o: { user: ActorRef | SlackUser; viewId: string; values: Record<string, any>; callbackId?: string; privateMetadata?: string }): Encoded {
    return interactive(o.user, {
      type: 'view_submission',
      trigger_id: newTriggerId(),
      view: {
        id: o.viewId, team_id: o.user.workspaceId, type: 'modal', callback_id: o.callbackId ?? 'evidence_log',
        private_metadata: o.privateMetadata ?? '{"v":1,"origin":"command"}', hash: '1790000000.abc', blocks: [],
        title: { type: 'plain_text', text: 'Log evidence' }, state: { values: o.values },
        root_view_id: o.viewId, app_id: 'A0EVIDENCE', bot_id: 'B0BOT',
      },
      response_urls: [],
    });
  },

  /** A modal closed with Cancel or X (sent only for views with notify_on_close). */
  viewClosed(o: { user: ActorRef | SlackUser; viewId: string; callbackId?: string }): Encoded {
    return interactive(o.user, {
      type: 'view_closed',
      view: { id: o.viewId, team_id: o.user.workspaceId, type: 'modal', callback_id: o.callbackId ?? 'evidence_log', private_metadata: '', blocks: [], state: { values: {} } },
      is_cleared: false,
    });
  },

  /** A message shortcut ("…" on a message), which this app does not offer. */
  messageShortcut(o: { user: ActorRef | SlackUser; callbackId: string; channelId?: string }): Encoded {
    return interactive(o.user, {
      type: 'message_action',
      callback_id: o.callbackId,
      trigger_id: newTriggerId(),
      response_url: 'https://hooks.slack.invalid/unused',
      channel: { id: o.channelId ?? 'C0GENERAL', name: 'general' },
      message: { type: 'message', user: o.user.userId, ts: '1790000000.000100', text: 'hello' },
      message_ts: '1790000000.000100',
    });
  },

  /** An options load: the learner typed `value` into the external select `actionId`. */
  blockSuggestion(o: { user: ActorRef | SlackUser; actionId: string; value: string; blockId?: string; viewId?: string }): Encoded {
    return interactive(o.user, {
      type: 'block_suggestion',
      container: { type: 'view', view_id: o.viewId ?? 'V0FORM' },
      action_id: o.actionId,
      block_id: o.blockId ?? o.actionId,
      value: o.value,
      view: { id: o.viewId ?? 'V0FORM', type: 'modal', callback_id: 'evidence_log', state: { values: {} } },
    });
  },

  /** An Events API delivery (application/json). */
  eventCallback(o: { teamId: string; event: Record<string, unknown>; eventId?: string }): Encoded {
    return {
      contentType: 'application/json',
      body: JSON.stringify({
        token: 'deprecated-verification-token',
        team_id: o.teamId,
        api_app_id: 'A0EVIDENCE',
        event: o.event,
        type: 'event_callback',
        event_id: o.eventId ?? `Ev${Date.now()}${++triggerSeq}`,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ enterprise_id: null, team_id: o.teamId, user_id: 'U0BOT', is_bot: true, is_enterprise_install: false }],
        is_ext_shared_channel: false,
      }),
    };
  },

  /**
   * A message posted by a person (`message.im` / `message.channels` / `message.groups`), e.g. an
   * assessor's reply `approve` in the thread of an entry's root message (`threadTs`).
   */
  messageEvent(o: { user: ActorRef | SlackUser; channel: string; text: string; threadTs?: string; ts?: string; channelType?: 'im' | 'channel' | 'group' }): Encoded {
    const ts = o.ts ?? `${Math.floor(Date.now() / 1000)}.${String(++triggerSeq).padStart(6, '0')}`;
    return payloads.eventCallback({
      teamId: o.user.workspaceId,
      event: {
        type: 'message', user: o.user.userId, text: o.text, ts, channel: o.channel, event_ts: ts,
        channel_type: o.channelType ?? (o.channel.startsWith('D') ? 'im' : o.channel.startsWith('G') ? 'group' : 'channel'),
        team: o.user.workspaceId, ...(o.threadTs ? { thread_ts: o.threadTs, parent_user_id: 'U0BOT' } : {}),
      },
    });
  },

  /** `app_home_opened` for the Home tab. */
  appHomeOpened(user: ActorRef | SlackUser): Encoded {
    return payloads.eventCallback({
      teamId: user.workspaceId,
      event: { type: 'app_home_opened', user: user.userId, channel: `D${user.userId}`, tab: 'home', event_ts: `${Math.floor(Date.now() / 1000)}.000100` },
    });
  },
};

/** view.state.values for the logging form, from friendly fields (block and action IDs as the modal names them). */
export function logFormValues(f: {
  summary: string;
  criteria: string[];
  occurredAt?: Date;
  kind?: string;
  channel?: string;
  outcome?: string;
  followUp?: string;
  minutes?: number;
  simulated?: boolean;
  placement?: boolean;
}): Record<string, any> {
  const flags = [...(f.simulated ? ['simulated'] : []), ...(f.placement ? ['placement'] : [])];
  return {
    summary: { summary: { type: 'plain_text_input', value: f.summary } },
    occurredAt: { occurredAt: { type: 'datetimepicker', selected_date_time: f.occurredAt ? Math.floor(f.occurredAt.getTime() / 1000) : null } },
    kind: { kind: { type: 'static_select', selected_option: f.kind ? { value: f.kind, text: { type: 'plain_text', text: f.kind } } : null } },
    channel: { channel: { type: 'static_select', selected_option: f.channel ? { value: f.channel, text: { type: 'plain_text', text: f.channel } } : null } },
    outcome: { outcome: { type: 'plain_text_input', value: f.outcome ?? null } },
    criteria: { criteria: { type: 'multi_external_select', selected_options: f.criteria.map((v) => ({ value: v, text: { type: 'plain_text', text: v } })) } },
    followUp: { followUp: { type: 'datepicker', selected_date: f.followUp ?? null } },
    minutes: { minutes: { type: 'number_input', value: f.minutes === undefined ? null : String(f.minutes) } },
    flags: { flags: { type: 'checkboxes', selected_options: flags.map((v) => ({ value: v, text: { type: 'plain_text', text: v } })) } },
  };
}
