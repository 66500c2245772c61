// What can be told about a Slack request from its headers, before its body is read. Bolt checks
// the signature, but the signature covers the body, so Bolt reads the whole body first: a flood
// of unsigned multi-megabyte POSTs was read in full, held in memory and only then refused, and
// real people's requests queued behind it. Anything that cannot be from Slack (no signature, a
// timestamp Slack's own rule would reject, a body bigger than Slack sends) is refused here from
// its headers; what passes still goes to Bolt, which checks the HMAC.
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Slack's largest payloads (a modal submission with every block and its state) are tens of KB;
 * half a megabyte leaves a wide margin and still caps what one forged request can cost.
 */
export const SLACK_BODY_LIMIT = 512 * 1024;

/** Slack's rule for replays: a timestamp more than five minutes from our clock is refused. */
export const SLACK_MAX_SKEW_SECONDS = 5 * 60;

/**
 * Slack's ssl_check (`ssl_check=1&token=…`, form-encoded) is the one request it sends unsigned.
 * Only a small declared body can be one, so reading it costs next to nothing.
 */
export const SSL_CHECK_LIMIT = 1024;

export type RefusalReason = 'unsigned' | 'stale' | 'too_large';

export type Precheck =
  /** Signature headers of the right shape and a fresh timestamp: read the body, let Bolt verify. */
  | { verdict: 'plausible' }
  /** No signature, but small and form-encoded: may be Slack's ssl_check (see SSL_CHECK_LIMIT). */
  | { verdict: 'maybe_ssl_check' }
  | { verdict: 'refuse'; status: 401 | 413; reason: RefusalReason };

const SIGNATURE = /^v0=[0-9a-f]{64}$/;
const TIMESTAMP = /^\d{1,12}$/;

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function precheckSlackRequest(headers: IncomingHttpHeaders, nowMs = Date.now()): Precheck {
  const signature = single(headers['x-slack-signature']);
  const timestamp = single(headers['x-slack-request-timestamp']);
  const lengthHeader = single(headers['content-length']);
  const declared = lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;

  if (signature === undefined && timestamp === undefined) {
    const form = (single(headers['content-type']) ?? '').split(';')[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded';
    if (form && declared !== undefined && declared <= SSL_CHECK_LIMIT) return { verdict: 'maybe_ssl_check' };
    return { verdict: 'refuse', status: 401, reason: 'unsigned' };
  }
  if (!signature || !SIGNATURE.test(signature) || !timestamp || !TIMESTAMP.test(timestamp)) {
    return { verdict: 'refuse', status: 401, reason: 'unsigned' };
  }
  // Either way: a clock far ahead is as suspect as one far behind (Bolt only checks behind).
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > SLACK_MAX_SKEW_SECONDS) return { verdict: 'refuse', status: 401, reason: 'stale' };
  if (declared !== undefined && declared > SLACK_BODY_LIMIT) return { verdict: 'refuse', status: 413, reason: 'too_large' };
  return { verdict: 'plausible' };
}

/** Whether a form body is exactly Slack's ssl_check (the value must be "1", as Bolt requires). */
export function isSslCheck(body: string): boolean {
  return new URLSearchParams(body).get('ssl_check') === '1';
}
