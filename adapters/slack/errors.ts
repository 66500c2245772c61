// Slack Web API failures turned into the core's ChatError classes, so the outbox knows whether to
// wait (429, with Retry-After), try again later (5xx, timeouts, Slack's own outages) or give up
// (the person left, the token is revoked, the channel is gone). The Web API client is configured
// not to retry by itself (see index.ts): retrying is the outbox's job.
import { webApi } from '@slack/bolt';
import { ChatError, PermanentChatError, RateLimitedError, TransientChatError } from '../../src/ports/chat.ts';

const { ErrorCode } = webApi;

/** Slack `error` codes that retrying cannot fix. Anything not listed as transient is also treated as permanent. */
export const PERMANENT_ERRORS = new Set([
  'user_not_found', 'account_inactive', 'not_authed', 'invalid_auth', 'token_revoked', 'token_expired',
  'channel_not_found', 'is_archived', 'not_in_channel', 'cannot_dm_bot', 'user_disabled', 'missing_scope',
  'no_permission', 'restricted_action', 'invalid_blocks', 'msg_too_long', 'message_not_found', 'cant_update_message',
]);

/** Slack `error` codes that mean "Slack is having a moment": try again later. */
export const TRANSIENT_ERRORS = new Set([
  'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org', 'ratelimited',
]);

/** Seconds to wait on a 429 whose Retry-After is missing or unreadable. */
const DEFAULT_RETRY_AFTER_S = 30;

interface SlackishError {
  code?: string;
  retryAfter?: number;
  statusCode?: number;
  headers?: Record<string, string>;
  data?: { error?: string; response_metadata?: { messages?: string[] } };
  original?: Error;
  message?: string;
}

export function toChatError(err: unknown): ChatError {
  if (err instanceof ChatError) return err;
  const e = (err ?? {}) as SlackishError;
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      return new RateLimitedError(validSeconds(e.retryAfter));
    case ErrorCode.HTTPError: {
      const status = e.statusCode ?? 0;
      if (status === 429) return new RateLimitedError(validSeconds(Number(e.headers?.['retry-after'])));
      if (status >= 500 || status === 408) return new TransientChatError(`Slack answered HTTP ${status}`);
      return new PermanentChatError(`Slack answered HTTP ${status}`);
    }
    case ErrorCode.RequestError:
      // No answer at all: a timeout, a refused connection, DNS. The request may or may not have arrived.
      return new TransientChatError(`Slack could not be reached: ${e.original?.message ?? e.message ?? 'request failed'}`);
    case ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      if (code === 'ratelimited') return new RateLimitedError(DEFAULT_RETRY_AFTER_S);
      if (TRANSIENT_ERRORS.has(code)) return new TransientChatError(`Slack error ${code}`);
      return new PermanentChatError(`Slack error ${code}`);
    }
    default:
      // Not from the Web API client (a bug, an unexpected exception): keep the message and retry,
      // so nothing is dropped; the outbox marks it dead after its last attempt and tells the admins.
      return new TransientChatError(err instanceof Error ? err.message : String(err));
  }
}

function validSeconds(n: number | undefined): number {
  return n !== undefined && Number.isFinite(n) && n >= 0 ? Math.ceil(n) : DEFAULT_RETRY_AFTER_S;
}

/** The Slack `error` code of a failed call (`invalid_auth` …), for logs; undefined when there is none. */
export function slackErrorCode(err: unknown): string | undefined {
  const e = (err ?? {}) as SlackishError;
  return e.data?.error ?? (e.code === ErrorCode.RequestError ? 'unreachable' : e.statusCode ? `http_${e.statusCode}` : undefined);
}
