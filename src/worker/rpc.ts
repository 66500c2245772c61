// Calls between the bot's two threads (src/worker/): request/response over a MessagePort, both
// ways. Values cross by structured clone; errors cross as their class, so `instanceof AppError`
// and the outbox's ChatError checks work on the other side, and a database error still reads as
// one to Prisma (it goes by the name DriverAdapterError and the cause, its payload).
import type { MessagePort, Worker } from 'node:worker_threads';
import { AppError, type AppErrorCode } from '../lib/errors.ts';
import { PermanentChatError, RateLimitedError, TransientChatError } from '../ports/chat.ts';

type Endpoint = MessagePort | Worker;
export type Handlers = Record<string, (...args: any[]) => unknown>;

type Request = { rpc: 'req'; id: number; op: string; args: unknown[] };
/** One way: no answer, no promise kept waiting for one. */
type Note = { rpc: 'note'; op: string; args: unknown[] };
type Response = { rpc: 'res'; id: number; ok: true; value: unknown } | { rpc: 'res'; id: number; ok: false; error: WireError };
type WireError = { name: string; message: string; code?: unknown; userMessage?: string; details?: Record<string, unknown>; retryAfterSeconds?: number; cause?: unknown };

export class ThreadGoneError extends Error {
  constructor(op: string) {
    super(`the other thread is gone (${op})`);
    this.name = 'ThreadGoneError';
  }
}

export interface Rpc {
  call<T = unknown>(op: string, ...args: unknown[]): Promise<T>;
  /** Runs the other side's handler for `op` without waiting for it (its errors are the other side's to report). */
  notify(op: string, ...args: unknown[]): void;
  /** Rejects every call still waiting (the other side exited). */
  fail(reason: string): void;
}

export function createRpc(endpoint: Endpoint, handlers: Handlers, options: { onNoteError?(op: string, err: unknown): void } = {}): Rpc {
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void; op: string }>();
  let seq = 0;
  let gone: string | undefined;
  const post = (m: Request | Response | Note) => endpoint.postMessage(m);
  endpoint.on('message', (m: Request | Response | Note | undefined) => {
    if (m?.rpc === 'res') {
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      if (m.ok) w.resolve(m.value);
      else w.reject(fromWire(m.error));
      return;
    }
    if (m?.rpc === 'note') {
      try {
        const handler = handlers[m.op];
        if (!handler) throw new Error(`no handler for ${m.op}`);
        void Promise.resolve(handler(...m.args)).catch((err: unknown) => options.onNoteError?.(m.op, err));
      } catch (err) {
        options.onNoteError?.(m.op, err);
      }
      return;
    }
    if (m?.rpc !== 'req') return;
    const handler = handlers[m.op];
    void (async () => {
      try {
        if (!handler) throw new Error(`no handler for ${m.op}`);
        post({ rpc: 'res', id: m.id, ok: true, value: await handler(...m.args) });
      } catch (err) {
        post({ rpc: 'res', id: m.id, ok: false, error: toWire(err) });
      }
    })();
  });
  return {
    call<T>(op: string, ...args: unknown[]) {
      if (gone) return Promise.reject(new ThreadGoneError(op));
      const id = seq++;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, op });
        post({ rpc: 'req', id, op, args });
      });
    },
    notify(op, ...args) {
      if (!gone) post({ rpc: 'note', op, args });
    },
    fail(reason) {
      gone = reason;
      for (const [id, w] of waiting) {
        waiting.delete(id);
        w.reject(new ThreadGoneError(`${w.op}: ${reason}`));
      }
    },
  };
}

export function toWire(err: unknown): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const e = err as Error & { code?: unknown; userMessage?: string; details?: Record<string, unknown>; retryAfterSeconds?: number; cause?: unknown };
  return {
    name: e.name,
    message: e.message,
    ...(e.code !== undefined ? { code: e.code } : {}),
    ...(e.userMessage !== undefined ? { userMessage: e.userMessage } : {}),
    ...(e.details ? { details: structuredCloneable(e.details) } : {}),
    ...(e.retryAfterSeconds !== undefined ? { retryAfterSeconds: e.retryAfterSeconds } : {}),
    // A driver-adapter error's cause is its payload (the database's error kind and code).
    ...(e.name === 'DriverAdapterError' ? { cause: structuredCloneable(e.cause) } : {}),
  };
}

function fromWire(w: WireError): Error {
  switch (w.name) {
    case 'AppError':
      return new AppError(w.code as AppErrorCode, w.userMessage ?? '', { details: w.details });
    case 'RateLimitedError':
      return new RateLimitedError(w.retryAfterSeconds ?? 1);
    case 'TransientChatError':
      return new TransientChatError(w.message);
    case 'PermanentChatError':
      return new PermanentChatError(w.message);
    default: {
      const e = new Error(w.message, w.cause !== undefined ? { cause: w.cause } : undefined) as Error & { code?: unknown };
      e.name = w.name;
      if (w.code !== undefined) e.code = w.code;
      return e;
    }
  }
}

function structuredCloneable<T>(value: T): T | undefined {
  try {
    return structuredClone(value);
  } catch {
    return undefined;
  }
}
