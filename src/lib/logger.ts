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
  // What people typed or the bot would show them: command arguments, form values, message payloads.
  'args', '*.args', 'values', '*.values', 'prefill', '*.prefill', 'payload', '*.payload', 'blocks', '*.blocks',
  'fallback', '*.fallback', 'consentMethod', '*.consentMethod', 'availability', '*.availability',
  'userMessage', '*.userMessage', 'err.details', '*.details',
];

/**
 * An AppError's message is the text shown to the person and may quote what they typed (a contact's
 * name in "There is no contact called …"): log its code instead, and keep the stack's frames.
 */
export function serializeError(err: unknown): unknown {
  if (err instanceof Error && err.name === 'AppError' && 'code' in err) {
    const code = String((err as { code: unknown }).code);
    const frames = (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).join('\n');
    return { type: 'AppError', code, message: code, stack: `AppError: ${code}\n${frames}` };
  }
  return pino.stdSerializers.err(err as Error);
}

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'evidence-bot' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
