// Runs the inbox's committed requests (src/services/commands/inbox.ts) in the running bot: the
// ones this process has just acknowledged, a few at a time, and every few seconds a sweep that takes
// over requests whose runner died (on this replica before a restart, or on another). Like the
// outbox worker, it keeps nothing that matters in memory: the rows are the truth.
import { runAccepted, sweepInbox } from '../src/services/commands/inbox.ts';
import type { ServiceContext } from '../src/services/kernel/context.ts';
import type { AcceptedRequest } from '../src/services/kernel/requests.ts';

export interface InboxWorker {
  /** Queues a request this process has just committed. */
  run(request: AcceptedRequest): void;
  /** Takes over what dead runners left, now (also done every `sweepEveryMs`). */
  sweep(): Promise<void>;
  /** Resolves when every queued request (and a sweep under way) has finished. */
  drain(): Promise<void>;
  stop(): void;
}

export interface InboxWorkerOptions {
  /** Requests done at once: 1 on the embedded database (it runs one query at a time). */
  concurrency: number;
  /** How often to look for requests whose runner died; 0: never by itself. */
  sweepEveryMs: number;
}

export const inboxConcurrency = (databaseKind: 'pglite' | 'postgresql'): number => (databaseKind === 'pglite' ? 1 : 4);

export function createInboxWorker(getCtx: () => ServiceContext, options: InboxWorkerOptions): InboxWorker {
  const queue: AcceptedRequest[] = [];
  let running = 0;
  let stopped = false;
  let sweeping: Promise<void> | undefined;
  let idle: (() => void)[] = [];

  const settleIdle = () => {
    if (running || queue.length || sweeping) return;
    for (const resolve of idle) resolve();
    idle = [];
  };
  const pump = () => {
    while (running < options.concurrency && queue.length) {
      const request = queue.shift()!;
      running++;
      void runAccepted(getCtx(), request)
        .catch((err: unknown) => getCtx().log.error({ err, key: request.key }, 'an acknowledged command could not be finished; it is taken over when its lease ends'))
        .finally(() => {
          running--;
          // A turn of the event loop between requests: acknowledgements first.
          setImmediate(pump);
          settleIdle();
        });
    }
  };
  const sweep = (): Promise<void> => {
    sweeping ??= sweepInbox(getCtx())
      .then(() => undefined, (err: unknown) => getCtx().log.error({ err }, 'inbox sweep failed'))
      .finally(() => {
        sweeping = undefined;
        settleIdle();
      });
    return sweeping;
  };
  const timer = options.sweepEveryMs > 0 ? setInterval(() => void (stopped || sweep()), options.sweepEveryMs) : undefined;
  timer?.unref();

  return {
    run(request) {
      if (stopped) return; // left to the sweep of the next process
      queue.push(request);
      pump();
    },
    sweep,
    drain: () => (running || queue.length || sweeping ? new Promise<void>((resolve) => idle.push(resolve)) : Promise.resolve()),
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
