// Usage: tsx temporal/cli.ts start|stop|ensure-cli   (npm run temporal:start / temporal:stop / temporal:ensure-cli)
//
//   start       start (or reuse) the local Temporal dev server, detached, persisted in .temporal/data/
//   stop        stop the dev server started by `start` (via its pid file)
//   ensure-cli  find or build the Temporal CLI and print its path on stdout
//
// Env: TEMPORAL_ADDRESS (127.0.0.1:7233), TEMPORAL_UI_PORT (8233), TEMPORAL_NAMESPACE (railbook),
//      TEMPORAL_CLI_PATH, TEMPORAL_CLI_CACHE_DIR. Progress goes to stderr.

import * as path from 'node:path';

import { ensureDevServer, ensureTemporalCli, stopDevServer } from './devServer';

const repoRoot = path.resolve(__dirname, '..');
const dataDir = path.join(repoRoot, '.temporal', 'data');
const pidFile = path.join(dataDir, 'dev-server.pid');

async function main(command: string | undefined): Promise<void> {
  switch (command) {
    case 'start': {
      const address = process.env.TEMPORAL_ADDRESS || '127.0.0.1:7233';
      const uiPortRaw = process.env.TEMPORAL_UI_PORT || '8233';
      const uiPort = Number(uiPortRaw);
      if (!Number.isInteger(uiPort) || uiPort <= 0 || uiPort > 65535) {
        throw new Error(`TEMPORAL_UI_PORT must be a port number, got "${uiPortRaw}"`);
      }
      const namespace = process.env.TEMPORAL_NAMESPACE || 'railbook';
      const server = await ensureDevServer({
        address,
        uiPort,
        namespace,
        dbFile: path.join(dataDir, 'dev.sqlite'),
        logFile: path.join(dataDir, 'dev-server.log'),
        pidFile,
        detached: true,
      });
      console.log(
        server.started
          ? `Temporal dev server started (pid ${server.pid})`
          : 'Temporal server already running (reused)',
      );
      console.log(`  gRPC:      ${address}`);
      console.log(`  UI:        ${server.uiUrl}`);
      console.log(`  namespace: ${namespace}`);
      if (server.started) console.log('  stop with: npm run temporal:stop');
      return;
    }
    case 'stop': {
      const stopped = await stopDevServer(pidFile);
      console.log(stopped ? 'Temporal dev server stopped' : 'Temporal dev server was not running (no live pid file)');
      return;
    }
    case 'ensure-cli': {
      console.log(await ensureTemporalCli());
      return;
    }
    default:
      throw new Error(`usage: tsx temporal/cli.ts start|stop|ensure-cli (got ${command ?? 'nothing'})`);
  }
}

main(process.argv[2]).catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  // One line for the summary; multi-line details (log tails, go output) follow it.
  const [first, ...rest] = message.split('\n');
  console.error(`temporal/cli.ts ${process.argv[2] ?? ''}: ${first}`);
  if (rest.length > 0) console.error(rest.join('\n'));
  process.exitCode = 1;
});
