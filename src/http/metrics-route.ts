// GET /metrics: Prometheus text exposition. Database-backed figures (outbox depth) are read at
// scrape time; everything else is counted as it happens (src/lib/metrics.ts). It carries no
// personal data, but restrict it to the monitoring network at the load balancer all the same.
import { renderMetrics, type ScrapeSources } from '../lib/metrics.ts';
import type { Route } from './server.ts';

export function metricsRoute(sources: ScrapeSources): Route {
  return {
    method: 'GET',
    path: '/metrics',
    async handler(_req, res) {
      const { contentType, body } = await renderMetrics(sources);
      res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    },
  };
}
