// manifest.json is what a training provider pastes into api.slack.com/apps ("From an app
// manifest"): it must be a valid manifest, point every URL at our one Slack endpoint, and ask for
// the scopes the bot uses and no more.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';

const read = (path: string) => JSON.parse(readFileSync(fileURLToPath(new URL(path, import.meta.url)), 'utf8'));
const manifest = read('../../manifest.json');
const schema = read('../../schemas/slack/slack-app-manifest.schema.1.0.0.json');

/** Every bot scope, and what needs it. A scope not here is one the bot does not use. */
const SCOPES_USED: Record<string, string> = {
  commands: '/evidence',
  'chat:write': 'chat.postMessage and chat.update (assessor threads, confirmations, reminders)',
  'im:write': 'conversations.open: the DM with a learner or assessor',
  'files:write': 'files.uploadV2: `/evidence export` sends the portfolio',
  'im:history': 'message.im: an assessor replying `approve` / `changes: …` in the DM thread',
  'channels:history': 'message.channels: the same reply in a public assessors\' channel',
  'groups:history': 'message.groups: the same reply in a private assessors\' channel',
};

describe('manifest.json', () => {
  it('is a valid Slack app manifest', () => {
    // The schema uses a non-standard `regex` keyword and `format: uri`: not validated here.
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    const validate = ajv.compile(schema);
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema rejects a broken manifest, so the check above means something', () => {
    const ajv = new Ajv({ strict: false, validateFormats: false });
    const validate = ajv.compile(schema);
    expect(validate({ ...manifest, display_information: { name: '' } })).toBe(false);
    expect(validate({ ...manifest, features: { ...manifest.features, slash_commands: [{ command: 'evidence', description: 'x' }] } })).toBe(false);
  });

  it('sends commands, interactivity, options and events to POST /slack/events', () => {
    const urls = [
      manifest.features.slash_commands[0].url,
      manifest.settings.interactivity.request_url,
      manifest.settings.interactivity.message_menu_options_url,
      manifest.settings.event_subscriptions.request_url,
    ];
    for (const url of urls) expect(new URL(url).pathname).toBe('/slack/events');
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });

  it('has the /evidence command with a usage hint, a bot user and an App Home with both tabs', () => {
    const command = manifest.features.slash_commands.find((c: { command: string }) => c.command === '/evidence');
    expect(command.usage_hint).toContain('log');
    expect(command.should_escape).toBe(false);
    expect(manifest.features.bot_user.display_name).toBeTruthy();
    expect(manifest.features.app_home).toMatchObject({ home_tab_enabled: true, messages_tab_enabled: true });
  });

  it('asks for exactly the scopes the bot uses', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(Object.keys(SCOPES_USED).sort());
    expect(manifest.oauth_config.scopes.user ?? []).toEqual([]);
  });

  it('subscribes to the events the bot handles, each with its scope', () => {
    const events: string[] = manifest.settings.event_subscriptions.bot_events;
    expect(events.sort()).toEqual(['app_home_opened', 'message.channels', 'message.groups', 'message.im']);
    const scopeFor: Record<string, string> = { 'message.im': 'im:history', 'message.channels': 'channels:history', 'message.groups': 'groups:history' };
    for (const e of events.filter((x) => x.startsWith('message.'))) expect(manifest.oauth_config.scopes.bot).toContain(scopeFor[e]);
  });

  it('runs over HTTP by default, with long-lived tokens', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(manifest.settings.token_rotation_enabled).toBe(false);
  });
});
