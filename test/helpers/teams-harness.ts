// Teams end to end: a fake Bot Framework connector on loopback (the serviceUrl in our activities
// points at it) that answers like the real one and records every call, plus builders for the
// activities Teams posts to /api/messages, and readers for the cards the bot sends back.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorCall {
  method: string;
  path: string;
  /** The conversation the call is about (URL-decoded). */
  conversationId?: string;
  /** POST …/activities/{replyToId}, PUT …/activities/{activityId}. */
  activityId?: string;
  body: any;
  /** The ID the fake gave back (a posted message, a created conversation). */
  id?: string;
}

export interface FakeConnector {
  /** serviceUrl for activities, with the trailing slash Teams uses. */
  url: string;
  calls: ConnectorCall[];
  /** The next calls answer with this status (and headers) instead of succeeding. */
  failNext(status: number, headers?: Record<string, string>, body?: unknown): void;
  /** Messages posted to one conversation (new ones and replies). */
  postedTo(conversationId: string): ConnectorCall[];
  updatesOf(conversationId: string): ConnectorCall[];
  close(): Promise<void>;
}

export async function startFakeConnector(): Promise<FakeConnector> {
  const calls: ConnectorCall[] = [];
  const failures: { status: number; headers: Record<string, string>; body: unknown }[] = [];
  let seq = 0;
  const server: Server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const path = (req.url ?? '/').split('?')[0]!;
    let body: any = raw;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      /* uploads are not JSON */
    }
    const m = /^\/v3\/conversations(?:\/([^/]+)\/activities(?:\/([^/]+))?)?$/.exec(path);
    const call: ConnectorCall = {
      method: req.method ?? '', path, body,
      conversationId: m?.[1] ? decodeURIComponent(m[1]) : undefined,
      activityId: m?.[2] ? decodeURIComponent(m[2]) : undefined,
    };
    calls.push(call);
    const failure = failures.shift();
    if (failure) {
      res.writeHead(failure.status, { 'content-type': 'application/json', ...failure.headers });
      return res.end(JSON.stringify(failure.body ?? { error: { code: 'Failure', message: `status ${failure.status}` } }));
    }
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.method === 'POST' && path === '/v3/conversations') {
      call.id = `a:created-${++seq}`;
      return reply(201, { id: call.id });
    }
    if (m?.[1] && (req.method === 'POST' || req.method === 'PUT')) {
      call.id = req.method === 'PUT' ? call.activityId : `msg-${++seq}`;
      return reply(200, { id: call.id });
    }
    if (req.method === 'PUT' && path.startsWith('/upload/')) return reply(201, { id: `file-${++seq}` });
    reply(404, { error: { code: 'NotFound', message: path } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    calls,
    failNext: (status, headers = {}, body) => void failures.push({ status, headers, body }),
    postedTo: (id) => calls.filter((c) => c.method === 'POST' && c.conversationId === id),
    updatesOf: (id) => calls.filter((c) => c.method === 'PUT' && c.conversationId === id),
    close: () => new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }),
  };
}

/** A Teams user as activities name them. */
export interface TeamsUser {
  aadObjectId: string;
  tenantId: string;
  /** The Teams user ID (29:…) and the 1:1 conversation with the bot. */
  id: string;
  conversationId: string;
  name: string;
}

export const TEAMS_USERS = {
  learner: { aadObjectId: '00000000-0000-0000-0000-0000000000a1', tenantId: 'tenant-1', id: '29:tess', conversationId: 'a:1-tess', name: 'Tess Teams' },
  assessor: { aadObjectId: '00000000-0000-0000-0000-0000000000b1', tenantId: 'tenant-1', id: '29:ben', conversationId: 'a:1-ben', name: 'Ben Assessor' },
  outsider: { aadObjectId: '00000000-0000-0000-0000-0000000000c1', tenantId: 'tenant-unknown', id: '29:olly', conversationId: 'a:1-olly', name: 'Olly Outsider' },
} satisfies Record<string, TeamsUser>;

const BOT = { id: '28:evidence-bot', name: 'Evidence' };
let activitySeq = 0;

function base(user: TeamsUser, serviceUrl: string) {
  return {
    id: `act-${++activitySeq}`,
    channelId: 'msteams',
    serviceUrl,
    timestamp: new Date().toISOString(),
    from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
    recipient: BOT,
    conversation: { id: user.conversationId, conversationType: 'personal', tenantId: user.tenantId, isGroup: false },
    channelData: { tenant: { id: user.tenantId } },
  };
}

export const activities = {
  message: (user: TeamsUser, serviceUrl: string, text: string) => ({ ...base(user, serviceUrl), type: 'message', text, textFormat: 'plain' }),
  /** An Action.Submit on a card the bot posted (`replyToId` is that card's message ID). */
  submit: (user: TeamsUser, serviceUrl: string, value: Record<string, unknown>, replyToId?: string) => ({ ...base(user, serviceUrl), type: 'message', value, ...(replyToId ? { replyToId } : {}) }),
  install: (user: TeamsUser, serviceUrl: string) => ({ ...base(user, serviceUrl), type: 'installationUpdate', action: 'add' }),
  invoke: (user: TeamsUser, serviceUrl: string, name: string, value: unknown) => ({ ...base(user, serviceUrl), type: 'invoke', name, value }),
};

export async function postActivity(baseUrl: string, activity: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const res = await fetch(`${baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(activity) });
  return { status: res.status, body: await res.text() };
}

/** The Adaptive Card a posted activity carries, if any. */
export function cardOf(activity: any): any | undefined {
  return activity?.attachments?.find((a: any) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
}

/** Every piece of text a posted activity shows (its text, its card's runs, labels and buttons). */
export function shownText(activity: any): string {
  const out: string[] = [];
  if (activity?.text) out.push(activity.text);
  const walk = (node: any) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    if (node.type === 'TextRun' || node.type === 'TextBlock') out.push(node.text);
    if (node.type === 'Action.Submit') out.push(`[${node.title}]`);
    if (typeof node.label === 'string') out.push(node.label);
    for (const v of Object.values(node)) if (typeof v === 'object') walk(v);
  };
  walk(cardOf(activity));
  return out.join('\n');
}

/** The Action.Submit buttons on a card: title and the data they send back. */
export function submitActions(activity: any): { title: string; data: Record<string, unknown> }[] {
  const found: { title: string; data: Record<string, unknown> }[] = [];
  const walk = (node: any) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    if (node.type === 'Action.Submit') found.push({ title: node.title, data: node.data });
    for (const v of Object.values(node)) if (typeof v === 'object') walk(v);
  };
  walk(cardOf(activity));
  return found;
}
