// `npm run bench`: the figures users judge the bot by, measured in one run on this machine, each
// part in processes of its own, over loopback only, against data the run seeds and removes:
//   1. `/evidence log` acknowledgement latency and throughput at concurrency 1, 10 and 50, for the
//      bot on PGlite and on PostgreSQL, beside a bare Bolt app that only acknowledges (the floor);
//   2. the time from a slash command to the assessor's message reaching the (fake) Slack API;
//   3. the scheduled sweeps at scale (bench/jobs.ts): nudges for 1,000 … 100,000 learners, the
//      weekly digest for 5,000 learners with 50 entries each;
//   4. an export of a 500-entry portfolio; 5. start-up to ready.
// Prints a table and writes the figures as JSON to bench/results/. PostgreSQL parts run when the
// server (BENCH_DATABASE_URL, TEST_DATABASE_URL, or 127.0.0.1:5432/test) answers.
//   npm run bench                      everything (about twenty minutes on two cores)
//   npm run bench -- --quick           smaller counts, one round, no 100,000-learner sweep
//   npm run bench -- --only ack,e2e    some parts: ack, e2e, jobs, export, startup
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { startFakeSlackApi } from '../test/helpers/slack-harness.ts';
import { benchAck, type AckRun, type AckTarget } from './ack.ts';
import { benchCommandToAssessor, type EndToEndRun } from './end-to-end.ts';
import { ROOT, startChild } from './lib/child.ts';
import { ADMIN_URL, createScratchDatabase, postgresReachable } from './lib/postgres.ts';
import { freePort, startUp, type StartupRun } from './startup.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only'));
const only = onlyArg ? (onlyArg.includes('=') ? onlyArg.split('=')[1]! : args[args.indexOf(onlyArg) + 1] ?? '').split(',') : undefined;
const part = (name: string) => !only || only.includes(name);
const say = (line = '') => process.stdout.write(`${line}\n`);
const tmp = (label: string) => mkdtempSync(join(tmpdir(), `evidence-bench-${label}-`));

const TARGETS = { p50: 1.5, p99: 2, throughput: 0.6, maxMs: 3000, digestMs: 20_000, nudgeMs: 1000 };

interface Results {
  startedAt: string;
  machine: { node: string; cpus: number; cpuModel: string; memoryGb: number; loadAtStart: number[]; loadAtEnd?: number[] };
  postgres: string | null;
  ack?: { runs: (AckRun & { p50xFloor?: number; p99xFloor?: number; throughputxFloor?: number })[]; peakRssMb: Record<string, number | undefined> };
  endToEnd?: Record<string, EndToEndRun>;
  jobs?: Record<string, unknown[]>;
  export?: Record<string, unknown>;
  startup?: StartupRun[];
  targets: typeof TARGETS;
  verdicts: { check: string; value: string; target: string; met: boolean }[];
}

const results: Results = {
  startedAt: new Date().toISOString(),
  machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memoryGb: Math.round(totalmem() / 2 ** 30), loadAtStart: loadavg().map((l) => Math.round(l * 100) / 100) },
  postgres: null,
  targets: TARGETS,
  verdicts: [],
};
const verdict = (check: string, value: string, target: string, met: boolean) => results.verdicts.push({ check, value, target, met });
const pad = (v: unknown, n: number) => String(v ?? '–').padStart(n);
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

const pgUp = await postgresReachable();
results.postgres = pgUp ? ADMIN_URL.replace(/\/\/[^@/]*@/, '//***@') : null;
say(`Evidence bot benchmark · ${results.startedAt} · Node ${process.version} · ${results.machine.cpus}× ${results.machine.cpuModel} · load ${results.machine.loadAtStart.join(' ')}`);
say(`PostgreSQL: ${pgUp ? results.postgres : 'not reachable, its parts are skipped'}${quick ? ' · --quick' : ''}`);

