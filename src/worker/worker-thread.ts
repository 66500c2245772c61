// The bot's worker thread: where acknowledged writes are done, the outbox is delivered and the
// scheduled jobs run, so that none of that work holds the main thread, which answers Slack and
// Teams (their 3-second acknowledgements). It owns the embedded database (the main thread's
// queries come here, src/db/remote-adapter.ts) or its own PostgreSQL pool. It sends Slack messages
// with a Web API client of its own, Teams messages through the main thread's adapter. Started by
// src/worker/worker-client.ts.
import { setPriority } from 'node:os';
import { resolve } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { createOutboxWorker, type OutboxWorker } from '../../jobs/outbox.ts';
import { JOBS } from '../../jobs/registry.ts';
import { startScheduler, type Scheduler } from '../../jobs/scheduler.ts';
import type { SlackChatPort } from '../../adapters/slack/chat-port.ts';
import { createSlackSender } from '../../adapters/slack/index.ts';
import { loadConfig } from '../config/config.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { applyMigrations } from '../db/migrate.ts';
import { driverAdapterHandlers } from '../db/remote-adapter.ts';
import { createLogger } from '../lib/logger.ts';
import { threadMetrics } from '../lib/metrics.ts';
import type { ChatPort, Platform } from '../ports/chat.ts';
import type { ChatMessage } from '../ports/message.ts';
import { systemClock } from '../ports/clock.ts';
import type { ServiceContext } from '../services/kernel/context.ts';
import type { ChatPorts } from '../services/outbox/deliver-outbox.ts';
import { commandConcurrency, createCommandRunner } from '../services/commands/command-inbox.ts';
import { handleCommand, type CommandInput, type CommandResult } from '../services/commands/handle-command.ts';
import { createRpc } from './rpc.ts';

export interface WorkerData {
  env: NodeJS.ProcessEnv;
  logLevel: string;
}

export interface WorkerStartOptions {
  /** The platforms whose chat adapters the main thread runs (messages are sent through them). */
  platforms: Platform[];
}

export interface WorkerStarted {
  kind: Database['kind'];
  location: string;
  applied: string[];
}

const port = parentPort!;
const data = workerData as WorkerData;
const config = loadConfig(data.env);
// Our lines go to the main thread's logger (one stream per process, at its level).
const log = createLogger(data.logLevel, { write: (line: string) => port.postMessage({ logLine: line }) }).child({ thread: 'worker' });
lowerThisThreadsPriority();

let db: Database | undefined;
let ctx: ServiceContext | undefined;
let outbox: OutboxWorker | undefined;
let scheduler: Scheduler | undefined;
let slack: SlackChatPort | undefined;
let commands: ReturnType<typeof createCommandRunner> | undefined;
// Done commands are reported to the main thread's journal a few at a time.
let doneKeys: string[] = [];
let doneTimer: NodeJS.Timeout | undefined;
const reportDone = (key: string) => {
  doneKeys.push(key);
  doneTimer ??= setTimeout(() => {
    doneTimer = undefined;
    rpc.notify('inbox.done', doneKeys);
    doneKeys = [];
  }, 20);
};
const ports: ChatPorts = {};
const ready = () => {
  if (!ctx || !outbox || !commands) throw new Error('the worker thread has not started');
  return { ctx, outbox, commands };
};

const rpc = createRpc(port, {
  async start(options: WorkerStartOptions): Promise<WorkerStarted> {
    db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
    let applied: string[];
    try {
      applied = await applyMigrations(db);
    } catch (err) {
      await db.close().catch(() => {});
      throw err;
    }
    const c: ServiceContext = {
      db: db.prisma,
      clock: systemClock,
      log,
      defaultTimeZone: config.defaultTimeZone,
      kickOutbox: () => outbox?.kick(),
      exportDir: resolve(config.dataDir, 'exports'),
    };
    ctx = c;
    // Slack is sent from here with a Web API client of our own; Teams through the main thread's adapter.
    for (const platform of options.platforms) ports[platform] = remoteChatPort(platform);
    if (options.platforms.includes('slack') && config.slack.botToken) ports.slack = slack = createSlackSender(config.slack, log);
    outbox = createOutboxWorker(() => c, ports);
    const sender = slack;
    commands = createCommandRunner(() => c, {
      concurrency: commandConcurrency(db.kind),
      ...(sender ? { respond: (url: string, message: ChatMessage) => sender.respond(url, message) } : {}),
      done: reportDone,
    });
    return { kind: db.kind, location: db.location, applied };
  },
  // The main thread's replays of a dead process's journal (it sends their answers as DMs).
  command: (input: CommandInput): Promise<CommandResult> => handleCommand(ready().ctx, input),
  // Acknowledged writes, as their journal lines (services/command-inbox.ts): done and answered here.
  'inbox.accept': (lines: string[]) => ready().commands.push(lines),
  'outbox.kick': () => ready().outbox.kick(),
  'outbox.drain': () => ready().outbox.drain(),
  'outbox.stop': () => ready().outbox.stop(),
  'scheduler.start': () => {
    scheduler ??= startScheduler(JOBS, { ctx: ready().ctx, ports });
  },
  'scheduler.stop': async () => {
    await scheduler?.stop();
    scheduler = undefined;
  },
  metrics: () => threadMetrics(),
  async close() {
    await scheduler?.stop();
    outbox?.stop();
    await outbox?.drain();
    await db?.close();
  },
  // The embedded database has one owner: the main thread's queries are served from here.
  ...driverAdapterHandlers(() => {
    if (db?.kind !== 'pglite') throw new Error('the embedded database is not open in this thread');
    return db.migrationAdapterFactory;
  }),
}, { onNoteError: (op, err) => log.error({ err, op }, 'the main thread\'s call failed here') });

function remoteChatPort(platform: Platform): ChatPort {
  return {
    platform,
    send: (to, message, options) => rpc.call('chat.send', platform, to, message, options),
    update: (ref, message) => rpc.call('chat.update', platform, ref, message),
  };
}

/**
 * Acknowledgements first: on Linux a thread has its own nice value, and this one's is lowered to
 * the least, so when the CPUs are busy the main thread (and the database server) run first and
 * this thread takes what is left; on an idle machine it runs at full speed. Elsewhere the call
 * would lower the whole process, so it is left alone.
 */
function lowerThisThreadsPriority() {
  if (process.platform !== 'linux') return;
  try {
    setPriority(0, 19); // 0: the calling thread, on Linux
  } catch (err) {
    log.warn({ err }, 'could not lower the worker thread\'s priority');
  }
}
