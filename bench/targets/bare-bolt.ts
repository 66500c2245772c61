// The framework's floor: a bare Bolt app with the same receiver (HTTPReceiver), the same signing
// secret and the same Web API setup as the bot, whose /evidence handler only acknowledges.
import bolt from '@slack/bolt';
import { maxRssMb, serveParent } from '../lib/child.ts';

const { App, HTTPReceiver, LogLevel } = bolt;
const receiver = new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET!, endpoints: '/slack/events', processBeforeResponse: false, logLevel: LogLevel.ERROR });
const app = new App({
  token: process.env.SLACK_BOT_TOKEN, receiver, logLevel: LogLevel.ERROR, deferInitialization: true,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL, retryConfig: { retries: 0 } },
});
app.command('/evidence', async ({ ack }) => {
  await ack();
});
await app.init();
const server = await receiver.start(0);
const address = server.address();
process.send?.({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0, maxRssMb: maxRssMb() });
serveParent({}, async () => {
  await receiver.stop();
});