// 1. Acknowledgements ------------------------------------------------------------------------
if (part('ack')) {
  say();
  say('1. `/evidence log` acknowledgement, loopback, signed (floor: bare Bolt, HTTPReceiver, same signing, a handler that only acks)');
  const dirs = [tmp('ack'), tmp('ack-pg')];
  const scratch = pgUp ? await createScratchDatabase('ack') : undefined;
  try {
    const targets: AckTarget[] = [
      { name: 'bare-bolt', file: 'targets/bare-bolt.ts' },
      { name: 'bot-pglite', file: 'targets/bot.ts', env: { DATA_DIR: dirs[0]! } },
      ...(scratch ? [{ name: 'bot-postgres', file: 'targets/bot.ts' as const, env: { DATABASE_URL: scratch.url, DATA_DIR: dirs[1]! } }] : []),
    ];
    const r = await benchAck(targets, { scale: quick ? 0.25 : 0.5, rounds: quick ? 1 : 3, log: say });
    const floor = new Map(r.runs.filter((x) => x.target === 'bare-bolt').map((x) => [x.concurrency, x]));
    type Scored = AckRun & { p50xFloor?: number; p99xFloor?: number; throughputxFloor?: number };
    const runs = r.runs.map((x): Scored => {
      const f = floor.get(x.concurrency)!;
      return x.target === 'bare-bolt' ? x : { ...x, p50xFloor: ratio(x.p50Ms, f.p50Ms), p99xFloor: ratio(x.p99Ms, f.p99Ms), throughputxFloor: ratio(x.throughputPerSec, f.throughputPerSec) };
    });
    results.ack = { runs, peakRssMb: r.memory };
    say();
    say(`${'target'.padEnd(13)}${pad('conc', 5)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('max ms', 9)}${pad('acks/s', 9)}${pad('p50×', 7)}${pad('p99×', 7)}${pad('thr×', 7)}${pad('stored/s', 10)}${pad('cpu ms/req', 12)}${pad('peak MB', 9)}`);
    for (const x of runs) {
      const m = (v: number | undefined, ok: boolean) => (v === undefined ? '' : `${v}${ok ? '' : '!'}`);
      say(`${x.target.padEnd(13)}${pad(x.concurrency, 5)}${pad(x.p50Ms, 9)}${pad(x.p99Ms, 9)}${pad(x.maxMs, 9)}${pad(x.throughputPerSec, 9)}`
        + `${pad(m(x.p50xFloor, (x.p50xFloor ?? 0) <= TARGETS.p50), 7)}${pad(m(x.p99xFloor, (x.p99xFloor ?? 0) <= TARGETS.p99), 7)}${pad(m(x.throughputxFloor, (x.throughputxFloor ?? 1) >= TARGETS.throughput), 7)}`
        + `${pad(x.storedPerSec ?? '', 10)}${pad(x.cpuMsPerRequest, 12)}${pad(r.memory[x.target], 9)}`);
      if (x.target !== 'bare-bolt') {
        verdict(`${x.target} c=${x.concurrency} p50`, `${x.p50xFloor}× (${x.p50Ms} ms)`, `≤ ${TARGETS.p50}×`, x.p50xFloor! <= TARGETS.p50);
        verdict(`${x.target} c=${x.concurrency} p99`, `${x.p99xFloor}× (${x.p99Ms} ms)`, `≤ ${TARGETS.p99}×`, x.p99xFloor! <= TARGETS.p99);
        verdict(`${x.target} c=${x.concurrency} throughput`, `${x.throughputxFloor}× (${x.throughputPerSec}/s)`, `≥ ${TARGETS.throughput}×`, x.throughputxFloor! >= TARGETS.throughput);
        verdict(`${x.target} c=${x.concurrency} max`, `${x.maxMs} ms`, `< ${TARGETS.maxMs} ms`, x.maxMs < TARGETS.maxMs);
      }
      if (x.errors) verdict(`${x.target} c=${x.concurrency} errors`, String(x.errors), '0', false);
    }
    say(`(! = target missed: p50 ≤ ${TARGETS.p50}×, p99 ≤ ${TARGETS.p99}×, throughput ≥ ${TARGETS.throughput}× the floor; stored/s = logs stored per second until the last acknowledged one was stored)`);
  } finally {
    await scratch?.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

// 2. Slash command → assessor's message -------------------------------------------------------
if (part('e2e')) {
  say();
  say('2. From `/evidence log` to the assessor\'s message at the Slack API (one at a time, idle bot)');
  results.endToEnd = {};
  const backends: [string, () => Promise<{ env: NodeJS.ProcessEnv; done(): Promise<void> }>][] = [
    ['pglite', async () => { const d = tmp('e2e'); return { env: { DATA_DIR: d }, done: async () => rmSync(d, { recursive: true, force: true }) }; }],
    ...(pgUp ? [['postgresql', async () => { const s = await createScratchDatabase('e2e'); const d = tmp('e2e-pg'); return { env: { DATABASE_URL: s.url, DATA_DIR: d }, done: async () => { await s.drop(); rmSync(d, { recursive: true, force: true }); } }; }] as [string, () => Promise<{ env: NodeJS.ProcessEnv; done(): Promise<void> }>]] : []),
  ];
  say(`${'backend'.padEnd(12)}${pad('ack p50', 9)}${pad('msg p50', 9)}${pad('msg p99', 9)}${pad('msg max', 9)}${pad('peak MB', 9)}`);
  for (const [name, make] of backends) {
    const b = await make();
    try {
      const r = await benchCommandToAssessor(b.env, quick ? 20 : 40);
      results.endToEnd[name] = r;
      say(`${name.padEnd(12)}${pad(r.ackP50Ms, 9)}${pad(r.assessorP50Ms, 9)}${pad(r.assessorP99Ms, 9)}${pad(r.assessorMaxMs, 9)}${pad(r.peakRssMb, 9)}`);
    } finally {
      await b.done();
    }
  }
  say('(ms; msg = the assessor\'s thread root arriving at chat.postMessage)');
}

// 3. Scheduled sweeps at scale (the schedules' own bench/jobs.ts, a process per part) ---------
/** Runs bench/jobs.ts with `jobArgs`; its JSON lines, and the process's peak memory. */
async function jobsBench(jobArgs: string[], env: NodeJS.ProcessEnv): Promise<{ lines: Record<string, unknown>[]; peakRssMb?: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './bench/lib/report-peak.ts', 'bench/jobs.ts', ...jobArgs], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`bench/jobs.ts ${jobArgs.join(' ')} failed (${code}): ${err.slice(-2000)}`);
  const parse = (text: string) => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { lines: parse(out), peakRssMb: parse(err).find((l) => 'peakRssMb' in l)?.peakRssMb as number | undefined };
}

