// The worker process: `npm run start:worker`. SIGINT/SIGTERM start a graceful
// shutdown (the SDK stops polling and lets running activities finish), then
// the clients are closed.
import { Runtime } from '@temporalio/worker';
import { loadConfig, redactedConfig } from '../config';
import { createWorker } from './createWorker';

async function main(): Promise<void> {
  const config = loadConfig();
  Runtime.install({ shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const { worker, closeDeps } = await createWorker(config);
  console.log(JSON.stringify({ msg: 'worker started', config: redactedConfig(config) }));
  await worker.run();
  await closeDeps();
  console.log(JSON.stringify({ msg: 'worker stopped' }));
}

main().catch((err: unknown) => {
  console.error(JSON.stringify({ msg: 'worker failed', err: err instanceof Error ? err.message : String(err) }));
  process.exit(1);
});
