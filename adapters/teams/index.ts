// The Microsoft Teams edge: POST /api/messages on our own HTTP server, botbuilder's CloudAdapter
// (which verifies every activity's token when MICROSOFT_APP_ID is set), the turn handler and the
// chat port for the outbox. botbuilder is imported only inside adapters/teams/ (the SDK is
// archived; its successor, the Microsoft 365 Agents SDK, should replace it here and nowhere else).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type ConfigurationBotFrameworkAuthenticationOptions, type InvokeResponse, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { Config } from '../../src/config/config.ts';
import { createRefusalLog } from '../../src/http/refusal-log.ts';
import { BodyTooLargeError, readBody, refuse, sendJson, type Route } from '../../src/http/server.ts';
import type { Logger } from '../../src/lib/logger.ts';
import type { PlatformEdge } from '../../src/ports/edge.ts';
import type { Services } from '../../src/services/index.ts';
import { createTeamsBot, turnErrorHandler } from './bot.ts';
import { createTeamsChatPort } from './chat-port.ts';
import { disabledTeamsEdge, REFUSED, TEAMS_PATH } from './disabled.ts';
import { classifyProcessError } from './errors.ts';

/**
 * Teams caps a message, cards included, at about 100 KB; invoke activities are smaller still.
 * Half a megabyte leaves a wide margin and caps what one forged request costs to read.
 */
export const TEAMS_BODY_LIMIT = 512 * 1024;

const NOT_AN_ACTIVITY = { error: 'the body must be a Bot Framework activity (JSON)' };

/**
 * The fields botbuilder dereferences before any turn runs (the token check reads serviceUrl and
 * channelId; the connector client lower-cases serviceUrl) and the ones every handler reads. A
 * wrong type there was a 500 with botbuilder's error text; checked here it is a 400. Anything
 * else in the activity passes through untouched (the parsed result is not used).
 */
const withId = z.looseObject({ id: z.string().min(1) });
const ActivityShape = z.looseObject({
  type: z.string().min(1),
  channelId: z.string().min(1),
  serviceUrl: z.url({ protocol: /^https?$/ }),
  conversation: withId,
  from: withId,
  recipient: withId,
});

export interface TeamsAdapterOptions {
  /**
   * Bot Framework authentication settings laid over the ones from the configuration: another
   * cloud's endpoints, or in tests sign-in metadata at an address that fails at once.
   */
  botFrameworkAuth?: ConfigurationBotFrameworkAuthenticationOptions;
}

/**
 * CloudAdapter with its activity pipeline reachable. `process()` prints every failure with
 * console.error and puts the error's message (upstream URLs, network errors) in the response
 * body; the route calls the pipeline itself and answers and logs failures its own way.
 */
class TeamsCloudAdapter extends CloudAdapter {
  run(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }
}

