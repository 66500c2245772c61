// End-to-end harness for the Slack edge: the REAL bot (startApp from src/main.ts: HTTP server,
// Bolt, database, outbox) in front of a FAKE Slack Web API on loopback. Reuse it for any feature
// that talks to Slack:
//
//   const api = await startFakeSlackApi();
//   const bot = await startBot({ api });                 // roster fixture imported
//   const res = await bot.command('log Called Sam #U7:2.1', { user: PEOPLE.learner });
//   await bot.settle();                                   // outbox delivered
//   api.callsTo('chat.postMessage')                       // what Slack would have received
//   await bot.close(); await api.close();
//
// The pieces, usable on their own:
// - startFakeSlackApi(): answers the Web API methods the bot uses, records every call with its
//   parsed body, serves response_url and file upload URLs, and fails or rate-limits calls on demand.
// - signSlackRequest(): Slack's v0 request signature (HMAC-SHA256 of `v0:${ts}:${body}`).
// - payloads.*: real payload shapes (slash command form body; block_actions, view_submission and
//   block_suggestion as `payload=` JSON; event_callback JSON).
// - startBot(): the bot on PORT=0 with a temporary DATA_DIR, plus helpers that send signed requests.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Logger } from '../../src/lib/logger.ts';
import type { ActorRef } from '../../src/services/kernel/context.ts';
import { isDurableCommand } from '../../src/services/commands/command-inbox.ts';
import { startApp, type App } from '../../src/main.ts';
import { ROSTER_CSV } from './context.ts';
import { migratedDataDir } from './data-dir.ts';

// ---------------------------------------------------------------------------------------------
// The fake Slack Web API

export interface ApiCall {
  /** `chat.postMessage`, or `upload` for a file upload URL, or `respond` for a response_url. */
  method: string;
  /** Parsed: form fields (JSON-looking values such as `blocks` and `view` decoded) or JSON. */
  body: Record<string, any>;
  /** The bearer token the call carried, if any. */
  token?: string;
  /** For `respond` calls: the response_url's id; for `upload`: the file id. */
  target?: string;
  /** The HTTP status the fake answered with. */
  status: number;
  /** What the fake answered (Web API methods only), e.g. the `ts` of a posted message. */
  response?: Record<string, any>;
}

/** How a call should fail. */
export type Fault =
  | { kind: 'ratelimit'; retryAfter: number }
  | { kind: 'http'; status: number }
  | { kind: 'error'; error: string }
  /** Never answers until the fake is closed: a hung Slack, for timeouts. */
  | { kind: 'hang' };

interface FaultRule {
  method: string | '*';
  fault: Fault;
  /** Fail only this many more matching calls (undefined: no limit). */
  remaining?: number;
  /** Fail one matching call in `every` (1 = all of them), counting from the first. */
  every: number;
  seen: number;
}

export interface FakeSlackApi {
  /** `http://127.0.0.1:PORT/api/`: set as SLACK_API_URL. */
  url: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Every call, in arrival order. */
  calls: ApiCall[];
  callsTo(method: string): ApiCall[];
  /** Every message posted (chat.postMessage bodies), in order. */
  posted(): Record<string, any>[];
  /** Everything sent to a response_url (`respond()` in Bolt), in order. */
  responses(): Record<string, any>[];
  /** A new response_url that records what is sent to it. */
  responseUrl(): string;
  /** The next `count` calls to `method` fail with `fault`. */
  failNext(method: string | '*', fault: Fault, count?: number): void;
  /** One in `every` calls to `method` fails with `fault` (a share of the traffic), until cleared. */
  failShare(method: string | '*', fault: Fault, every: number): void;
  clearFaults(): void;
  /** Forget the recorded calls (faults stay). */
  reset(): void;
  /**
   * Resolves once `match` calls to `method` have arrived (a number, default 1), or once one call
   * satisfies `match` (a predicate); returns the calls that count. Work a listener does after its
   * ack (views.open, an upload) arrives a moment after the HTTP answer. Rejects after `timeoutMs`,
   * naming what did arrive: a safety net against a hung test, not a timing assertion.
   */
  waitFor(method: string, match?: number | ((call: ApiCall) => boolean), timeoutMs?: number): Promise<ApiCall[]>;
  close(): Promise<void>;
}

