// `/evidence log` acknowledgement latency and throughput at several concurrencies, for the bot (on
// PGlite, on PostgreSQL) and for a bare Bolt app that only acknowledges (the framework's floor),
// each in a child process of its own, driven over loopback with signed requests.
import { payloads, signSlackRequest, startFakeSlackApi, TEST_SIGNING_SECRET, type FakeSlackApi } from '../test/helpers/slack-harness.ts';
import { startChild } from './lib/child.ts';
import { benchRoster } from './lib/roster.ts';
import { runLoad, type LatencyStats } from './lib/stats.ts';

export const CONCURRENCY = [1, 10, 50];

export interface AckRun extends LatencyStats {
  target: string;
  concurrency: number;
  /** The target process's CPU time per request (includes work it does after the ack). */
  cpuMsPerRequest: number;
  /** The bot: logs stored per second, from the first request until the last one is stored. */
  storedPerSec?: number;
  /** The bot: the longest the event loop was held during the run (what an ack may wait behind). */
  loopDelayP99Ms?: number;
  loopDelayMaxMs?: number;
}

export interface AckTarget {
  name: string;
  file: 'targets/bare-bolt.ts' | 'targets/bot.ts';
  env?: NodeJS.ProcessEnv;
}

const LEARNERS = 200;

/** Requests per concurrency level: enough for a stable p99, bounded in time. */
export function requestsFor(concurrency: number, scale = 1): number {
  return Math.round((concurrency === 1 ? 300 : concurrency === 10 ? 1000 : 2000) * scale);
}

export async function benchAck(targets: AckTarget[], options: { scale?: number; log?: (line: string) => void } = {}): Promise<{ runs: AckRun[]; memory: Record<string, number | undefined> }> {
  const log = options.log ?? (() => {});
  const api: FakeSlackApi = await startFakeSlackApi();
  const roster = benchRoster({ learners: LEARNERS });
  const runs: AckRun[] = [];
  const memory: Record<string, number | undefined> = {};
  try {
    for (const target of targets) {
      const child = startChild<{ port: number }>(target.file, {
        PORT: '0', SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_API_URL: api.url,
        BENCH_LEARNERS: String(LEARNERS), ...target.env,
      });
      try {
        const { port } = await child.ready;
        const isBot = target.file === 'targets/bot.ts';
        let seq = 0;
        const make = () => {
          const n = seq++;
          const user = roster.learners[n % roster.learners.length]!;
          const p = payloads.slashCommand({ user, text: `log Screened candidate ${n} for the warehouse role by phone #U7:1.1`, responseUrl: api.responseUrl() });
          return { path: '/slack/events', headers: { 'content-type': p.contentType, ...signSlackRequest(TEST_SIGNING_SECRET, p.body) }, body: p.body };
        };
        // Warm-up (JIT, connection pools, caches), not counted.
        await runLoad({ port, concurrency: 5, requests: 100, make });
        if (isBot) await child.request({ type: 'settle' });
        for (const concurrency of CONCURRENCY) {
          const cpu0 = await child.request<number>({ type: 'cpu' });
          if (isBot) await child.request({ type: 'loopDelay' });
          const t0 = process.hrtime.bigint();
          const r = await runLoad({ port, concurrency, requests: requestsFor(concurrency, options.scale), make });
          const loop = isBot ? await child.request<{ p99Ms: number; maxMs: number }>({ type: 'loopDelay' }) : undefined;
          // The bot: until every acknowledged log is stored (its work may finish after the acks).
          if (isBot) await child.request({ type: 'settle' });
          const doneSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
          const cpuMsPerRequest = Math.round(((await child.request<number>({ type: 'cpu' })) - cpu0) / r.requests * 100) / 100;
          const donePerSec = isBot ? Math.round((r.requests / doneSeconds) * 10) / 10 : undefined;
          const { samples: _s, failures, ...stats } = r;
          runs.push({ target: target.name, concurrency, ...stats, cpuMsPerRequest, ...(donePerSec ? { storedPerSec: donePerSec } : {}), ...(loop ? { loopDelayP99Ms: loop.p99Ms, loopDelayMaxMs: loop.maxMs } : {}) });
          log(`  ${target.name.padEnd(16)} c=${String(concurrency).padEnd(3)} p50 ${stats.p50Ms} ms  p99 ${stats.p99Ms} ms  max ${stats.maxMs} ms  ${stats.throughputPerSec}/s  cpu ${cpuMsPerRequest} ms/req${donePerSec ? `  stored ${donePerSec}/s` : ''}${loop ? `  loop-delay p99 ${loop.p99Ms} max ${loop.maxMs} ms` : ''}${stats.errors ? `  ERRORS ${stats.errors}: ${failures.join(' | ')}` : ''}`);
        }
      } finally {
        memory[target.name] = (await child.stop()).maxRssMb;
        api.reset();
      }
    }
  } finally {
    await api.close();
  }
  return { runs, memory };
}

// Run on its own: npx tsx bench/ack.ts [bare] [pglite] [postgres]
if (import.meta.url === `file://${process.argv[1]}`) {
  const want = process.argv.slice(2);
  const { createScratchDatabase } = await import('./lib/postgres.ts');
  const scratch = !want.length || want.includes('postgres') ? await createScratchDatabase('ack') : undefined;
  const all: AckTarget[] = [
    { name: 'bare-bolt', file: 'targets/bare-bolt.ts' },
    { name: 'bot-pglite', file: 'targets/bot.ts', env: { DATA_DIR: `/tmp/evidence-bench-ack-${process.pid}` } },
    ...(scratch ? [{ name: 'bot-postgres', file: 'targets/bot.ts' as const, env: { DATABASE_URL: scratch.url, DATA_DIR: `/tmp/evidence-bench-ack-pg-${process.pid}` } }] : []),
  ];
  try {
    const r = await benchAck(all.filter((t) => !want.length || want.some((w) => t.name.includes(w))), { log: (l) => process.stdout.write(`${l}\n`), scale: Number(process.env.BENCH_SCALE ?? 0.5) });
    process.stdout.write(`peak MB: ${JSON.stringify(r.memory)}\n`);
  } finally {
    await scratch?.drop();
    const { rmSync } = await import('node:fs');
    rmSync(`/tmp/evidence-bench-ack-${process.pid}`, { recursive: true, force: true });
    rmSync(`/tmp/evidence-bench-ack-pg-${process.pid}`, { recursive: true, force: true });
  }
}
