// The Microsoft Teams edge: POST /api/messages on our own HTTP server, botbuilder's CloudAdapter
// (which verifies every activity's token when MICROSOFT_APP_ID is set), the turn handler and the
// chat port for the outbox. botbuilder is imported only inside adapters/teams/ (the SDK is
// archived; its successor, the Microsoft 365 Agents SDK, should replace it here and nowhere else).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import type { Config } from '../../src/config/config.ts';
import { readBody, sendJson, type Route } from '../../src/http/server.ts';
import type { Logger } from '../../src/lib/logger.ts';
import type { PlatformEdge } from '../../src/ports/edge.ts';
import type { Services } from '../../src/services/index.ts';
import { createTeamsBot, turnErrorHandler } from './bot.ts';
import { createTeamsChatPort } from './chat-port.ts';
import { disabledTeamsEdge, REFUSED, TEAMS_PATH } from './disabled.ts';

/** The Teams edge; with Teams switched off in the configuration, an edge that refuses everything. */
export function createTeamsAdapter(config: Config['teams'], services: Services, log: Logger): PlatformEdge {
  if (!config.enabled) return disabledTeamsEdge();
  const tlog = log.child({ edge: 'teams' });
  const auth: ConfigurationBotFrameworkAuthenticationOptions = config.appId
    ? {
        MicrosoftAppId: config.appId,
        MicrosoftAppPassword: config.appPassword ?? '',
        MicrosoftAppTenantId: config.tenantId ?? '',
        MicrosoftAppType: config.appType ?? 'MultiTenant',
      }
    : {}; // No app ID: botbuilder checks no token at all, so the route below refuses unless opted in.
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(auth));
  adapter.onTurnError = turnErrorHandler(tlog);
  const bot = createTeamsBot({ services, log: tlog });
  const chat = createTeamsChatPort({ adapter, services, log: tlog, appId: config.appId ?? '' });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (!config.appId && !config.allowUnauthenticated) return sendJson(res, 401, REFUSED);
    // botbuilder would refuse this too, but prints to the console; refuse it here and log it.
    if (config.appId && !/^Bearer\s+\S/i.test(req.headers.authorization ?? '')) {
      tlog.warn({ path: TEAMS_PATH }, 'teams: request without a bearer token refused');
      return sendJson(res, 401, { error: 'unauthorized' });
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (err) {
      if ((err as { status?: number }).status === 413) return sendJson(res, 413, { error: 'request body too large' });
      return sendJson(res, 400, { error: 'the body must be a Bot Framework activity (JSON)' });
    }
    if (!body || typeof body !== 'object' || Array.isArray(body) || typeof (body as { type?: unknown }).type !== 'string') {
      return sendJson(res, 400, { error: 'the body must be a Bot Framework activity (JSON)' });
    }
    try {
      await adapter.process(requestShim(req, body as Record<string, unknown>), responseShim(res), bot);
    } catch (err) {
      // botbuilder validates the activity's shape with zod before any turn runs.
      if ((err as Error).name !== 'ZodError' || res.headersSent) throw err;
      tlog.warn({ issues: (err as { issues?: unknown[] }).issues?.length }, 'teams: malformed activity refused');
      sendJson(res, 400, { error: 'the body must be a Bot Framework activity (JSON)' });
    }
  }

  return {
    name: 'teams',
    chat,
    routes: [{ method: 'POST', path: TEAMS_PATH, handler: handle }],
    readiness: [],
    async start() {
      tlog.info({ authenticated: Boolean(config.appId), appType: config.appType ?? (config.appId ? 'MultiTenant' : undefined) }, 'teams: listening on /api/messages');
    },
    async stop() {},
  };
}

/** What CloudAdapter.process reads from a request: the parsed body, headers, method. */
function requestShim(req: IncomingMessage, body: Record<string, unknown>) {
  return { body, headers: req.headers as Record<string, string | string[] | undefined>, method: req.method };
}

/** What CloudAdapter.process calls on a response (the Express/Restify shape), onto node:http. */
function responseShim(res: ServerResponse) {
  let status = 200;
  let payload: string | undefined;
  return {
    socket: res.socket,
    status(code: number) {
      status = code;
    },
    header(name: string, value: unknown) {
      res.setHeader(name, String(value));
    },
    send(body: unknown) {
      if (body === undefined || body === null) return;
      if (typeof body === 'string' || Buffer.isBuffer(body)) payload = body.toString();
      else {
        payload = JSON.stringify(body);
        if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/json; charset=utf-8');
      }
    },
    end() {
      if (res.writableEnded) return;
      res.statusCode = status;
      res.end(payload);
    },
  };
}
