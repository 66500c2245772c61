// Wiring: config → database (migrated) → services → chat adapters → jobs → HTTP. The only module
// that sees everything. `npm start` runs it; the CLI, tests and the benchmark use its builders.
import type { Server } from 'node:http';
import type { Server as NetServer } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { disabledTeamsEdge } from '../adapters/teams/disabled.ts';
import { createSlackAdapter } from '../adapters/slack/index.ts';
import { createOutboxWorker, type OutboxWorker } from '../jobs/outbox.ts';
import { JOBS } from '../jobs/registry.ts';
import { startScheduler, type Scheduler } from '../jobs/scheduler.ts';
import { runCliCommand } from './cli/commands.ts';
import { serveControlSocket } from './cli/control-socket.ts';
import { ConfigError, loadConfig, type Config } from './config/config.ts';
import { lockDataDir, type DataDirLock } from './db/data-dir-lock.ts';
import { DataDirError } from './db/data-dir.ts';
import { openDatabase, openRemoteDatabase, type Database } from './db/database.ts';
import { applyMigrations } from './db/migrate.ts';
import { metricsRoute } from './http/metrics-route.ts';
import { closeGracefully, createHttpServer, type ReadinessCheck } from './http/server.ts';
import { createLogger, type Logger } from './lib/logger.ts';
import { systemClock, type Clock } from './ports/clock.ts';
import type { PlatformEdge } from './ports/edge.ts';
import type { ServiceContext } from './services/kernel/context.ts';
import type { ChatPorts } from './services/outbox/deliver-outbox.ts';
import { createServices, type Services } from './services/index.ts';
import { commandConcurrency, createCommandInbox, type CommandInbox } from './services/commands/command-inbox.ts';
import type { CommandInput } from './services/commands/handle-command.ts';
import { getOutboxDepth } from './services/outbox/outbox-depth.ts';
import type { Platform } from './ports/chat.ts';
import { startWorkerThread, type WorkerThread } from './worker/worker-client.ts';

export interface Core {
  config: Config;
  log: Logger;
  db: Database;
  ctx: ServiceContext;
  services: Services;
  ports: ChatPorts;
  edges: PlatformEdge[];
  outbox: OutboxWorker;
  /** The running bot's worker thread (writes, outbox, jobs); absent for the CLI and tests' cores. */
  worker?: WorkerThread;
  migrated: boolean;
  close(): Promise<void>;
}

export interface CoreOptions {
  config: Config;
  log: Logger;
  clock?: Clock;
  /** The embedded database's lock, already taken by the caller. */
  lock?: DataDirLock;
  /**
   * Do acknowledged writes, outbox sends and jobs on a worker thread started with this
   * environment (src/worker/), so the main thread only answers requests. startApp sets it.
   */
  workerEnv?: NodeJS.ProcessEnv;
}

export class DataDirBusyError extends Error {
  constructor(readonly pid: number, dataDir: string) {
    super(`the embedded database in ${resolve(dataDir)} is in use by process ${pid}`);
  }
}

