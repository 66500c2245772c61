// Latency statistics and a closed-loop load generator for the benchmarks. Loopback only, bounded in
// request count; each worker sends its next request when the previous one is answered.
import http from 'node:http';

export interface LatencyStats {
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  throughputPerSec: number;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export interface Request {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadOptions {
  port: number;
  concurrency: number;
  requests: number;
  /** Builds request number i (fresh signature, trigger ID…). */
  make(i: number): Request;
  /** A response counts as an error unless this says it is fine (default: status 200). */
  ok?(status: number, body: string): boolean;
}

/**
 * Sends `requests` requests with `concurrency` in flight at a time; latency is measured per request.
 * Each client's connection is opened before the clock starts (a `GET /healthz` on each), as a load
 * balancer's or Slack's kept-alive connections would be: a saturated Node server serves the
 * connections it has before it reads from brand-new ones, so opening 50 at once under load measured
 * connection set-up rather than the request path (the bare Bolt app showed it too, in some runs).
 */
export async function runLoad(o: LoadOptions): Promise<LatencyStats & { samples: number[]; failures: string[] }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency });
  await Promise.all(Array.from({ length: o.concurrency }, () => new Promise<void>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: o.port, path: '/healthz', agent }, (res) => res.resume().on('end', resolve)).on('error', reject);
  })));
  const samples: number[] = [];
  const failures: string[] = [];
  let next = 0;
  let errors = 0;
  const one = (req: Request) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const r = http.request(
        { host: '127.0.0.1', port: o.port, path: req.path, method: 'POST', agent, headers: { ...req.headers, 'content-length': Buffer.byteLength(req.body) } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      r.on('error', reject);
      r.end(req.body);
    });
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= o.requests) return;
        const req = o.make(i);
        const t0 = process.hrtime.bigint();
        try {
          const res = await one(req);
          const ms = Number(process.hrtime.bigint() - t0) / 1e6;
          samples.push(ms);
          if (!(o.ok ? o.ok(res.status, res.body) : res.status === 200)) {
            errors++;
            if (failures.length < 5) failures.push(`${res.status} ${res.body.slice(0, 200)}`);
          }
        } catch (err) {
          errors++;
          if (failures.length < 5) failures.push(String(err));
        }
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    requests: o.requests, errors,
    p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)), maxMs: round(sorted.at(-1) ?? NaN),
    throughputPerSec: round(o.requests / seconds, 1),
    samples, failures,
  };
}
