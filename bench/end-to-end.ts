// From a slash command to the assessor's message: `/evidence log …` is sent (signed) to the bot,
// which acknowledges, stores the entry and posts the assessor's thread root through the outbox to
// the fake Slack Web API on loopback; the time is taken when that post arrives there. One learner
// at a time on an otherwise idle bot, so the figure is the path's own, not a queue's.
import { payloads, signSlackRequest, startFakeSlackApi, TEST_SIGNING_SECRET, type ApiCall } from '../test/helpers/slack-harness.ts';
import { startChild } from './lib/child.ts';
import { benchRoster } from './lib/roster.ts';
import { percentile, round } from './lib/stats.ts';

export interface EndToEndRun {
  commands: number;
  ackP50Ms: number;
  assessorP50Ms: number;
  assessorP99Ms: number;
  assessorMaxMs: number;
  peakRssMb?: number;
}

export async function benchCommandToAssessor(env: NodeJS.ProcessEnv, commands = 40): Promise<EndToEndRun> {
  const waiting = new Map<string, (at: bigint) => void>();
  const onCall = (call: ApiCall) => {
    if (call.method !== 'chat.postMessage') return;
    const text = JSON.stringify(call.body);
    for (const [marker, resolve] of waiting) {
      if (text.includes(marker)) {
        waiting.delete(marker);
        resolve(process.hrtime.bigint());
      }
    }
  };
  const api = await startFakeSlackApi({ onCall });
  const roster = benchRoster({ learners: 20 });
  const child = startChild<{ port: number }>('targets/bot.ts', {
    PORT: '0', SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_API_URL: api.url, BENCH_LEARNERS: '20', ...env,
  });
  try {
    const { port } = await child.ready;
    const acks: number[] = [];
    const arrivals: number[] = [];
    for (let i = 0; i < commands + 5; i++) {
      const marker = `e2e-marker-${i}-${Math.random().toString(36).slice(2, 8)}`;
      const arrived = new Promise<bigint>((resolve, reject) => {
        waiting.set(marker, resolve);
        setTimeout(() => reject(new Error(`the assessor's message for command ${i} did not arrive within 30 s`)), 30_000).unref();
      });
      const p = payloads.slashCommand({ user: roster.learners[i % roster.learners.length]!, text: `log Phoned a candidate about an interview ${marker} #U7:1.1`, responseUrl: api.responseUrl() });
      const t0 = process.hrtime.bigint();
      const res = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', headers: { 'content-type': p.contentType, ...signSlackRequest(TEST_SIGNING_SECRET, p.body) }, body: p.body });
      const acked = process.hrtime.bigint();
      if (res.status !== 200) throw new Error(`command ${i} answered ${res.status}`);
      await res.arrayBuffer();
      const at = await arrived;
      if (i >= 5) {
        // The first few warm the process up (JIT, query plans, the DM channel); not counted.
        acks.push(Number(acked - t0) / 1e6);
        arrivals.push(Number(at - t0) / 1e6);
      }
    }
    acks.sort((a, b) => a - b);
    arrivals.sort((a, b) => a - b);
    const stopped = await child.stop();
    return {
      commands, ackP50Ms: round(percentile(acks, 50)),
      assessorP50Ms: round(percentile(arrivals, 50)), assessorP99Ms: round(percentile(arrivals, 99)), assessorMaxMs: round(arrivals.at(-1)!),
      peakRssMb: stopped.maxRssMb,
    };
  } finally {
    if (child.proc.exitCode === null) await child.stop();
    await api.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await benchCommandToAssessor({ DATA_DIR: `/tmp/evidence-bench-e2e-${process.pid}` }, 20))}\n`);
}