if (part('jobs')) {
  say();
  say('3. Scheduled sweeps at scale (bench/jobs.ts; ms)');
  results.jobs = {};
  const backends: [string, NodeJS.ProcessEnv][] = [['pglite', {}], ...(pgUp ? [['postgresql', { BENCH_DATABASE_URL: ADMIN_URL }] as [string, NodeJS.ProcessEnv]] : [])];
  const sizes = quick ? [1_000, 5_000, 20_000] : [1_000, 5_000, 20_000, 100_000];
  for (const [backend, env] of backends) {
    const rows: unknown[] = [];
    results.jobs[backend] = rows;
    say(`${backend}: nudge sweep at a quarter-hour tick (check-ins spread over the week) / everyone due at once`);
    say(`${pad('learners', 10)}${pad('due', 7)}${pad('sweep', 8)}${pad('idle', 7)}${pad('peak MB', 9)}   ${'all due: sweep / nudged'}`);
    for (const n of sizes) {
      // Everyone due at once only up to 20,000 (it writes a nudge for half of them).
      const allDue = !quick && n <= 20_000;
      const r = await jobsBench([String(n), '--no-digest', ...(allDue ? [] : ['--no-all-due'])], env);
      const tick = r.lines.find((l) => l.scenario === 'quarter-hour tick')!;
      const all = r.lines.find((l) => l.scenario === 'all due at once');
      rows.push(...r.lines.map((l) => ({ ...l, peakRssMb: r.peakRssMb })));
      say(`${pad(n, 10)}${pad(tick.due, 7)}${pad(tick.sweepMs, 8)}${pad(tick.idleSweepMs, 7)}${pad(r.peakRssMb, 9)}   ${all ? `${all.sweepMs} / ${all.nudged}` : ''}`);
      verdict(`${backend} nudge sweep, ${n} learners`, `${tick.sweepMs} ms`, `< ${TARGETS.nudgeMs} ms`, Number(tick.sweepMs) < TARGETS.nudgeMs);
    }
    const d = await jobsBench(['--no-nudges', '--no-all-due'], env);
    const digest = d.lines.find((l) => 'digestMs' in l)!;
    rows.push({ ...digest, peakRssMb: d.peakRssMb });
    say(`digest, ${digest.learners} learners × ${digest.entriesPerLearner} entries (${digest.entryRows} entries, ${digest.managers} managers): ${digest.digestMs} ms, ${digest.messages} messages; a second run ${digest.secondRunMs} ms, ${digest.secondRunSent} sent; peak ${d.peakRssMb} MB`);
    verdict(`${backend} digest, 5,000 learners × 50 entries`, `${digest.digestMs} ms`, `< ${TARGETS.digestMs} ms`, Number(digest.digestMs) < TARGETS.digestMs);
  }
}

