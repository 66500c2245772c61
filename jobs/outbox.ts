// Delivers the outbox. Runs on its cron as a safety net, and is kicked by services right after
// they commit so replies and notices leave at once. Single-flight within a process; across
// replicas the row leases in deliver-outbox keep each message to one sender.
import { deliverOutbox, type ChatPorts } from '../src/services/outbox/deliver-outbox.ts';
import type { ServiceContext } from '../src/services/kernel/context.ts';
import type { JobDefinition } from './types.ts';

export const outboxJob: JobDefinition = {
  name: 'outbox',
  cron: '*/15 * * * * *',
  description: 'deliver pending outgoing messages, with retries',
  run: async ({ ctx, ports }, now) => ({ ...(await deliverOutbox(ctx, ports, { now })) }),
};

export interface OutboxWorker {
  kick(): void;
  /** Resolves when the current delivery pass (if any) has finished. */
  drain(): Promise<void>;
  stop(): void;
}

export function createOutboxWorker(getCtx: () => ServiceContext, ports: ChatPorts): OutboxWorker {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const pass = async () => {
    do {
      again = false;
      try {
        await deliverOutbox(getCtx(), ports);
      } catch (err) {
        getCtx().log.error({ err }, 'outbox pass failed');
      }
    } while (again && !stopped);
  };
  return {
    kick() {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      running = pass().finally(() => {
        running = undefined;
      });
    },
    drain: async () => {
      while (running) await running;
    },
    stop() {
      stopped = true;
    },
  };
}
