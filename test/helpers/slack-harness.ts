// The Slack test harness, now three files: fake-slack-api.ts (the fake Slack Web API, and readers
// for the Block Kit it received), slack-payloads.ts (Slack's request signature and payload shapes)
// and slack-bot.ts (the real bot started against the fake). Import the one you need; this module
// only re-exports them for the files that still import it by this name (bench/,
// test/e2e/faults*.test.ts, test/adapters/slack-http-guard.test.ts).
export * from './fake-slack-api.ts';
export * from './slack-payloads.ts';
export * from './slack-bot.ts';
