// The API process: `npm run start:api`. Closes the server and every client on
// SIGINT/SIGTERM, letting in-flight requests finish.
import { loadConfig, redactedConfig } from '../config';
import { buildApp } from './app';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await buildApp(config);
  app.log.info({ config: redactedConfig(config) }, 'starting');
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (closing) return;
      closing = true;
      app.log.info({ signal }, 'shutting down');
      const force = setTimeout(() => process.exit(1), 10_000);
      force.unref();
      app.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
  await app.listen({ host: config.api.host, port: config.api.port });
}

main().catch((err: unknown) => {
  console.error(JSON.stringify({ level: 'fatal', msg: 'api failed to start', err: err instanceof Error ? err.message : String(err) }));
  process.exit(1);
});
