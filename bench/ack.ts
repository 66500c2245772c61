// `/evidence log` acknowledgement latency and throughput at several concurrencies, for the bot (on
// PGlite, on PostgreSQL) and for a bare Bolt app that only acknowledges (the framework's floor),
// each in a child process of its own (the fake Slack API too), driven over loopback with signed
// requests.
import { payloads, signSlackRequest, TEST_SIGNING_SECRET } from '../test/helpers/slack-harness.ts';
import { startChild, type Child } from './lib/child.ts';
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
  /** How many interleaved rounds the medians are of (max is the worst of them all). */
  rounds?: number;
  /** Each round's own figures, in the order measured (the JSON shows how much they spread). */
  perRound?: Pick<LatencyStats, 'p50Ms' | 'p99Ms' | 'maxMs' | 'throughputPerSec'>[];
}

export interface AckTarget {
  name: string;
  file: 'targets/bare-bolt.ts' | 'targets/bot.ts';
  env?: NodeJS.ProcessEnv;
}

const LEARNERS = 200;

/**
 * Requests per concurrency level (at the default scale of 0.5: 1,500, 3,000 and 3,000), so that each
 * burst is long enough to measure the request path. A Node process that has sat idle for a few
 * seconds (as each target does here while the bots store the previous burst) spends roughly its first
 * 150 ms of CPU re-optimising code and growing its young generation back (the idle process's garbage
 * collector shrinks it): in a burst of a third of a second that cost, not the request path, decided
 * the figures, and it swung the floor's own rate 2–3× between rounds. At concurrency 1 the p99 is
 * the 15th-slowest of 1,500 (of 500 it was the 5th, in a burst of 0.2 s on a fast day: a handful of
 * young-generation collections decided it). Under a second of load, the bot's deferred writes still
 * wait for the burst to end (DeferralOptions.maxDeferMs is 2 s), so the stored rate is measured
 * apart, after it.
 */
export function requestsFor(concurrency: number, scale = 1): number {
  return Math.round((concurrency >= 10 ? 6000 : 3000) * scale);
}

/** Medians over the rounds, so one disturbed run (a shared machine) does not decide a figure. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : Math.round(((sorted[mid - 1]! + sorted[mid]!) / 2) * 100) / 100;
}

/**
 * Every target runs side by side in its own process, and the measurements are interleaved: round
 * after round, each concurrency level is measured for each target in turn (the order rotating), and
 * each figure is the median of its rounds. Slow drift in the machine's load then falls on the floor
 * and the bot alike, instead of on whichever ran during it.
 */