/** The Teams edge; with Teams switched off in the configuration, an edge that refuses everything. */
export function createTeamsAdapter(config: Config['teams'], services: Services, log: Logger, options: TeamsAdapterOptions = {}): PlatformEdge {
  if (!config.enabled) return disabledTeamsEdge();
  const tlog = log.child({ edge: 'teams' });
  const auth: ConfigurationBotFrameworkAuthenticationOptions = config.appId
    ? {
        MicrosoftAppId: config.appId,
        MicrosoftAppPassword: config.appPassword ?? '',
        MicrosoftAppTenantId: config.tenantId ?? '',
        MicrosoftAppType: config.appType ?? 'MultiTenant',
        ...options.botFrameworkAuth,
      }
    : {}; // No app ID: botbuilder checks no token at all, so the route below refuses unless opted in.
  const adapter = new TeamsCloudAdapter(new ConfigurationBotFrameworkAuthentication(auth));
  adapter.onTurnError = turnErrorHandler(tlog);
  const bot = createTeamsBot({ services, log: tlog });
  const chat = createTeamsChatPort({ adapter, services, log: tlog, appId: config.appId ?? '' });
  // Refusals and upstream failures are counted, one line per 10 s: a flood of forged requests
  // must not become a flood of log lines.
  const refusals = createRefusalLog(tlog, { message: 'teams: refused requests (counted, one line per 10 s)' });
  const unverifiable = createRefusalLog(tlog, {
    level: 'error',
    message: "teams: could not check requests' tokens: Microsoft's sign-in metadata could not be fetched (counted, one line per 10 s)",
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (!config.appId && !config.allowUnauthenticated) return refuse(res, 401, REFUSED);
    // botbuilder would refuse this too, but only after reading the body; refuse it from the headers.
    if (config.appId && !/^Bearer\s+\S/i.test(req.headers.authorization ?? '')) {
      refusals.note('no_bearer');
      return refuse(res, 401, { error: 'unauthorized' });
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req, TEAMS_BODY_LIMIT));
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        refusals.note('too_large');
        return refuse(res, 413, { error: 'request body too large' });
      }
      if (!(err instanceof SyntaxError)) throw err;
      refusals.note('malformed');
      return refuse(res, 400, NOT_AN_ACTIVITY);
    }
    const shape = ActivityShape.safeParse(body);
    if (!shape.success) {
      refusals.note('malformed', { fields: [...new Set(shape.error.issues.map((i) => i.path.join('.') || '(body)'))].slice(0, 5) });
      return refuse(res, 400, NOT_AN_ACTIVITY);
    }
    const activity = withDates(body as Record<string, unknown>);
    const authHeader = typeof req.headers.authorization === 'string' ? req.headers.authorization : '';
    let invokeResponse: InvokeResponse | undefined;
    try {
      invokeResponse = await adapter.run(authHeader, activity, bot);
    } catch (err) {
      const failure = classifyProcessError(err);
      if (failure.kind === 'unauthorized') {
        refusals.note('token_refused', { error: failure.detail });
        return refuse(res, 401, { error: 'unauthorized' });
      }
      if (failure.kind === 'upstream_unavailable') {
        unverifiable.note('metadata_unreachable', { error: failure.detail });
        return refuse(res, 503, { error: "could not check the request's credentials; try again later" });
      }
      tlog.error({ err, activity: activity.type }, 'teams: processing an activity failed');
      return sendJson(res, 500, { error: 'internal error' });
    }
    sendInvokeResponse(res, invokeResponse);
  }

  return {
    name: 'teams',
    chat,
    routes: [{ method: 'POST', path: TEAMS_PATH, handler: handle } satisfies Route],
    readiness: [],
    async start() {
      tlog.info({ authenticated: Boolean(config.appId), appType: config.appType ?? (config.appId ? 'MultiTenant' : undefined) }, 'teams: listening on /api/messages');
    },
    async stop() {
      refusals.flush();
      unverifiable.flush();
    },
  };
}

/** The activity's date fields as Dates, keeping the raw strings, as botbuilder's process() does. */
function withDates(body: Record<string, unknown>): Activity {
  for (const [field, raw] of [['timestamp', 'rawTimestamp'], ['expiration', 'rawExpiration'], ['localTimestamp', 'rawLocalTimestamp']] as const) {
    const value = body[field];
    if (typeof value === 'string') {
      body[raw] = value;
      body[field] = new Date(value);
    }
  }
  return body as unknown as Activity;
}

/** What the turn asked to answer (invoke activities), or 200 with no body. */
function sendInvokeResponse(res: ServerResponse, invoke: InvokeResponse | undefined): void {
  const status = invoke?.status ?? 200;
  const body: unknown = invoke?.body;
  if (body === undefined || body === null) {
    res.writeHead(status);
    res.end();
  } else if (typeof body === 'string' || Buffer.isBuffer(body)) {
    res.writeHead(status);
    res.end(body);
  } else {
    sendJson(res, status, body);
  }
}
