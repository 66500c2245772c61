// The Slack edge: Bolt, over HTTP (POST /slack/events on our one server, signatures verified) or
// Socket Mode (SLACK_APP_TOKEN, for development without a public URL). It registers the listeners,
// provides the ChatPort the outbox posts through, and reports readiness. A bad token is one log
// line and a failing readiness check, never a crash.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, webApi, type Logger as BoltLogger } from '@slack/bolt';
import type { Config } from '../../src/config/config.ts';
import { createRefusalLog, type RefusalLog } from '../../src/http/refusal-log.ts';
import { BodyTooLargeError, readBody, readBodyBytes, refuse, type Route } from '../../src/http/server.ts';
import type { Logger } from '../../src/lib/logger.ts';
import type { PlatformEdge } from '../../src/ports/edge.ts';
import type { Services } from '../../src/services/index.ts';
import { blockActions } from './actions/index.ts';
import { CRITERIA_ACTION_ID } from './block-kit/log-modal.ts';
import { createSlackChatPort, type SlackChatPort } from './chat-port.ts';
import { slackErrorCode } from './errors.ts';
import { appHomeOpened } from './listeners/app-home.ts';
import { evidenceCommand } from './listeners/command.ts';
import { criteriaOptions } from './listeners/criteria-options.ts';
import { SLACK_FORMS, type SlackForm } from './forms/index.ts';
import { VERIFICATION_FORM_CALLBACK_ID, verificationFormSubmission } from './forms/verification-form.ts';
import { threadReply } from './listeners/thread-reply.ts';
import type { SlackDeps } from './listeners/shared.ts';
import { boltLogger } from './logger.ts';
import { isSslCheck, precheckSlackRequest, SLACK_BODY_LIMIT, SSL_CHECK_LIMIT } from './request-guard.ts';
import { slackRouter } from './router.ts';

export const SLACK_EVENTS_PATH = '/slack/events';

/** Errors that retrying the start cannot fix: the token itself is wrong. */
const FATAL_AUTH_ERRORS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type']);
const START_RETRY_MS = [5_000, 15_000, 60_000, 300_000];

/**
 * How every Web API call is made: to SLACK_API_URL (GovSlack, a proxy, a test server), and with no
 * hidden retries — by default the client retries a failed call for about 30 minutes while the caller
 * waits. A listener answers now; the outbox does the retrying for messages (errors.ts says how long).
 */
export function webClientOptions(apiUrl: string, timeoutMs = 10_000) {
  return { slackApiUrl: apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: timeoutMs };
}

