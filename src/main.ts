// Wiring: config → database (migrated) → services → chat adapters → jobs → HTTP. The only module
// that sees everything. `npm start` runs it; the CLI, tests and the benchmark use its builders.
import type { Server } from 'node:http';
import type { Server as NetServer } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { disabledTeamsEdge } from '../adapters/teams/disabled.ts';
import { createSlackAdapter } from '../adapters/slack/index.ts';
import { createInboxWorker, inboxConcurrency, type InboxWorker } from '../jobs/inbox.ts';
import { createOutboxWorker, type OutboxWorker } from '../jobs/outbox.ts';
import { JOBS } from '../jobs/registry.ts';
import { startScheduler, type Scheduler } from '../jobs/scheduler.ts';
import { runCliCommand } from './cli/commands.ts';
import { serveControlSocket } from './cli/control-socket.ts';
import { ConfigError, loadConfig, type Config } from './config/config.ts';
import { lockDataDir, type DataDirLock } from './db/data-dir-lock.ts';
import { DataDirError } from './db/data-dir.ts';
import { openDatabase, type Database } from './db/database.ts';
import { applyMigrations } from './db/migrate.ts';
import { metricsRoute } from './http/metrics-route.ts';
import { closeGracefully, createHttpServer, type ReadinessCheck } from './http/server.ts';
import { createLogger, type Logger } from './lib/logger.ts';
import { systemClock, type Clock } from './ports/clock.ts';
import type { PlatformEdge } from './ports/edge.ts';
import type { ServiceContext } from './services/kernel/context.ts';
import type { ChatPorts } from './services/outbox/deliver-outbox.ts';
import { createServices, type Services } from './services/index.ts';
import { getOutboxDepth } from './services/outbox/outbox-depth.ts';

export interface Core {
  config: Config;
  log: Logger;
  db: Database;
  ctx: ServiceContext;
  services: Services;
  ports: ChatPorts;
  edges: PlatformEdge[];
  outbox: OutboxWorker;
  /** Runs the inbox's committed requests (jobs/inbox.ts); its sweep runs only in the started bot. */
  inbox: InboxWorker;
  migrated: boolean;
  close(): Promise<void>;
}

export interface CoreOptions {
  config: Config;
  log: Logger;
  clock?: Clock;
  /** The embedded database's lock, already taken by the caller. */
  lock?: DataDirLock;
  /** How often the inbox looks for requests whose runner died (0: only when asked). startApp sets it. */
  inboxSweepMs?: number;
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
  let db: Database;
  try {
    db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
    const applied = await applyMigrations(db).catch(async (err) => {
      await db.close().catch(() => {});
      throw err;
    });
    log.info({ database: db.kind, location: db.location, applied }, applied.length ? 'migrations applied' : 'database is up to date');
  } catch (err) {
    lock?.release();
    throw err;
  }

  const ctx: ServiceContext = {
    db: db.prisma,
    clock: options.clock ?? systemClock,
    log,
    defaultTimeZone: config.defaultTimeZone,
    kickOutbox: () => outbox.kick(),
    runInbox: (request) => inbox.run(request),
    exportDir: resolve(config.dataDir, 'exports'),
  };
  const outbox: OutboxWorker = createOutboxWorker(() => ctx, ports);
  const inbox = createInboxWorker(() => ctx, { concurrency: inboxConcurrency(db.kind), sweepEveryMs: options.inboxSweepMs ?? 0 });
  const services = createServices(ctx);
  const edges: PlatformEdge[] = [];
  // Teams: with it switched off this edge only answers 401 on /api/messages (the endpoint is in the contract).
  // botbuilder is loaded only when Teams is on.
  edges.push(config.teams.enabled ? (await import('../adapters/teams/index.ts')).createTeamsAdapter(config.teams, services, log) : disabledTeamsEdge());
  if (config.slack.enabled) edges.push(createSlackAdapter(config.slack, services, log));
  for (const edge of edges) ports[edge.name] = edge.chat;

  return {
    config, log, db, ctx, services, ports, edges, outbox, inbox, migrated: true,
    async close() {
      // Adapters first (they finish work still running after an acknowledgement, which may
      // enqueue messages), then the acknowledged commands under way (their answers go to the
      // outbox), then the outbox pass under way, then the database. Requests committed and not
      // yet started stay in the inbox for the next process.
      await Promise.all(edges.map((e) => e.stop().catch((err) => log.warn({ err, edge: e.name }, 'adapter stop failed'))));
      await inbox.drain();
      inbox.stop();
      outbox.stop();
      await outbox.drain();
      await db.close();
      lock?.release();
    },
  };
}

/**
 * How often the running bot looks for acknowledged requests whose runner died. With the inbox's
 * 15-second lease, such a request is finished within about 20 seconds.
 */
const INBOX_SWEEP_MS = 5_000;

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
  const core = await buildCore({ config, log, clock: options.clock, inboxSweepMs: INBOX_SWEEP_MS });
  const { edges, db, outbox, inbox } = core;
  logPlatforms(log, config);

  const readiness: ReadinessCheck[] = [
    { name: 'database', check: async () => ({ ok: core.migrated && (await db.ping()) }) },
    ...edges.flatMap((e) => e.readiness),
  ];
  const routes = [...edges.flatMap((e) => e.routes), metricsRoute({ outboxDepth: () => getOutboxDepth(core.ctx) })];
  const server = createHttpServer({ log, routes, readiness });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => resolvePromise());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  await Promise.all(edges.map((e) => e.start()));
  let scheduler: Scheduler | undefined;
  if (options.scheduler !== false) scheduler = startScheduler(JOBS, { ctx: core.ctx, ports: core.ports });
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
  // Requests acknowledged by a process that died (here or on another host) whose lease has ended.
  void inbox.sweep();
  log.info({ port }, 'evidence bot listening');

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      log.info('shutting down');
      // Stop taking requests; in-flight ones, running jobs and the current outbox pass finish; then close.
      await closeGracefully(server);
      control?.close();
      await scheduler?.stop();
      await core.close();
      log.info('stopped');
    })();
    return closing;
  };
  return { ...core, server, port, close };
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
