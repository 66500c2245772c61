// The one HTTP server: health and readiness here, and the routes the chat adapters mount
// (POST /slack/events, POST /api/messages). Everything else is 404.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../lib/logger.ts';
import { observeHttp } from '../lib/metrics.ts';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  handler: Handler;
}

export interface ReadinessCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

export interface HttpServerOptions {
  log: Logger;
  routes: Route[];
  readiness: ReadinessCheck[];
}

/** Servers being shut down, and the responses each has in flight (see closeGracefully). */
const draining = new WeakSet<Server>();
const inFlight = new WeakMap<Server, Set<ServerResponse>>();

export function createHttpServer(options: HttpServerOptions): Server {
  const { log } = options;
  const responses = new Set<ServerResponse>();
  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const started = process.hrtime.bigint();
    // Only known paths become metric labels; anything else is "unmatched" (scanners add no series).
    const known = path === '/healthz' || path === '/readyz' || options.routes.some((r) => r.path === path);
    responses.add(res);
    if (draining.has(server)) res.shouldKeepAlive = false;
    res.once('close', () => {
      responses.delete(res);
      observeHttp(req.method ?? 'GET', known ? path : 'unmatched', res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
      // Shutting down: a keep-alive connection whose last response just went out is now idle.
      if (draining.has(server)) setImmediate(() => server.closeIdleConnections());
    });
    try {
      if (req.method === 'GET' && path === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (req.method === 'GET' && path === '/readyz') {
        const results = await Promise.all(options.readiness.map(async (c) => ({ name: c.name, ...(await c.check().catch((e) => ({ ok: false, detail: String(e) }))) })));
        const ok = results.every((r) => r.ok);
        return sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready', checks: results });
      }
      const route = options.routes.find((r) => r.path === path && r.method === req.method);
      if (route) return await route.handler(req, res);
      if (options.routes.some((r) => r.path === path)) return sendJson(res, 405, { error: 'method not allowed' });
      return sendJson(res, 404, { error: 'not found' });
    } catch (err) {
      log.error({ err, path }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.end();
    }
  });
  // Slack and Bot Framework both keep connections alive; stay longer than a typical LB's 60 s.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  inFlight.set(server, responses);
  return server;
}

/**
 * Stops taking connections and resolves once every request in flight has been answered. Keep-alive
 * connections (Slack, Bot Framework, load balancers all use them) would otherwise hold the server
 * open until their idle timeout: idle ones are closed now, busy ones answer with
 * `Connection: close` and are closed after their response.
 */
export function closeGracefully(server: Server): Promise<void> {
  draining.add(server);
  for (const res of inFlight.get(server) ?? []) if (!res.headersSent) res.shouldKeepAlive = false;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  return closed;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Answers and hangs up without reading the request body. With keep-alive the server would read
 * (and throw away) whatever body the caller declared so the connection could carry the next
 * request: a refused caller could make us read megabytes. `Connection: close` ends the
 * connection once the answer is written instead.
 */
export function refuse(res: ServerResponse, status: number, body: unknown): void {
  res.shouldKeepAlive = false;
  sendJson(res, status, body);
}

/** Thrown by readBody when a body is, or is declared to be, bigger than its limit: answer 413. */
export class BodyTooLargeError extends Error {
  readonly status = 413;
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** The Content-Length the caller declared, or undefined (chunked, absent or unreadable). */
export function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined || !/^\d+$/.test(header)) return undefined;
  return Number(header);
}

/**
 * Reads a request body up to `limit` bytes. A declared Content-Length over the limit is refused
 * before a byte is read; a chunked body is counted as it arrives and reading stops at the limit
 * (the request is paused, not destroyed, so the caller can still answer 413 with `refuse`).
 */
export function readBodyBytes(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > limit) return Promise.reject(new BodyTooLargeError(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        done();
        req.pause();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    const onClose = () => {
      done();
      reject(new Error('the request was closed before its body arrived'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** Reads a request body up to `limit` bytes as UTF-8; rejects with a BodyTooLargeError beyond it. */
export async function readBody(req: IncomingMessage, limit = 1_000_000): Promise<string> {
  return (await readBodyBytes(req, limit)).toString('utf8');
}