export interface FakeSlackApiOptions {
  /** The token auth.test accepts; any other gets `invalid_auth`. Default: any `xoxb-` token. */
  botToken?: string;
  teamId?: string;
  botUserId?: string;
  /** Listen on this port (default: any free one). For trying the bot by hand. */
  port?: number;
  /** Called with every call as it arrives (after the fake has answered it). */
  onCall?: (call: ApiCall) => void;
}

export async function startFakeSlackApi(options: FakeSlackApiOptions = {}): Promise<FakeSlackApi> {
  const calls: ApiCall[] = [];
  let rules: FaultRule[] = [];
  let seq = 0;
  let origin = '';
  const hung = new Set<import('node:http').ServerResponse>();
  const nextTs = () => `${1_790_000_000 + ++seq}.${String(seq).padStart(6, '0')}`;
  const teamId = options.teamId ?? 'T0CENTRE';
  const botUserId = options.botUserId ?? 'U0BOT';

  const tokenOk = (token?: string) => (options.botToken ? token === options.botToken : Boolean(token?.startsWith('xoxb-')));

  function answer(method: string, body: Record<string, any>): Record<string, any> {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://centre.slack.com/', team: 'Centre', user: 'evidence', team_id: teamId, user_id: botUserId, bot_id: 'B0BOT' };
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(body.users ?? body.channel ?? 'X').replace(/^U/, '')}` } };
      case 'chat.postMessage': {
        const ts = nextTs();
        return { ok: true, channel: body.channel, ts, message: { ts, text: body.text, blocks: body.blocks } };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: nextTs() };
      case 'chat.update':
        return { ok: true, channel: body.channel, ts: body.ts, text: body.text };
      case 'views.open':
      case 'views.publish':
      case 'views.update':
      case 'views.push':
        return { ok: true, view: { id: `V${++seq}`, ...(typeof body.view === 'object' ? body.view : {}) } };
      case 'files.getUploadURLExternal': {
        const fileId = `F${++seq}`;
        return { ok: true, upload_url: `${origin}/upload/${fileId}`, file_id: fileId };
      }
      case 'files.completeUploadExternal':
        return { ok: true, files: (body.files ?? []).map((f: { id: string; title?: string }) => ({ id: f.id, title: f.title })) };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  function faultFor(method: string): Fault | undefined {
    for (const r of rules) {
      if (r.method !== '*' && r.method !== method) continue;
      if (r.remaining !== undefined && r.remaining <= 0) continue;
      r.seen++;
      if ((r.seen - 1) % r.every !== 0) continue;
      if (r.remaining !== undefined) r.remaining--;
      return r.fault;
    }
    return undefined;
  }

  const server: Server = createServer(async (req, res) => {
    const raw = await readRaw(req);
    const path = (req.url ?? '/').split('?')[0]!;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
      res.writeHead(status, { 'content-type': typeof payload === 'string' ? 'text/plain' : 'application/json', ...headers });
      res.end(text);
    };

    let method: string;
    let target: string | undefined;
    if (path.startsWith('/api/')) method = path.slice('/api/'.length);
    else if (path.startsWith('/respond/')) [method, target] = ['respond', path.slice('/respond/'.length)];
    else if (path.startsWith('/upload/')) [method, target] = ['upload', path.slice('/upload/'.length)];
    else return send(404, 'not found');

    const body = method === 'upload' ? { bytes: raw.length, content: raw.toString('utf8') } : parseBody(raw, req.headers['content-type']);
    const call: ApiCall = { method, body, token, target, status: 200 };
    calls.push(call);
    res.once('finish', () => options.onCall?.(call));

    const fault = faultFor(method);
    if (fault?.kind === 'hang') {
      hung.add(res);
      return;
    }
    if (fault?.kind === 'ratelimit') {
      call.status = 429;
      return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfter) });
    }
    if (fault?.kind === 'http') {
      call.status = fault.status;
      return send(fault.status, 'upstream trouble');
    }
    if (fault?.kind === 'error') return send(200, { ok: false, error: fault.error });

    if (method === 'respond') return send(200, 'ok');
    if (method === 'upload') return send(200, `OK - ${raw.length}`);
    if (!tokenOk(token)) return send(200, { ok: false, error: token ? 'invalid_auth' : 'not_authed' });
    call.response = answer(method, body);
    return send(200, call.response);
  });
  await new Promise<void>((r) => server.listen(options.port ?? 0, '127.0.0.1', () => r()));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let responseSeq = 0;

  return {
    url: `${origin}/api/`,
    origin,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    posted: () => calls.filter((c) => c.method === 'chat.postMessage' && c.status === 200).map((c) => c.body),
    responses: () => calls.filter((c) => c.method === 'respond').map((c) => c.body),
    responseUrl: () => `${origin}/respond/r${++responseSeq}`,
    failNext(method, fault, count = 1) {
      rules.push({ method, fault, remaining: count, every: 1, seen: 0 });
    },
    failShare(method, fault, every) {
      rules.push({ method, fault, every: Math.max(1, Math.round(every)), seen: 0 });
    },
    clearFaults() {
      rules = [];
    },
    reset() {
      calls.length = 0;
    },
    async waitFor(method, match = 1, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const all = calls.filter((c) => c.method === method);
        const found = typeof match === 'number' ? all : all.filter(match);
        if (typeof match === 'number' ? found.length >= match : found.length > 0) return found;
        if (Date.now() > deadline) {
          throw new Error(`expected ${typeof match === 'number' ? match : 'a matching'} ${method} call(s), got ${found.length}; calls: ${calls.map((c) => c.method).join(', ') || 'none'}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The Web API client sends form fields with objects JSON-encoded (blocks, view…); decode those. */
function parseBody(raw: Buffer, contentType: string | undefined): Record<string, any> {
  const text = raw.toString('utf8');
  if (!text) return {};
  if (contentType?.includes('application/json')) return JSON.parse(text);
  if (contentType?.includes('multipart/form-data')) return { multipart: text };
  const out: Record<string, any> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    out[k] = /^[[{]/.test(v) ? safeJson(v) : v;
  }
  return out;
}

function safeJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading what Slack received

/** All the text in a list of Block Kit blocks (sections, fields, context, headers, buttons), as sent. */
export function blocksText(blocks: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (typeof n.text === 'string') out.push(n.text);
    for (const [k, v] of Object.entries(n)) if (k !== 'text' || typeof v !== 'string') walk(v);
  };
  walk(blocks);
  return out.join('\n');
}

/** The action IDs of every button in a list of blocks. */
export function buttonsIn(blocks: unknown): { action_id: string; value?: string; text: string }[] {
  const found: { action_id: string; value?: string; text: string }[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, any>;
    if (n.type === 'button') found.push({ action_id: n.action_id, value: n.value, text: n.text?.text ?? '' });
    Object.values(n).forEach(walk);
  };
  walk(blocks);
  return found;
}

// ---------------------------------------------------------------------------------------------
// Signing and payloads

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

// ---------------------------------------------------------------------------------------------
// The bot

export interface BotResponse {
  status: number;
  text: string;
  /** The JSON body, when there is one. */
  json: any;
}

export interface SendOptions {
  /** Sign with this secret instead of the bot's (a forged request). */
  secret?: string;
  /** Leave the signature headers off. */
  unsigned?: boolean;
  /** The request timestamp in seconds (default now). */
  timestamp?: number;
  /** Adds X-Slack-Retry-Num (and X-Slack-Retry-Reason), as Slack does when it retries. */
  retryNum?: number;
}

export interface Bot {
  app: App;
  /** http://127.0.0.1:PORT */
  url: string;
  dataDir: string;
  api: FakeSlackApi;
  /** POSTs an encoded payload to /slack/events, signed unless told otherwise. */
  send(payload: Encoded, options?: SendOptions): Promise<BotResponse>;
  command(text: string, o: { user: ActorRef | SlackUser; triggerId?: string; responseUrl?: string } & SendOptions): Promise<BotResponse>;
  click(o: { user: ActorRef | SlackUser; actionId: string; value: string; responseUrl?: string; triggerId?: string } & SendOptions): Promise<BotResponse>;
  submitLogForm(o: { user: ActorRef | SlackUser; viewId: string; values: Record<string, any> } & SendOptions): Promise<BotResponse>;
  suggest(o: { user: ActorRef | SlackUser; actionId: string; value: string } & SendOptions): Promise<BotResponse>;
  openHome(user: ActorRef | SlackUser, options?: SendOptions): Promise<BotResponse>;
  /** Waits until the outbox has nothing left to do right now (messages delivered or rescheduled). */
  settle(): Promise<void>;
  /**
   * Keeps running the outbox until `done()` holds — for messages rescheduled after a failure (the
   * scheduler is off in tests). Rejects after `timeoutMs`: a safety net, not a timing assertion.
   */
  deliverUntil(done: () => boolean, timeoutMs?: number): Promise<void>;
  get(path: string): Promise<BotResponse>;
  close(): Promise<void>;
}

export interface StartBotOptions {
  api: FakeSlackApi;
  /** Extra or overriding environment variables. */
  env?: NodeJS.ProcessEnv;
  /** Roster CSV to import first (default: test/fixtures/roster.csv); `false` imports none. */
  roster?: string | false;
  logger?: Logger;
  /**
   * Reuse this DATA_DIR (already migrated: the bot starts in a second instead of ten) and leave it
   * in place on close. Default: a fresh temporary directory, removed on close.
   */
  dataDir?: string;
}

/** Starts the real bot (HTTP, Bolt, PGlite in a temporary DATA_DIR, outbox) against the fake API. */
export async function startBot(options: StartBotOptions): Promise<Bot> {
  const ownDir = !options.dataDir;
  const dataDir = options.dataDir ?? migratedDataDir('evidence-slack-e2e-');
  const env: NodeJS.ProcessEnv = {
    PORT: '0',
    DATA_DIR: dataDir,
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: options.api.url,
    LOG_LEVEL: 'silent',
    TZ_DEFAULT: 'Europe/London',
    ...options.env,
  };
  let app: App;
  try {
    app = await startApp({ env, scheduler: false, logger: options.logger ?? createLogger('silent') });
  } catch (err) {
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  if (options.roster !== false) await app.services.importRoster({ csv: options.roster ?? ROSTER_CSV });
  const url = `http://127.0.0.1:${app.port}`;
  const secret = env.SLACK_SIGNING_SECRET ?? TEST_SIGNING_SECRET;

  async function send(payload: Encoded, o: SendOptions = {}): Promise<BotResponse> {
    const headers: Record<string, string> = { 'content-type': payload.contentType };
    if (!o.unsigned) Object.assign(headers, signSlackRequest(o.secret ?? secret, payload.body, o.timestamp));
    if (o.retryNum !== undefined) Object.assign(headers, { 'x-slack-retry-num': String(o.retryNum), 'x-slack-retry-reason': 'http_timeout' });
    const res = await fetch(`${url}/slack/events`, { method: 'POST', headers, body: payload.body });
    return toResponse(res);
  }

  return {
    app, url, dataDir, api: options.api, send,
    async command(text, o) {
      const responseUrl = o.responseUrl ?? options.api.responseUrl();
      const res = await send(payloads.slashCommand({ ...o, text, responseUrl }), o);
      // A write (`log …`) is acknowledged empty and answered through response_url once done
      // (src/services/command-inbox.ts): return that answer, what the person sees.
      if (res.status === 200 && !res.text && isDurableCommand(text)) {
        const [answer] = await options.api.waitFor('respond', (c) => `${options.api.origin}/respond/${c.target}` === responseUrl);
        return { status: res.status, text: JSON.stringify(answer!.body), json: answer!.body };
      }
      return res;
    },
    click: (o) => send(payloads.blockActions(o), o),
    submitLogForm: (o) => send(payloads.viewSubmission(o), o),
    suggest: (o) => send(payloads.blockSuggestion(o), o),
    openHome: (user, o) => send(payloads.appHomeOpened(user), o),
    async settle() {
      // Acknowledged commands still being done, then a listener may still be finishing after its
      // ack (views.open, an upload); then the outbox.
      await app.ctx.commandInbox?.drain();
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setImmediate(r));
        app.outbox.kick();
        await app.outbox.drain();
      }
    },
    async deliverUntil(done, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!done()) {
        if (Date.now() > deadline) throw new Error('the outbox did not deliver in time');
        app.outbox.kick();
        await app.outbox.drain();
        if (!done()) await new Promise((r) => setTimeout(r, 100));
      }
    },
    get: async (path) => toResponse(await fetch(`${url}${path}`)),
    async close() {
      await app.close();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function toResponse(res: Response): Promise<BotResponse> {
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}