export async function benchAck(targets: AckTarget[], options: { scale?: number; rounds?: number; log?: (line: string) => void } = {}): Promise<{ runs: AckRun[]; memory: Record<string, number | undefined> }> {
  const log = options.log ?? (() => {});
  const rounds = options.rounds ?? 3;
  const roster = benchRoster({ learners: LEARNERS });
  const memory: Record<string, number | undefined> = {};
  const api = startChild<{ url: string; origin: string }>('targets/fake-slack.ts');
  const started: { target: AckTarget; child: Child<{ port: number }>; port: number; isBot: boolean }[] = [];
  const measured = new Map<string, AckRun[]>();
  try {
    const { url: apiUrl, origin } = await api.ready;
    // Started one after another, so no start-up is measured against another's.
    for (const target of targets) {
      const child = startChild<{ port: number }>(target.file, {
        PORT: '0', SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_API_URL: apiUrl,
        BENCH_LEARNERS: String(LEARNERS), ...target.env,
      });
      started.push({ target, child, port: 0, isBot: target.file === 'targets/bot.ts' });
      started.at(-1)!.port = (await child.ready).port;
    }
    let seq = 0;
    const make = () => {
      const n = seq++;
      const user = roster.learners[n % roster.learners.length]!;
      const p = payloads.slashCommand({ user, text: `log Screened candidate ${n} for the warehouse role by phone #U7:1.1`, responseUrl: `${origin}/respond/b${n}` });
      return { path: '/slack/events', headers: { 'content-type': p.contentType, ...signSlackRequest(TEST_SIGNING_SECRET, p.body) }, body: p.body };
    };
    // Warm-up, not counted: JIT, connection pools, caches, and a burst at the highest concurrency so
    // the heap has grown to its working size (the first burst after a start pays for that once).
    for (const s of started) {
      await runLoad({ port: s.port, concurrency: 5, requests: 100, make });
      await runLoad({ port: s.port, concurrency: CONCURRENCY.at(-1)!, requests: 500, make });
      if (s.isBot) await s.child.request({ type: 'settle' });
    }
    for (let round = 0; round < rounds; round++) {
      for (const concurrency of CONCURRENCY) {
        for (let i = 0; i < started.length; i++) {
          const { target, child, port, isBot } = started[(i + round) % started.length]!;
          const cpu0 = await child.request<number>({ type: 'cpu' });
          if (isBot) await child.request({ type: 'loopDelay' });
          const t0 = process.hrtime.bigint();
          const r = await runLoad({ port, concurrency, requests: requestsFor(concurrency, options.scale), make });
          const loop = isBot ? await child.request<{ p99Ms: number; maxMs: number }>({ type: 'loopDelay' }) : undefined;
          // The bot: until every acknowledged log is stored and its messages sent.
          if (isBot) await child.request({ type: 'settle' });
          const doneSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
          const cpuMsPerRequest = Math.round(((await child.request<number>({ type: 'cpu' })) - cpu0) / r.requests * 100) / 100;
          const { samples: _s, failures, ...stats } = r;
          if (stats.errors) log(`  ${target.name} c=${concurrency} round ${round + 1}: ERRORS ${stats.errors}: ${failures.join(' | ')}`);
          const run: AckRun = {
            target: target.name, concurrency, ...stats, cpuMsPerRequest,
            ...(isBot ? { storedPerSec: Math.round((r.requests / doneSeconds) * 10) / 10 } : {}),
            ...(loop ? { loopDelayP99Ms: loop.p99Ms, loopDelayMaxMs: loop.maxMs } : {}),
          };
          const key = `${target.name} ${concurrency}`;
          measured.set(key, [...(measured.get(key) ?? []), run]);
        }
      }
      log(`  round ${round + 1} of ${rounds} measured`);
    }
  } finally {
    for (const s of started) memory[s.target.name] = (await s.child.stop()).maxRssMb;
    await api.stop();
  }
  const runs: AckRun[] = [];
  for (const target of targets) {
    for (const concurrency of CONCURRENCY) {
      const all = measured.get(`${target.name} ${concurrency}`) ?? [];
      if (!all.length) continue;
      const m = (f: (r: AckRun) => number | undefined) => {
        const v = all.map(f).filter((x): x is number => x !== undefined);
        return v.length ? median(v) : undefined;
      };
      const run: AckRun = {
        target: target.name, concurrency, requests: all[0]!.requests, errors: all.reduce((n, r) => n + r.errors, 0),
        p50Ms: m((r) => r.p50Ms)!, p99Ms: m((r) => r.p99Ms)!, maxMs: Math.max(...all.map((r) => r.maxMs)),
        throughputPerSec: m((r) => r.throughputPerSec)!, cpuMsPerRequest: m((r) => r.cpuMsPerRequest)!,
        rounds: all.length,
        perRound: all.map((r) => ({ p50Ms: r.p50Ms, p99Ms: r.p99Ms, maxMs: r.maxMs, throughputPerSec: r.throughputPerSec })),
        ...(all[0]!.storedPerSec !== undefined ? { storedPerSec: m((r) => r.storedPerSec), loopDelayP99Ms: m((r) => r.loopDelayP99Ms), loopDelayMaxMs: Math.max(...all.map((r) => r.loopDelayMaxMs ?? 0)) } : {}),
      };
      runs.push(run);
      log(`  ${target.name.padEnd(16)} c=${String(concurrency).padEnd(3)} p50 ${run.p50Ms} ms  p99 ${run.p99Ms} ms  max ${run.maxMs} ms  ${run.throughputPerSec}/s  cpu ${run.cpuMsPerRequest} ms/req${run.storedPerSec ? `  stored ${run.storedPerSec}/s  loop-delay p99 ${run.loopDelayP99Ms} max ${run.loopDelayMaxMs} ms` : ''}${run.errors ? `  ERRORS ${run.errors}` : ''}`);
    }
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
