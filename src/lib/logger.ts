// The one pino logger factory. Tokens, secrets and personal data are redacted at the source, so
// no call site has to remember; message text typed by people is never logged.
import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths pino censors wherever they appear in a log object (one and two levels deep). */
export const REDACT_PATHS = [
  'token', 'botToken', 'appToken', 'signingSecret', 'password', 'appPassword', 'authorization',
  'text', 'summary', 'feedback', 'statement', 'note', 'rationale', 'email', 'phone', 'name', 'outcome',
  'headers.authorization', 'headers.cookie', 'req.headers.authorization', 'req.headers.cookie',
  '*.token', '*.botToken', '*.appToken', '*.signingSecret', '*.password', '*.authorization',
  '*.text', '*.summary', '*.feedback', '*.statement', '*.note', '*.rationale', '*.email', '*.phone', '*.name',
  'databaseUrl', '*.databaseUrl',
];

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'evidence-bot' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
