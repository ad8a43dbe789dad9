// The worker process: `npm run start:worker`. SIGINT/SIGTERM start a graceful
// shutdown (the SDK stops polling and lets running activities finish), then
// the clients are closed.
//
// Logs: one JSON line each on stdout (workers/logging.ts), including Core's
// native logs, which are forwarded to the same logger. Metrics: the SDK's Core
// runtime serves Prometheus text at http://WORKER_METRICS_ADDRESS/metrics
// (worker, poller, task and request metrics, names prefixed `temporal_`).
import { Runtime } from '@temporalio/worker';
import { loadConfig, redactedConfig } from '../config';
import { createWorker } from './createWorker';
import { announce, createJsonLogger, sdkLogLevel } from './logging';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createJsonLogger(config.logLevel);
  Runtime.install({
    logger,
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    telemetryOptions: {
      logging: { filter: { core: sdkLogLevel(config.logLevel) ?? 'ERROR', other: 'ERROR' }, forward: {} },
      metrics: {
        prometheus: {
          bindAddress: config.worker.metricsAddress,
          // Prometheus conventions: durations in seconds with a unit suffix, counters ending in _total.
          useSecondsForDurations: true,
          unitSuffix: true,
          countersTotalSuffix: true,
        },
      },
    },
  });
  const { worker, closeDeps } = await createWorker(config);
  announce(config.logLevel, 'worker started', { config: redactedConfig(config) });
  await worker.run();
  await closeDeps();
  announce(config.logLevel, 'worker stopped');
}

main().catch((err: unknown) => {
  console.error(JSON.stringify({ level: 'error', time: Date.now(), pid: process.pid, msg: 'worker failed', err: err instanceof Error ? err.message : String(err) }));
  process.exit(1);
});
