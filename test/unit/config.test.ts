import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

const load = (env: Record<string, string>) => loadConfig(env as NodeJS.ProcessEnv);
const failure = (env: Record<string, string>) => {
  try {
    load(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('starts with nothing set: embedded database, port 3000, no chat platform', () => {
    const c = load({});
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toBe('./data');
    expect(c.slack.enabled).toBe(false);
    expect(c.teams.enabled).toBe(false);
    expect(c.slack.apiUrl).toBe('https://slack.com/api/');
    expect(c.defaultTimeZone).toBe('Europe/London');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('names the variable that is set but invalid', () => {
    expect(failure({ PORT: 'eighty' }).variable).toBe('PORT');
    expect(failure({ DATABASE_URL: 'mysql://x' }).variable).toBe('DATABASE_URL');
    expect(failure({ TZ_DEFAULT: 'Mars/Olympus' }).variable).toBe('TZ_DEFAULT');
    expect(failure({ LOG_LEVEL: 'loud' }).variable).toBe('LOG_LEVEL');
    expect(failure({ SLACK_API_URL: 'not a url' }).variable).toBe('SLACK_API_URL');
    expect(failure({ TEAMS_ALLOW_UNAUTHENTICATED: 'yes' }).variable).toBe('TEAMS_ALLOW_UNAUTHENTICATED');
  });

  it('needs both Slack HTTP credentials, and says which one is missing', () => {
    expect(failure({ SLACK_SIGNING_SECRET: 's' }).variable).toBe('SLACK_BOT_TOKEN');
    expect(failure({ SLACK_BOT_TOKEN: 'xoxb-1' }).variable).toBe('SLACK_SIGNING_SECRET');
    expect(load({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1' }).slack.enabled).toBe(true);
    expect(load({ SLACK_APP_TOKEN: 'xapp-1', SLACK_BOT_TOKEN: 'xoxb-1' }).slack.enabled).toBe(true);
  });

  it('never shows a secret in the error', () => {
    const err = failure({ SLACK_BOT_TOKEN: 'not-a-token-supersecret', SLACK_SIGNING_SECRET: 's' });
    expect(err.message).toContain('SLACK_BOT_TOKEN');
    expect(err.message).not.toContain('supersecret');
  });

  it('refuses unauthenticated Teams traffic in production', () => {
    expect(load({ TEAMS_ALLOW_UNAUTHENTICATED: 'true' }).teams.enabled).toBe(true);
    expect(failure({ TEAMS_ALLOW_UNAUTHENTICATED: 'true', NODE_ENV: 'production' }).variable).toBe('TEAMS_ALLOW_UNAUTHENTICATED');
  });

  it('adds the trailing slash Slack API base URLs need', () => {
    expect(load({ SLACK_API_URL: 'http://127.0.0.1:9/api' }).slack.apiUrl).toBe('http://127.0.0.1:9/api/');
  });
});
