// Starts the worker thread (worker-thread.ts) from the main thread and gives main.ts what it needs
// of it: its database's location and migrations, a way to run an acknowledged command there, its
// outbox, its scheduler and its metrics. If the worker thread dies, the process exits: the command
// journal keeps what was acknowledged, and the next start does it.
import { Worker } from 'node:worker_threads';
import { lineWriter, type Logger } from '../lib/logger.ts';
import type { ThreadMetrics } from '../lib/metrics.ts';
import type { Platform } from '../ports/chat.ts';
import type { ChatPorts } from '../services/outbox/deliver-outbox.ts';
import type { CommandInput, CommandResult } from '../services/commands/handle-command.ts';
import { createRpc, type Rpc } from './rpc.ts';
import type { WorkerData, WorkerStarted } from './worker-thread.ts';

export interface WorkerThread {
  readonly rpc: Rpc;
  readonly started: WorkerStarted;
  /** Runs a command there and returns its result (the journal's replays). */
  runCommand(input: CommandInput): Promise<CommandResult>;
  /** Hands acknowledged writes there (their journal lines): done and answered there, then reported to onCommandsDone. */
  handOffCommands(lines: string[]): void;
  onCommandsDone(listener: (keys: string[]) => void): void;
  kickOutbox(): void;
  drainOutbox(): Promise<void>;
  /** No more delivery passes (the one under way finishes; drainOutbox() waits for it). */
  stopOutbox(): void;
  startScheduler(): Promise<void>;
  stopScheduler(): Promise<void>;
  metrics(): Promise<ThreadMetrics>;
  /** Stops its jobs, finishes the outbox pass under way, closes its database, and ends it. */
  close(): Promise<void>;
}

export interface WorkerThreadOptions {
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** The main thread's chat ports; the worker's messages are sent through them. */
  ports: ChatPorts;
  platforms: Platform[];
}

export async function startWorkerThread(options: WorkerThreadOptions): Promise<WorkerThread> {
  const { log, ports } = options;
  const workerData: WorkerData = { env: options.env, logLevel: log.level };
  const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData });
  const writeLine = lineWriter(log);
  worker.on('message', (m: { logLine?: unknown }) => {
    if (typeof m?.logLine === 'string') writeLine(m.logLine);
  });
  let closing = false;
  const port = (platform: Platform) => {
    const p = ports[platform];
    if (!p) throw new Error(`no ${platform} chat port`);
    return p;
  };
  let commandsDone: (keys: string[]) => void = () => {};
  const rpc = createRpc(worker, {
    'inbox.done': (keys: string[]) => commandsDone(keys),
    'chat.send': (platform: Platform, ...args: Parameters<NonNullable<ChatPorts['slack']>['send']>) => port(platform).send(...args),
    'chat.update': (platform: Platform, ...args: Parameters<NonNullable<ChatPorts['slack']>['update']>) => port(platform).update(...args),
  }, { onNoteError: (op, err) => log.error({ err, op }, 'the worker thread\'s call failed') });
  worker.on('error', (err) => log.fatal({ err }, 'the worker thread failed'));
  worker.on('exit', (code) => {
    rpc.fail(`exited with ${code}`);
    if (closing) return;
    // Nothing can be stored or sent without it. Exit so the supervisor restarts the bot; the
    // journal in DATA_DIR/inbox replays what was acknowledged and not yet done.
    log.fatal({ code }, 'the worker thread stopped; exiting');
    process.exit(70);
  });
  let started: WorkerStarted;
  try {
    started = await rpc.call<WorkerStarted>('start', { platforms: options.platforms });
  } catch (err) {
    closing = true;
    await worker.terminate();
    throw err;
  }
  const fireAndForget = (op: string) => void rpc.call(op).catch((err) => log.warn({ err, op }, 'worker thread call failed'));
  return {
    rpc,
    started,
    runCommand: (input) => rpc.call<CommandResult>('command', input),
    handOffCommands: (lines) => rpc.notify('inbox.accept', lines),
    onCommandsDone: (listener) => {
      commandsDone = listener;
    },
    kickOutbox: () => fireAndForget('outbox.kick'),
    drainOutbox: () => rpc.call('outbox.drain'),
    stopOutbox: () => fireAndForget('outbox.stop'),
    startScheduler: () => rpc.call('scheduler.start'),
    stopScheduler: () => rpc.call('scheduler.stop'),
    metrics: () => rpc.call<ThreadMetrics>('metrics'),
    async close() {
      if (closing) return;
      closing = true;
      try {
        await rpc.call('close');
      } finally {
        await worker.terminate();
      }
    },
  };
}