/** Opens and migrates the database and builds services, chat ports and adapters (not started). */
export async function buildCore(options: CoreOptions): Promise<Core> {
  const { config, log } = options;
  let lock = options.lock;
  if (!config.databaseUrl && !lock) {
    const r = lockDataDir(config.dataDir);
    if (!r.ok) throw new DataDirBusyError(r.heldBy, config.dataDir);
    lock = r.lock;
  }
  const ports: ChatPorts = {};
  let worker: WorkerThread | undefined;
  let db: Database;
  try {
    let applied: string[];
    if (options.workerEnv) {
      // The worker opens and migrates the database; on PGlite it owns it and we query through it.
      const platforms: Platform[] = config.slack.enabled ? ['teams', 'slack'] : ['teams'];
      worker = await startWorkerThread({ env: options.workerEnv, log, ports, platforms });
      applied = worker.started.applied;
      db = worker.started.kind === 'pglite'
        ? await openRemoteDatabase(worker.rpc, worker.started.location)
        // The main thread's own queries are the interactive ones (buttons, lists); the writes are the worker's.
        : await openDatabase({ url: config.databaseUrl, poolSize: 4 });
    } else {
      db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
      applied = await applyMigrations(db).catch(async (err) => {
        await db.close().catch(() => {});
        throw err;
      });
    }
    log.info({ database: db.kind, location: db.location, applied }, applied.length ? 'migrations applied' : 'database is up to date');
  } catch (err) {
    await worker?.close().catch(() => {});
    lock?.release();
    throw err;
  }

  const ctx: ServiceContext = {
    db: db.prisma,
    clock: options.clock ?? systemClock,
    log,
    defaultTimeZone: config.defaultTimeZone,
    kickOutbox: () => outbox.kick(),
    exportDir: resolve(config.dataDir, 'exports'),
  };
  const outbox: OutboxWorker = worker
    ? { kick: worker.kickOutbox, drain: worker.drainOutbox, stop: worker.stopOutbox }
    : createOutboxWorker(() => ctx, ports);
  const services = createServices(ctx);
  const edges: PlatformEdge[] = [];
  // Teams: with it switched off this edge only answers 401 on /api/messages (the endpoint is in the contract).
  // botbuilder is loaded only when Teams is on.
  edges.push(config.teams.enabled ? (await import('../adapters/teams/index.ts')).createTeamsAdapter(config.teams, services, log) : disabledTeamsEdge());
  if (config.slack.enabled) edges.push(createSlackAdapter(config.slack, services, log));
  for (const edge of edges) ports[edge.name] = edge.chat;

  return {
    config, log, db, ctx, services, ports, edges, outbox, worker, migrated: true,
    async close() {
      // Adapters first (they finish work still running after an acknowledgement, which may
      // enqueue messages), then the outbox pass under way, then the database.
      await Promise.all(edges.map((e) => e.stop().catch((err) => log.warn({ err, edge: e.name }, 'adapter stop failed'))));
      outbox.stop();
      await outbox.drain();
      await db.close();
      await worker?.close();
      lock?.release();
    },
  };
}

export interface App extends Core {
  server: Server;
  /** The port actually bound (PORT=0 picks a free one). */
  port: number;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  clock?: Clock;
  /** Tests: skip node-cron (jobs are run explicitly). The outbox worker still runs. */
  scheduler?: boolean;
}

export async function startApp(options: StartOptions = {}): Promise<App> {
  const env = options.env ?? process.env;
  const config = loadConfig(env);
  const log = options.logger ?? createLogger(config.logLevel);
  // A fake clock (tests) cannot cross into a worker thread: such a core runs on this thread.
  const core = await buildCore({ config, log, clock: options.clock, workerEnv: options.clock ? undefined : env });
  const { edges, db, outbox } = core;
  logPlatforms(log, config);
  const inbox = openCommandInbox(core);

  const readiness: ReadinessCheck[] = [
    { name: 'database', check: async () => ({ ok: core.migrated && (await db.ping()) }) },
    ...edges.flatMap((e) => e.readiness),
  ];
  const worker = core.worker;
  const routes = [
    ...edges.flatMap((e) => e.routes),
    metricsRoute({ outboxDepth: () => getOutboxDepth(core.ctx), ...(worker ? { otherThreads: async () => [await worker.metrics()] } : {}) }),
  ];
  const server = createHttpServer({ log, routes, readiness });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => resolvePromise());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  await Promise.all(edges.map((e) => e.start()));
  let scheduler: Scheduler | undefined;
  if (options.scheduler !== false) {
    if (worker) {
      await worker.startScheduler();
      scheduler = { stop: () => worker.stopScheduler() };
    } else {
      scheduler = startScheduler(JOBS, { ctx: core.ctx, ports: core.ports });
    }
  }
  // On the embedded database the CLI cannot open it while we run: it sends its verbs here instead.
  let control: NetServer | undefined;
  if (!config.databaseUrl) {
    control = await serveControlSocket(
      config.dataDir,
      (argv, out) => runCliCommand(argv, { ...core, jobs: JOBS, out, exportDir: resolve(config.dataDir, 'exports') }),
      (err) => log.warn({ err }, 'control socket error'),
    );
  }
  outbox.kick();
  // Writes acknowledged by a process that died on this host are done now (answers go as DMs).
  if (inbox) void inbox.recover().catch((err) => log.error({ err }, 'replaying the command journal failed'));
  log.info({ port }, 'evidence bot listening');

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      log.info('shutting down');
      // Stop taking requests; in-flight ones, running jobs and the current outbox pass finish; then close.
      await closeGracefully(server);
      control?.close();
      await scheduler?.stop();
      // Acknowledged commands finish and are answered before the database closes.
      await inbox?.drain();
      inbox?.close();
      await core.close();
      log.info('stopped');
    })();
    return closing;
  };
  return { ...core, server, port, close };
}

