// Usage: tsx temporal/cli.ts start|stop|ensure-cli   (npm run temporal:start / temporal:stop / temporal:ensure-cli)
//
//   start       start (or reuse) the local Temporal dev server, detached, persisted in .temporal/data/
//   stop        stop the dev server started by `start` (via its pid file)
//   ensure-cli  find or build the Temporal CLI and print its path on stdout
//
// The Postgres-backed server of `npm run cluster` (temporal/server.ts, root .temporal/cluster):
//   server-start    start (or reuse) the server and its UI, detached, without the app processes
//   server-stop     stop them
//   server-status   health of the frontend, the services' membership, schema versions, URLs
//   server-migrate  bring the temporal and temporal_visibility schemas up to date (update-schema)
//   ensure-server   find or build the server, sql tool and UI server and print their paths
//
// Env: TEMPORAL_ADDRESS (127.0.0.1:7233), TEMPORAL_UI_PORT (8233), TEMPORAL_NAMESPACE (railbook),
//      TEMPORAL_CLI_PATH, TEMPORAL_CLI_CACHE_DIR. Progress goes to stderr.

import * as path from 'node:path';

import { ensureDevServer, ensureTemporalCli, stopDevServer, tryConnect } from './devServer';
import { ensurePostgresServer, ensureSchema, ensureServerBinaries, schemaVersions, serverFiles, stopPostgresServer } from './server';
import { DATABASES, PORTS, postgresTarget } from './serverConfig';

const repoRoot = path.resolve(__dirname, '..');
const dataDir = path.join(repoRoot, '.temporal', 'data');
const pidFile = path.join(dataDir, 'dev-server.pid');
const clusterRoot = path.join(repoRoot, '.temporal', 'cluster');
const databaseUrl = () => process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/railbook';

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
    case 'server-start': {
      const s = await ensurePostgresServer({
        ports: PORTS.cluster,
        databases: DATABASES.cluster,
        databaseUrl: databaseUrl(),
        rootDir: clusterRoot,
        detached: true,
      });
      console.log(s.started ? `Temporal server started (pid ${s.pids.server}, UI pid ${s.pids.ui})` : 'Temporal server and UI already running (reused)');
      console.log(`  gRPC:      ${s.address}`);
      console.log(`  UI:        ${s.uiUrl}`);
      console.log(`  metrics:   ${s.metricsUrl}`);
      console.log(`  logs:      ${s.logFiles.server}, ${s.logFiles.ui}`);
      return;
    }
    case 'server-stop': {
      const r = await stopPostgresServer(clusterRoot);
      console.log(`Temporal server: ${r.server ? 'stopped' : 'was not running'}; UI: ${r.ui ? 'stopped' : 'was not running'}`);
      return;
    }
    case 'server-status': {
      const address = `127.0.0.1:${PORTS.cluster.frontend}`;
      const conn = await tryConnect(address, 3000);
      if (!conn) {
        console.log(`frontend ${address}: NOT answering (log: ${serverFiles(clusterRoot).serverLog})`);
        process.exitCode = 1;
      } else {
        try {
          const info = await conn.workflowService.getSystemInfo({});
          console.log(`frontend ${address}: SERVING (server ${info.serverVersion})`);
          // The gRPC health service of each role, through the frontend's own.
          const health = await conn.healthService.check({ service: 'temporal.api.workflowservice.v1.WorkflowService' });
          // grpc.health.v1 ServingStatus: 1 SERVING, 2 NOT_SERVING.
          console.log(`  health check: ${health.status === 1 ? 'SERVING' : `NOT SERVING (${String(health.status)})`}`);
          const cluster = await conn.operatorService.listClusters({});
          for (const c of cluster.clusters ?? []) console.log(`  cluster ${c.clusterName}: ${c.address}, history shards ${c.historyShardCount}`);
        } finally {
          await conn.close();
        }
      }
      const ui = `http://127.0.0.1:${PORTS.cluster.ui}`;
      const uiOk = await fetch(ui).then((r) => r.ok, () => false);
      console.log(`UI ${ui}: ${uiOk ? 'up' : 'NOT answering'}`);
      const metrics = `http://127.0.0.1:${PORTS.cluster.metrics}/metrics`;
      const metricsOk = await fetch(metrics).then((r) => r.ok, () => false);
      console.log(`metrics ${metrics}: ${metricsOk ? 'up' : 'NOT answering'}`);
      const versions = await schemaVersions(postgresTarget(databaseUrl()), DATABASES.cluster);
      for (const [db, v] of Object.entries(versions)) console.log(`schema ${db}: ${v ?? 'missing'}`);
      return;
    }
    case 'server-migrate': {
      const bins = await ensureServerBinaries();
      await ensureSchema({ sqlBin: bins.sql, pg: postgresTarget(databaseUrl()), databases: DATABASES.cluster, recreate: false, log: (m) => console.error(m) });
      const versions = await schemaVersions(postgresTarget(databaseUrl()), DATABASES.cluster);
      for (const [db, v] of Object.entries(versions)) console.log(`schema ${db}: ${v ?? 'missing'}`);
      return;
    }
    case 'ensure-server': {
      const bins = await ensureServerBinaries();
      console.log(`server ${bins.server}\nsql    ${bins.sql}\nui     ${bins.ui}`);
      return;
    }
    default:
      throw new Error(
        `usage: tsx temporal/cli.ts start|stop|ensure-cli|server-start|server-stop|server-status|server-migrate|ensure-server (got ${command ?? 'nothing'})`,
      );
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
