// The process layout of `npm run cluster`, as data (no I/O): which port each API process and
// each worker's metrics endpoint get, and the Prometheus scrape config that covers them and
// the Temporal server's own metrics.
import { stringify } from 'yaml';

import type { ServerPorts } from '../temporal/serverConfig';

export interface ClusterTopology {
  /** The one port clients use (the balancer). */
  apiPort: number;
  /** One port per API process, behind the balancer. */
  apiPorts: number[];
  /** One Prometheus endpoint per worker process. */
  workerMetricsPorts: number[];
}

export const DEFAULT_WORKERS = 2;
export const DEFAULT_APIS = 2;

export function clusterTopology(opts: { workers: number; apis: number; apiPort: number; workerMetricsPort: number }): ClusterTopology {
  for (const [name, n] of [
    ['workers', opts.workers],
    ['API processes', opts.apis],
  ] as const) {
    if (!Number.isInteger(n) || n < 1 || n > 16) throw new Error(`the number of ${name} must be 1–16, got ${n}`);
  }
  return {
    apiPort: opts.apiPort,
    apiPorts: Array.from({ length: opts.apis }, (_, i) => opts.apiPort + 1 + i),
    workerMetricsPorts: Array.from({ length: opts.workers }, (_, i) => opts.workerMetricsPort + i),
  };
}

/**
 * Prometheus config scraping the whole topology: the Temporal server, every worker and every
 * API process (each on its own port, so no process hides another). /metrics of the API needs
 * METRICS_TOKEN (or an admin JWT): give it as the bearer credentials.
 */
export function prometheusConfig(topology: ClusterTopology, server: ServerPorts, metricsToken: string | null): string {
  const api: Record<string, unknown> = {
    job_name: 'railbook-api',
    metrics_path: '/metrics',
    static_configs: [{ targets: topology.apiPorts.map((p) => `127.0.0.1:${p}`) }],
  };
  if (metricsToken) api.authorization = { type: 'Bearer', credentials: metricsToken };
  return stringify({
    global: { scrape_interval: '15s' },
    scrape_configs: [
      { job_name: 'temporal-server', static_configs: [{ targets: [`127.0.0.1:${server.metrics}`] }] },
      { job_name: 'railbook-worker', static_configs: [{ targets: topology.workerMetricsPorts.map((p) => `127.0.0.1:${p}`) }] },
      api,
    ],
  });
}