/**
 * The journal of acknowledged writes (services/command-inbox.ts) in DATA_DIR/inbox. If DATA_DIR
 * cannot be written (a read-only file system on PostgreSQL), the bot runs without it: commands are
 * then acknowledged after they are done, as before.
 */
function openCommandInbox(core: Core): CommandInbox | undefined {
  try {
    const worker = core.worker;
    const inbox = createCommandInbox(() => core.ctx, {
      dir: resolve(core.config.dataDir, 'inbox'),
      concurrency: commandConcurrency(core.db.kind),
      // The worker thread does the writes and answers them (src/worker/); replays go there too.
      ...(worker ? { handOff: worker.handOffCommands, run: (_ctx: ServiceContext, input: CommandInput) => worker.runCommand(input) } : {}),
    });
    worker?.onCommandsDone((keys) => inbox.completed(keys));
    core.ctx.commandInbox = inbox;
    return inbox;
  } catch (err) {
    core.log.warn({ err }, 'the command journal could not be opened in DATA_DIR/inbox: commands are acknowledged after they are done');
    return undefined;
  }
}

function logPlatforms(log: Logger, config: Config) {
  const on: string[] = [];
  const hints: string[] = [];
  if (config.slack.enabled) on.push(config.slack.appToken ? 'slack (socket mode)' : 'slack (http)');
  else hints.push('Slack: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (or SLACK_APP_TOKEN and SLACK_BOT_TOKEN for Socket Mode)');
  if (config.teams.enabled) on.push(config.teams.appId ? 'teams' : 'teams (unauthenticated)');
  else hints.push('Teams: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD (and MICROSOFT_APP_TYPE, MICROSOFT_APP_TENANT_ID for single-tenant)');
  log.info({ platforms: on, howToEnable: hints }, on.length ? `chat platforms on: ${on.join(', ')}` : 'no chat platform is configured; the HTTP server, jobs and database run');
}

async function main() {
  let app: App | undefined;
  // Listening for signals from the first moment: one that arrives while the bot is still starting
  // (a deploy rolled back at once) stops it as soon as it has started, cleanly.
  let stopping: string | undefined;
  const stop = (signal: string) => {
    stopping ??= signal;
    if (!app) return;
    app.log.info({ signal }, 'signal received');
    const force = setTimeout(() => process.exit(1), 25_000);
    force.unref();
    app.close().then(() => process.exit(0), (err) => {
      app!.log.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  try {
    app = await startApp();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(1);
    }
    if (err instanceof DataDirBusyError) {
      process.stderr.write(`Cannot start: ${err.message}. Stop that process, or set DATA_DIR to another directory (or use PostgreSQL with DATABASE_URL).\n`);
      process.exit(1);
    }
    if (err instanceof DataDirError) {
      process.stderr.write(`Cannot start: ${err.message}\n`);
      process.exit(1);
    }
    createLogger().fatal({ err }, 'start-up failed');
    process.exit(1);
  }
  if (stopping) stop(stopping);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main();
