// Parses the environment once into a frozen configuration. A variable that is set but invalid
// stops the start with one line naming it (ConfigError); unset variables take their defaults.
import { z } from 'zod';

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const ZEnv = z.object({
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z.string().regex(/^postgres(ql)?:\/\/.+/, 'must be a postgresql:// URL').optional(),
  ),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_BOT_TOKEN: z.preprocess(emptyToUndefined, z.string().regex(/^xox[a-z]-/, 'must be a Slack bot token (xoxb-…)').optional()),
  SLACK_APP_TOKEN: z.preprocess(emptyToUndefined, z.string().regex(/^xapp-/, 'must be a Slack app-level token (xapp-…)').optional()),
  SLACK_API_URL: z.preprocess(
    emptyToUndefined,
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default('https://slack.com/api/'),
  ),
  MICROSOFT_APP_ID: optionalString,
  MICROSOFT_APP_PASSWORD: optionalString,
  MICROSOFT_APP_TENANT_ID: optionalString,
  MICROSOFT_APP_TYPE: z.preprocess(
    emptyToUndefined,
    z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).optional(),
  ),
  TEAMS_ALLOW_UNAUTHENTICATED: z.preprocess(
    emptyToUndefined,
    z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
  ),
  TZ_DEFAULT: z.preprocess(
    emptyToUndefined,
    z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/London').default('Europe/London'),
  ),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  NODE_ENV: optionalString,
});

export interface Config {
  readonly port: number;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly slack: {
    readonly signingSecret: string | undefined;
    readonly botToken: string | undefined;
    readonly appToken: string | undefined;
    readonly apiUrl: string;
    /** Both halves present: Slack is on (HTTP, or Socket Mode when appToken is set). */
    readonly enabled: boolean;
  };
  readonly teams: {
    readonly appId: string | undefined;
    readonly appPassword: string | undefined;
    readonly tenantId: string | undefined;
    readonly appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI' | undefined;
    readonly allowUnauthenticated: boolean;
    /** Credentials present, or unauthenticated traffic explicitly allowed. */
    readonly enabled: boolean;
  };
  readonly defaultTimeZone: string;
  readonly logLevel: string;
  readonly production: boolean;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, detail: string) {
    super(`${variable} ${detail}`);
    this.name = 'ConfigError';
  }
}

/** Reads the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ZEnv.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const shown = env[variable] === undefined ? '' : ` (got "${redactForMessage(variable, env[variable]!)}")`;
    throw new ConfigError(variable, `is invalid: ${issue.message}${shown}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';

  const slackHalf = [e.SLACK_SIGNING_SECRET, e.SLACK_BOT_TOKEN].filter(Boolean).length;
  if (slackHalf === 1 && !e.SLACK_APP_TOKEN) {
    throw new ConfigError(
      e.SLACK_SIGNING_SECRET ? 'SLACK_BOT_TOKEN' : 'SLACK_SIGNING_SECRET',
      'is missing: Slack over HTTP needs both SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN',
    );
  }
  if (e.SLACK_APP_TOKEN && !e.SLACK_BOT_TOKEN) {
    throw new ConfigError('SLACK_BOT_TOKEN', 'is missing: Socket Mode (SLACK_APP_TOKEN) also needs the bot token');
  }
  const allowUnauthenticated = e.TEAMS_ALLOW_UNAUTHENTICATED === 'true';
  if (allowUnauthenticated && production) {
    throw new ConfigError('TEAMS_ALLOW_UNAUTHENTICATED', 'is refused when NODE_ENV=production');
  }
  if (e.MICROSOFT_APP_ID && !e.MICROSOFT_APP_PASSWORD && e.MICROSOFT_APP_TYPE !== 'UserAssignedMSI') {
    throw new ConfigError('MICROSOFT_APP_PASSWORD', 'is missing: MICROSOFT_APP_ID needs a password unless MICROSOFT_APP_TYPE=UserAssignedMSI');
  }
  if (e.MICROSOFT_APP_TYPE && e.MICROSOFT_APP_TYPE !== 'MultiTenant' && !e.MICROSOFT_APP_TENANT_ID) {
    throw new ConfigError('MICROSOFT_APP_TENANT_ID', `is missing: MICROSOFT_APP_TYPE=${e.MICROSOFT_APP_TYPE} needs the tenant ID`);
  }

  const apiUrl = e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`;
  return Object.freeze({
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    slack: Object.freeze({
      signingSecret: e.SLACK_SIGNING_SECRET,
      botToken: e.SLACK_BOT_TOKEN,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl,
      enabled: Boolean(e.SLACK_BOT_TOKEN && (e.SLACK_SIGNING_SECRET || e.SLACK_APP_TOKEN)),
    }),
    teams: Object.freeze({
      appId: e.MICROSOFT_APP_ID,
      appPassword: e.MICROSOFT_APP_PASSWORD,
      tenantId: e.MICROSOFT_APP_TENANT_ID,
      appType: e.MICROSOFT_APP_TYPE,
      allowUnauthenticated,
      enabled: Boolean(e.MICROSOFT_APP_ID) || allowUnauthenticated,
    }),
    defaultTimeZone: e.TZ_DEFAULT,
    logLevel: e.LOG_LEVEL,
    production,
  });
}

/** Secrets never appear in the start-up error, only their shape. */
function redactForMessage(variable: string, value: string): string {
  if (/SECRET|TOKEN|PASSWORD/.test(variable)) return `${value.slice(0, 4)}…`;
  if (variable === 'DATABASE_URL') return value.replace(/\/\/[^@/]*@/, '//***@');
  return value.length > 60 ? `${value.slice(0, 60)}…` : value;
}
