// Prometheus metrics for GET /metrics: a small, platform-neutral API that the HTTP server, the
// chat adapters, the outbox and the jobs call. One registry per process (the default Node.js
// process metrics included); labels are fixed, short vocabularies, never IDs or user text.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();
// The process's own figures (CPU, memory, event loop), beside the bot's counters.
collectDefaultMetrics({ register: registry });

/** Seconds; fine at the bottom, where Slack's 3 s acknowledgement budget lives. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10];
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300];

const httpDuration = new Histogram({
  name: 'evidence_http_request_duration_seconds',
  help: 'HTTP requests by route, method and status class, from first byte in to response sent',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

const chatDuration = new Histogram({
  name: 'evidence_chat_request_duration_seconds',
  help: 'Chat requests by platform and kind (command, action, view_submission, options, event, message), handler start to finish',
  labelNames: ['platform', 'kind', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

const outboxDeliveries = new Counter({
  name: 'evidence_outbox_deliveries_total',
  help: 'Outbox delivery attempts by outcome (sent, retried, dead, deferred)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

const outboxFailures = new Counter({
  name: 'evidence_outbox_failures_total',
  help: 'Outbox delivery attempts that failed: retried later, or given up on (dead)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

const jobDuration = new Histogram({
  name: 'evidence_job_duration_seconds',
  help: 'Scheduled job runs by job and outcome (ok, failed)',
  labelNames: ['job', 'outcome'] as const,
  buckets: JOB_BUCKETS,
  registers: [registry],
});

const jobRuns = new Counter({
  name: 'evidence_job_runs_total',
  help: 'Scheduled job runs by job and outcome (ok, failed)',
  labelNames: ['job', 'outcome'] as const,
  registers: [registry],
});

const outboxDepth = new Gauge({
  name: 'evidence_outbox_messages',
  help: 'Outbox messages due and unsent (pending), held for later (scheduled), given up on (dead); read from the database at scrape time',
  labelNames: ['status'] as const,
  registers: [registry],
});

const outboxOldest = new Gauge({
  name: 'evidence_outbox_oldest_pending_seconds',
  help: 'How long the oldest due, unsent outbox message has waited past its due time',
  registers: [registry],
});

const scrapeErrors = new Counter({
  name: 'evidence_metrics_scrape_errors_total',
  help: 'Scrapes where a database-backed figure could not be read',
  registers: [registry],
});

export type ChatRequestKind = 'command' | 'action' | 'view_submission' | 'view_closed' | 'options' | 'event' | 'shortcut' | 'message' | 'invoke' | 'other';
export type RequestOutcome = 'ok' | 'refused' | 'error';

/** One chat request handled (adapters call this; `seconds` from receipt to the handler's end). */
export function observeRequest(platform: 'slack' | 'teams', kind: ChatRequestKind, seconds: number, outcome: RequestOutcome = 'ok'): void {
  chatDuration.observe({ platform, kind, outcome }, seconds);
}

/** Starts a timer; call the result with the outcome when the request is done. */
export function startRequestTimer(platform: 'slack' | 'teams', kind: ChatRequestKind): (outcome?: RequestOutcome) => void {
  const started = process.hrtime.bigint();
  return (outcome = 'ok') => observeRequest(platform, kind, Number(process.hrtime.bigint() - started) / 1e9, outcome);
}

/** One HTTP request answered. `route` is the mounted path or "unmatched" (keeps cardinality fixed). */
export function observeHttp(method: string, route: string, status: number, seconds: number): void {
  httpDuration.observe({ method, route, status: `${Math.floor(status / 100)}xx` }, seconds);
}

/** One outbox message's delivery attempt, as deliverOutbox reports it. */
export function observeOutboxDelivery(outcome: 'sent' | 'retried' | 'dead' | 'deferred'): void {
  outboxDeliveries.inc({ outcome });
  if (outcome === 'retried' || outcome === 'dead') outboxFailures.inc({ outcome });
}

/** Runs a job body, recording its run and duration whether it succeeds or throws. */
export async function measureJob<T>(job: string, run: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  let outcome = 'failed';
  try {
    const result = await run();
    outcome = 'ok';
    return result;
  } finally {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    jobRuns.inc({ job, outcome });
    jobDuration.observe({ job, outcome }, seconds);
  }
}

export interface ScrapeSources {
  /** Outbox depth by status; read at every scrape (a couple of indexed counts). */
  outboxDepth?: () => Promise<{ pending: number; scheduled: number; dead: number; oldestPendingSeconds: number }>;
}

/** The exposition text for one scrape, with the database-backed gauges refreshed first. */
export async function renderMetrics(sources: ScrapeSources = {}): Promise<{ contentType: string; body: string }> {
  if (sources.outboxDepth) {
    try {
      const d = await sources.outboxDepth();
      outboxDepth.set({ status: 'pending' }, d.pending);
      outboxDepth.set({ status: 'scheduled' }, d.scheduled);
      outboxDepth.set({ status: 'dead' }, d.dead);
      outboxOldest.set(d.oldestPendingSeconds);
    } catch {
      // The database is down: the scrape still answers (process metrics, counters); the depth
      // series go away rather than repeat a stale figure, and the error is counted.
      outboxDepth.reset();
      outboxOldest.reset();
      scrapeErrors.inc();
    }
  }
  return { contentType: registry.contentType, body: await registry.metrics() };
}
