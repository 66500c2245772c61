// The Slack edge: Bolt, over HTTP (POST /slack/events on our one server, signatures verified) or
// Socket Mode (SLACK_APP_TOKEN, for development without a public URL). It registers the listeners,
// provides the ChatPort the outbox posts through, and reports readiness. A bad token is one log
// line and a failing readiness check, never a crash.
import { App, HTTPReceiver, SocketModeReceiver, webApi } from '@slack/bolt';
import type { Config } from '../../src/config/config.ts';
import { sendJson, type Route } from '../../src/http/server.ts';
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

/**
 * The Slack chat port on its own, with a Web API client of its own: for the worker thread, which
 * sends the outbox's messages but receives nothing (src/worker/).
 */
export function createSlackSender(config: Config['slack'], log: Logger): SlackChatPort {
  if (!config.botToken) throw new Error('createSlackSender needs SLACK_BOT_TOKEN');
  const logger = boltLogger(log.child({ platform: 'slack' }));
  return createSlackChatPort(new webApi.WebClient(config.botToken, { ...webClientOptions(config.apiUrl), logger }));
}

export function createSlackAdapter(config: Config['slack'], services: Services, log: Logger): PlatformEdge {
  if (!config.botToken) throw new Error('createSlackAdapter needs SLACK_BOT_TOKEN');
  const slog = log.child({ platform: 'slack' });
  const logger = boltLogger(slog);
  const socketMode = Boolean(config.appToken);

  const clientOptions = webClientOptions(config.apiUrl);
  const receiver = socketMode
    ? new SocketModeReceiver({ appToken: config.appToken!, logger, installerOptions: { clientOptions: { slackApiUrl: config.apiUrl } } })
    : new HTTPReceiver({ signingSecret: config.signingSecret!, endpoints: SLACK_EVENTS_PATH, logger, processBeforeResponse: false });
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
    handler: (req, res) => {
      // Until auth.test has passed Bolt cannot authorise anything: say so rather than answer empty.
      if (state !== 'ready') return sendJson(res, 503, { error: 'slack is not ready', detail });
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
      if (socketMode && wasReady) await app.stop();
    },
  };
}
