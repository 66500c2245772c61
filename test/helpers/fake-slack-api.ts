// The fake Slack Web API: a loopback HTTP server that answers the Web API methods the bot uses and
// records every call with its parsed body. It also serves response_url and file upload URLs, and
// fails or rate-limits calls on demand. Give its `url` to the bot as SLACK_API_URL (startBot in
// slack-bot.ts does) or to a WebClient as slackApiUrl; blocksText() and buttonsIn() read the Block
// Kit it received.
//
//   const api = await startFakeSlackApi();
//   ...                                           // anything that calls the Web API at api.url
//   api.callsTo('chat.postMessage')               // what Slack would have received
//   await api.close();
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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
