// Bot Framework connector failures turned into the core's chat errors, so the outbox knows whether
// to retry: 401/403 will not get better by retrying (permanent), 429 waits for Retry-After, 5xx and
// network failures are transient. "Not installed" is its own case: see NotInstalledError. And
// the other way: why an incoming activity could not be processed (classifyProcessError).
import { ChatError, PermanentChatError, RateLimitedError, TransientChatError } from '../../src/ports/chat.ts';

/**
 * The bot has no conversation with this person and may not open one (they have not installed the
 * app). Retryable but slow: the message waits in the outbox, the admins are told once, and storing
 * the person's conversation reference when they install the app wakes it at once.
 */
export class NotInstalledError extends ChatError {
  static readonly RETRY_AFTER_SECONDS = 6 * 60 * 60;
  constructor(message: string) {
    super(message, true, NotInstalledError.RETRY_AFTER_SECONDS);
    this.name = 'NotInstalledError';
  }
}

interface RestLike {
  statusCode?: number;
  code?: string;
  message?: string;
  response?: { headers?: { get?(name: string): string | undefined | null } | Record<string, string> };
}

/** Seconds from a Retry-After header (seconds or an HTTP date); 30 when absent or unreadable. */
export function retryAfterSeconds(header: string | null | undefined, now = Date.now()): number {
  if (header) {
    const s = Number(header);
    if (Number.isFinite(s) && s >= 0) return Math.ceil(s);
    const at = Date.parse(header);
    if (Number.isFinite(at)) return Math.max(1, Math.ceil((at - now) / 1000));
  }
  return 30;
}

function header(err: RestLike, name: string): string | undefined {
  const h = err.response?.headers;
  if (!h) return undefined;
  if (typeof (h as { get?: unknown }).get === 'function') return (h as { get(n: string): string | undefined | null }).get(name) ?? undefined;
  return (h as Record<string, string>)[name];
}

/** The connector's error (a RestError) as a ChatError; anything already a ChatError passes through. */
export function toChatError(err: unknown, what: string): ChatError {
  if (err instanceof ChatError) return err;
  const e = (err ?? {}) as RestLike;
  const status = e.statusCode;
  const detail = `${what}: ${status ?? 'no response'}${e.code ? ` ${e.code}` : ''}`;
  // Teams says this when the person removed the app (or never had it): wait for them, as above.
  if (status === 403 && e.code === 'BotNotInConversationRoster') return new NotInstalledError(`${detail} (the person has not installed the app)`);
  if (status === 429) return new RateLimitedError(retryAfterSeconds(header(e, 'retry-after')));
  if (status === 401 || status === 403) return new PermanentChatError(`${detail} (the bot's credentials or its access to this conversation were refused)`);
  if (status === 404) return new PermanentChatError(`${detail} (the conversation or message no longer exists)`);
  if (status !== undefined && status >= 400 && status < 500) return new PermanentChatError(detail);
  return new TransientChatError(detail);
}

/** Why CloudAdapter could not process an incoming activity, as the route answers it. */
export type ProcessFailure =
  /** The token was refused (401): forged, expired, for another bot. */
  | { kind: 'unauthorized'; detail: string }
  /** Microsoft's sign-in metadata or keys could not be fetched, so no token can be checked (503). */
  | { kind: 'upstream_unavailable'; detail: string }
  /** Anything else: a fault here (500). */
  | { kind: 'internal' };

/** jsonwebtoken's verification failures, which botbuilder passes on unwrapped. */
const JWT_ERRORS = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);
/** How node-fetch and node:net say a host could not be reached. */
const NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/**
 * Sorts what CloudAdapter's activity pipeline threw. Errors from the turn itself never get here
 * (onTurnError handles them), so what arrives is the token check or setting up the turn.
 * botbuilder's AuthenticationError carries a statusCode: 401 for a refused token, 500 when the
 * OpenID metadata or signing keys answered with an error; node-fetch's FetchError (the metadata
 * host unreachable) carries a system error code. `detail` is for the log, never the response.
 */
export function classifyProcessError(err: unknown): ProcessFailure {
  const e = (err ?? {}) as { name?: unknown; message?: unknown; statusCode?: unknown; code?: unknown; errno?: unknown; type?: unknown };
  const detail = typeof e.message === 'string' ? e.message.slice(0, 300) : String(err).slice(0, 300);
  if (typeof e.name === 'string' && JWT_ERRORS.has(e.name)) return { kind: 'unauthorized', detail };
  if (typeof e.statusCode === 'number') {
    if (e.statusCode === 401 || e.statusCode === 403) return { kind: 'unauthorized', detail };
    if (e.statusCode >= 500) return { kind: 'upstream_unavailable', detail };
  }
  const code = typeof e.code === 'string' ? e.code : typeof e.errno === 'string' ? e.errno : undefined;
  if (e.name === 'FetchError' || (code !== undefined && NETWORK_CODES.has(code))) return { kind: 'upstream_unavailable', detail: code ? `${code}: ${detail}` : detail };
  return { kind: 'internal' };
}
