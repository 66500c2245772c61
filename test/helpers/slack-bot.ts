// The real bot (startApp from src/main.ts: HTTP server, Bolt, database, outbox) on PORT=0 with a
// temporary DATA_DIR, in front of the fake Slack Web API (fake-slack-api.ts), with helpers that send
// it signed requests built by slack-payloads.ts:
//
//   const api = await startFakeSlackApi();
//   const bot = await startBot({ api });                 // roster fixture imported
//   const res = await bot.command('log Called Sam #U7:2.1', { user: PEOPLE.learner });
//   await bot.settle();                                   // outbox delivered
//   api.callsTo('chat.postMessage')                       // what Slack would have received
//   await bot.close(); await api.close();
import { rmSync } from 'node:fs';
import { createLogger, type Logger } from '../../src/lib/logger.ts';
import type { ActorRef } from '../../src/services/kernel/context.ts';
import { isWriteCommand } from '../../src/services/commands/inbox.ts';
import { startApp, type App } from '../../src/main.ts';
import { ROSTER_CSV } from './context.ts';
import { migratedDataDir } from './data-dir.ts';
import type { FakeSlackApi } from './fake-slack-api.ts';
import { payloads, signSlackRequest, TEST_SIGNING_SECRET, type Encoded, type SlackUser } from './slack-payloads.ts';

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
      // (src/services/commands/inbox.ts): return that answer, what the person sees.
      if (res.status === 200 && !res.text && isWriteCommand(text)) {
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
      await app.inbox.drain();
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