// 4. Export ----------------------------------------------------------------------------------
if (part('export')) {
  say();
  say('4. Export of a 500-entry portfolio (ms)');
  results.export = {};
  say(`${'backend'.padEnd(12)}${pad('html 1st', 10)}${pad('html', 7)}${pad('csv 1st', 9)}${pad('csv', 7)}${pad('html KB', 9)}${pad('peak MB', 9)}`);
  const backends: [string, () => Promise<{ env: NodeJS.ProcessEnv; done(): Promise<void> }>][] = [
    ['pglite', async () => ({ env: {}, done: async () => {} })],
    ...(pgUp ? [['postgresql', async () => { const s = await createScratchDatabase('export'); return { env: { DATABASE_URL: s.url }, done: () => s.drop() }; }] as [string, () => Promise<{ env: NodeJS.ProcessEnv; done(): Promise<void> }>]] : []),
  ];
  for (const [name, make] of backends) {
    const b = await make();
    try {
      const child = startChild<{ html: { firstMs: number; warmMs: number; kb: number }; csv: { firstMs: number; warmMs: number }; peakRssMb: number }>('targets/export.ts', b.env, 300_000);
      const r = await child.ready;
      await child.stop();
      results.export[name] = r;
      say(`${name.padEnd(12)}${pad(r.html.firstMs, 10)}${pad(r.html.warmMs, 7)}${pad(r.csv.firstMs, 9)}${pad(r.csv.warmMs, 7)}${pad(r.html.kb, 9)}${pad(r.peakRssMb, 9)}`);
    } finally {
      await b.done();
    }
  }
}

// 5. Start-up to ready -----------------------------------------------------------------------
if (part('startup')) {
  say();
  say('5. Start-up to ready: `node --import tsx src/main.ts` until GET /readyz is 200 (database migrated, Slack token verified)');
  const api = await startFakeSlackApi();
  const slack = { SLACK_SIGNING_SECRET: 'bench-secret', SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_API_URL: api.url };
  const runs: StartupRun[] = [];
  const dir = tmp('startup');
  const scratch = pgUp ? await createScratchDatabase('startup') : undefined;
  try {
    runs.push(await startUp('pglite, new data directory (creates and migrates it)', { ...slack, DATA_DIR: dir }, await freePort()));
    runs.push(await startUp('pglite, existing data directory', { ...slack, DATA_DIR: dir }, await freePort()));
    if (scratch) {
      const d2 = tmp('startup-pg');
      runs.push(await startUp('postgresql, empty database (migrates it)', { ...slack, DATABASE_URL: scratch.url, DATA_DIR: d2 }, await freePort()));
      runs.push(await startUp('postgresql, migrated database', { ...slack, DATABASE_URL: scratch.url, DATA_DIR: d2 }, await freePort()));
      rmSync(d2, { recursive: true, force: true });
    }
  } finally {
    await api.close();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
  results.startup = runs;
  for (const r of runs) say(`${r.label.padEnd(55)}${pad(r.readyMs, 7)} ms${pad(r.peakRssMb, 7)} MB`);
}

// Summary ------------------------------------------------------------------------------------
results.machine.loadAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
say();
const missed = results.verdicts.filter((v) => !v.met);
say(`Targets: ${results.verdicts.length - missed.length} of ${results.verdicts.length} met${missed.length ? '; missed:' : ''}`);
for (const v of missed) say(`  ✗ ${v.check}: ${v.value} (target ${v.target})`);
say(`Load average at the end: ${results.machine.loadAtEnd.join(' ')} (figures from a busy machine drift; the ratios are taken within one run)`);
const dirOut = join(ROOT, 'bench', 'results');
mkdirSync(dirOut, { recursive: true });
const file = join(dirOut, `bench-${results.startedAt.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(dirOut, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
say(`Figures: ${file}`);
