// The bot as `npm start` runs it (startApp: HTTP server, Bolt, database, outbox, scheduler off so
// the figures are the request path's), with a generated roster imported. Environment from the parent.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startApp } from '../../src/main.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { maxRssMb, serveParent } from '../lib/child.ts';
import { benchRoster } from '../lib/roster.ts';

const started = process.hrtime.bigint();
const app = await startApp({ scheduler: false, logger: createLogger(process.env.LOG_LEVEL ?? 'warn') });
const startMs = Number(process.hrtime.bigint() - started) / 1e6;
const learners = Number(process.env.BENCH_LEARNERS ?? 100);
await app.services.importRoster({ csv: benchRoster({ learners }).csv });
process.send?.({ type: 'ready', port: app.port, startMs, maxRssMb: maxRssMb() });
// How long the event loop was held at a time: what an acknowledgement may have to wait for.
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
serveParent(
  {
    loopDelay: async () => {
      const r = { p99Ms: Math.round(loop.percentile(99) / 1e5) / 10, maxMs: Math.round(loop.max / 1e5) / 10 };
      loop.reset();
      return r;
    },
    // Waits until every acknowledged command is done and the outbox has nothing left to send now.
    settle: async () => {
      await app.inbox.drain();
      app.outbox.kick();
      await app.outbox.drain();
      return true;
    },
    counts: async () => ({
      entries: await app.ctx.db.entry.count(),
      outboxPending: await app.ctx.db.outboxMessage.count({ where: { status: 'pending' } }),
      outboxSent: await app.ctx.db.outboxMessage.count({ where: { status: 'sent' } }),
    }),
  },
  () => app.close(),
);