export function createSlackAdapter(config: Config['slack'], services: Services, log: Logger): PlatformEdge {
  if (!config.botToken) throw new Error('createSlackAdapter needs SLACK_BOT_TOKEN');
  const slog = log.child({ platform: 'slack' });
  const logger = boltLogger(slog);
  const socketMode = Boolean(config.appToken);

  const clientOptions = webClientOptions(config.apiUrl);
  const refusals = createRefusalLog(slog, { message: 'slack: refused requests that are not from Slack (counted, one line per 10 s)' });
  const receiver = socketMode
    ? new SocketModeReceiver({ appToken: config.appToken!, logger, installerOptions: { clientOptions: { slackApiUrl: config.apiUrl } } })
    : new HTTPReceiver({
        signingSecret: config.signingSecret!, endpoints: SLACK_EVENTS_PATH, logger: receiverLogger(logger, refusals), processBeforeResponse: false,
        // The route reads the body itself under this cap; Bolt's own limit (4 MB) is a second fence.
        bodyLimit: SLACK_BODY_LIMIT,
      });
  const app = new App({
    token: config.botToken, receiver, logger, clientOptions,
    // Without this Bolt calls auth.test in the constructor and a bad token crashes the process.
    deferInitialization: true,
    convoStore: false,
  });

  const chat = createSlackChatPort(app.client);
  const deps: SlackDeps = { services, log: slog, chat };
  // Verification: the feedback / note / statement modals, beside the forms the commands open.
  const views = new Map<string, ReturnType<SlackForm['submit']>>([
    ...SLACK_FORMS.map((form) => [form.callbackId, form.submit(deps)] as const),
    [VERIFICATION_FORM_CALLBACK_ID, verificationFormSubmission(deps)],
  ]);
  // One router rather than a listener per type: slackRouter() says why.
  app.use(slackRouter({
    command: evidenceCommand(deps),
    commandName: /^\/evidence/,
    views,
    options: new Map([[CRITERIA_ACTION_ID, criteriaOptions(deps)]]),
    action: blockActions(deps),
    // Verification: decisions replied in an entry's thread come as `message` events.
    events: { app_home_opened: appHomeOpened(deps), message: threadReply(deps) },
    unrouted: (kind, detail) => slog.warn({ kind, ...detail }, 'slack sent a request this bot has no handler for; acknowledged'),
  }));
  app.error(async (err) => {
    slog.error({ err, slackError: slackErrorCode(err) }, 'slack listener failed');
  });

  let state: 'starting' | 'ready' | 'failed' | 'stopped' = 'starting';
  let detail = 'connecting to Slack';
  let retry: NodeJS.Timeout | undefined;
  let attempts = 0;

  async function connect(): Promise<void> {
    try {
      await app.init(); // auth.test: checks the token, learns the bot's own user ID
      if (socketMode) await app.start();
      if (state === 'stopped') return;
      state = 'ready';
      detail = socketMode ? 'socket mode connected' : 'token verified';
      slog.info({ mode: socketMode ? 'socket' : 'http', apiUrl: config.apiUrl, afterAttempts: attempts + 1 }, 'slack is ready');
    } catch (err) {
      if (state === 'stopped') return;
      const code = slackErrorCode(err) ?? 'unknown_error';
      const fatal = FATAL_AUTH_ERRORS.has(code);
      state = 'failed';
      detail = fatal ? `the bot token was refused (${code})` : `Slack could not be reached (${code})`;
      if (attempts === 0) {
        slog.error(
          { slackError: code, apiUrl: config.apiUrl },
          fatal
            ? `Slack refused SLACK_BOT_TOKEN (${code}): Slack stays off until it is fixed. Copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page and restart.`
            : `Slack could not be reached at ${config.apiUrl} (${code}); retrying in the background.`,
        );
      }
      // A refused token stays refused; a network problem is retried quietly with a growing pause.
      if (!fatal) {
        const wait = START_RETRY_MS[Math.min(attempts, START_RETRY_MS.length - 1)]!;
        attempts++;
        retry = setTimeout(() => void connect(), wait);
        retry.unref();
      }
    }
  }

  const route: Route = {
    method: 'POST',
    path: SLACK_EVENTS_PATH,
    handler: async (req, res) => {
      // From the headers alone, before anything is read: request-guard.ts says why.
      const check = precheckSlackRequest(req.headers);
      if (check.verdict === 'refuse') {
        refusals.note(check.reason);
        return refuse(res, check.status, { error: check.status === 413 ? 'request body too large' : 'unauthorized' });
      }
      if (check.verdict === 'maybe_ssl_check') return answerSslCheck(req, res, refusals);
      // Until auth.test has passed Bolt cannot authorise anything: say so rather than answer empty.
      if (state !== 'ready') return refuse(res, 503, { error: 'slack is not ready', detail });
      let body: Buffer;
      try {
        body = await readBodyBytes(req, SLACK_BODY_LIMIT);
      } catch (err) {
        if (!(err instanceof BodyTooLargeError)) throw err;
        refusals.note('too_large');
        return refuse(res, 413, { error: 'request body too large' });
      }
      // Bolt takes an already-read body from `rawBody` and verifies the signature over it.
      (req as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
      (receiver as HTTPReceiver).requestListener(req, res);
    },
  };

  return {
    name: 'slack',
    chat,
    routes: socketMode ? [] : [route],
    readiness: [{ name: 'slack', check: async () => ({ ok: state === 'ready', detail }) }],
    start: connect,
    async stop() {
      const wasReady = state === 'ready';
      state = 'stopped';
      clearTimeout(retry);
      refusals.flush();
      if (socketMode && wasReady) await app.stop();
    },
  };
}

/** Slack's unsigned ssl_check gets 200; any other small unsigned form is refused like the rest. */
async function answerSslCheck(req: IncomingMessage, res: ServerResponse, refusals: RefusalLog): Promise<void> {
  let body: string;
  try {
    body = await readBody(req, SSL_CHECK_LIMIT);
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    body = '';
  }
  if (isSslCheck(body)) {
    res.writeHead(200);
    res.end();
    return;
  }
  refusals.note('unsigned');
  refuse(res, 401, { error: 'unauthorized' });
}

/**
 * Bolt's logger for the HTTP receiver, with one change: its warning for a body whose signature
 * does not match is counted with the other refusals instead of written per request, or anyone
 * sending well-shaped forged headers could fill the log.
 */
function receiverLogger(logger: BoltLogger, refusals: RefusalLog): BoltLogger {
  return {
    ...logger,
    warn: (...msg: unknown[]) => {
      if (typeof msg[0] === 'string' && msg[0].startsWith('Failed to parse and verify the request data')) return refusals.note('bad_signature');
      logger.warn(...msg);
    },
  };
}
