// The fake Slack Web API (test/helpers/slack-harness.ts) in a process of its own, so the bot's
// calls to it (chat.postMessage, response_url) are not served on the load generator's event loop,
// where they would be counted in the bot's latency.
import { startFakeSlackApi } from '../../test/helpers/slack-harness.ts';
import { maxRssMb, serveParent } from '../lib/child.ts';

const api = await startFakeSlackApi();
process.send?.({ type: 'ready', url: api.url, origin: api.origin, maxRssMb: maxRssMb() });
serveParent(
  {
    reset: async () => {
      api.reset();
      return true;
    },
  },
  () => api.close(),
);
