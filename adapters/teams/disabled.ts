// Teams switched off (no MICROSOFT_APP_ID, no TEAMS_ALLOW_UNAUTHENTICATED): /api/messages still
// exists, as the contract says, and refuses everything; messages for Teams users wait in the
// outbox exactly as they would with no Teams port at all. Apart from index.ts so that a bot
// without Teams does not load botbuilder (about 20 MB of the main thread's heap).
import { sendJson, type Route } from '../../src/http/server.ts';
import { TransientChatError } from '../../src/ports/chat.ts';
import type { PlatformEdge } from '../../src/ports/edge.ts';

export const TEAMS_PATH = '/api/messages';

export const REFUSED = {
  error: 'unauthorized',
  message: 'Microsoft Teams is not configured: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD (or TEAMS_ALLOW_UNAUTHENTICATED=true for the Bot Framework Emulator and local tests).',
};

export function disabledTeamsEdge(): PlatformEdge {
  const route: Route = { method: 'POST', path: TEAMS_PATH, handler: (_req, res) => sendJson(res, 401, REFUSED) };
  const notConfigured = async (): Promise<never> => {
    throw new TransientChatError('teams is not configured');
  };
  return { name: 'teams', chat: { platform: 'teams', send: notConfigured, update: notConfigured }, routes: [route], readiness: [], start: async () => {}, stop: async () => {} };
}
