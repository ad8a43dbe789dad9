// `npm run cluster`: the production topology on one machine.
//   1. the real Temporal server v1.29.1 on the local Postgres (databases temporal and
//      temporal_visibility) with its standalone Web UI, built once from the Go module proxy
//      and kept running between runs (temporal/server.ts; `npm run cluster:stop` stops it);
//   2. the app database (created, migrated, seeded on first run), as `npm run dev` does;
//   3. N worker processes (default 2) on the same task queue, each with its own metrics port;
//   4. M API processes (default 2) on ports 3001…, behind a round-robin balancer on :3000
//      (scripts/tcpBalancer.ts), so clients see one API;
//   5. a supervisor: a worker or API process that dies is started again after 2 s.
// Ctrl-C stops the workers, the API processes and the balancer; the Temporal server and UI
// keep running (the next start takes seconds).
//
//   npm run cluster -- --workers 3 --apis 2        (or CLUSTER_WORKERS / CLUSTER_APIS)
//   npm run cluster -- --no-restart                (a killed process stays down)
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';
import { ensureDatabase, runMigrations } from '../db/admin';
import { createDb } from '../db/client';
import { defaultDataDir } from '../db/seed/dataDir';
import { importTimetable, isCatalogEmpty } from '../db/seed/import';
import { pidAlive, portInUse, readPidFile } from '../temporal/devServer';
import { ensurePostgresServer, stopPostgresServer } from '../temporal/server';
import { DATABASES, PORTS } from '../temporal/serverConfig';
import { clusterTopology, DEFAULT_APIS, DEFAULT_WORKERS, prometheusConfig } from './clusterTopology';
import { ensureDemoUsers } from './demoUsers';
import { startTcpBalancer } from './tcpBalancer';

const repoRoot = path.resolve(__dirname, '..');
export const CLUSTER_ROOT = path.join(repoRoot, '.temporal', 'cluster');
const pidFile = path.join(CLUSTER_ROOT, 'cluster.pid');
const say = (m: string) => console.log(`[cluster] ${m}`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Args {
  workers: number;
  apis: number;
  restart: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    workers: Number(process.env.CLUSTER_WORKERS || DEFAULT_WORKERS),
    apis: Number(process.env.CLUSTER_APIS || DEFAULT_APIS),
    restart: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => Number(inline ?? argv[++i]);
    if (flag === '--workers') a.workers = value();
    else if (flag === '--apis') a.apis = value();
    else if (flag === '--no-restart') a.restart = false;
    else throw new Error(`unknown option ${flag} (use --workers N, --apis N, --no-restart)`);
  }
  return a;
}

interface Proc {
  name: string;
  script: string;
  env: NodeJS.ProcessEnv;
  child: ChildProcess | null;
  restarts: number[];
}

async function stop(): Promise<void> {
  const pid = await readPidFile(pidFile);
  if (pid !== null && pid !== process.pid && pidAlive(pid)) {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 150 && pidAlive(pid); i++) await sleep(100);
    say(`stopped the running \`npm run cluster\` (pid ${pid})`);
  }
  const r = await stopPostgresServer(CLUSTER_ROOT);
  say(r.server ? 'stopped the Temporal server' : 'the Temporal server was not running');
  say(r.ui ? 'stopped the Temporal UI' : 'the Temporal UI was not running');
}

async function main(): Promise<void> {
  if (process.argv[2] === 'stop') return stop();
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const config = loadConfig();
  const topology = clusterTopology({ workers: args.workers, apis: args.apis, apiPort: config.api.port, workerMetricsPort: 9464 });

  const running = await readPidFile(pidFile);
  if (running !== null && running !== process.pid && pidAlive(running)) {
    throw new Error(`\`npm run cluster\` is already running (pid ${running}); stop it with Ctrl-C there or \`npm run cluster:stop\``);
  }
  for (const port of [topology.apiPort, ...topology.apiPorts, ...topology.workerMetricsPorts]) {
    if (await portInUse('127.0.0.1', port)) {
      throw new Error(`port ${port} is in use (is \`npm run dev\` running? Ctrl-C it first); the cluster needs ${topology.apiPort}–${topology.apiPorts.at(-1)} and ${topology.workerMetricsPorts.join(', ')}`);
    }
  }
  await fsp.mkdir(CLUSTER_ROOT, { recursive: true });
  await fsp.writeFile(pidFile, `${process.pid}\n`);

  const temporal = await ensurePostgresServer({
    ports: PORTS.cluster,
    databases: DATABASES.cluster,
    databaseUrl: config.databaseUrl,
    rootDir: CLUSTER_ROOT,
    detached: true,
    log: say,
  });
  say(temporal.started ? 'Temporal server and UI started' : 'reusing the running Temporal server and UI');

  if (await ensureDatabase(config.databaseUrl)) say('created the database');
  await runMigrations(config.databaseUrl);
  const db = createDb(config.databaseUrl, { max: 2 });
  try {
    if (await isCatalogEmpty(db.db)) {
      say('seeding the timetable from the real Indian Railways data (first run only)…');
      const counts = await importTimetable(db.db, { dataDir: defaultDataDir(), log: say });
      say(`seeded ${counts.trains} trains, ${counts.stations} stations, ${counts.stops} stops in ${counts.ms} ms`);
    }
    if (config.nodeEnv === 'development') {
      for (const u of await ensureDemoUsers(db.db)) say(`demo ${u.role} account: ${u.email} / ${u.password}`);
    }
  } finally {
    await db.close();
  }
  const promFile = path.join(CLUSTER_ROOT, 'prometheus.yml');
  await fsp.writeFile(promFile, prometheusConfig(topology, PORTS.cluster, config.metricsToken));

  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_UI_URL: temporal.uiUrl,
    TEMPORAL_UI_PORT: String(PORTS.cluster.ui),
  };
  const procs: Proc[] = [
    ...topology.workerMetricsPorts.map((p, i) => ({
      name: `worker${i + 1}`,
      script: 'workers/main.ts',
      env: { ...baseEnv, WORKER_METRICS_ADDRESS: `127.0.0.1:${p}` },
      child: null,
      restarts: [],
    })),
    ...topology.apiPorts.map((p, i) => ({
      name: `api${i + 1}`,
      script: 'api/server.ts',
      env: { ...baseEnv, API_HOST: '127.0.0.1', API_PORT: String(p) },
      child: null,
      restarts: [],
    })),
  ];

  let stopping = false;
  const launch = (p: Proc) => {
    const child = spawn(process.execPath, ['--import', 'tsx', p.script], { cwd: repoRoot, env: p.env, stdio: ['ignore', 'pipe', 'pipe'] });
    p.child = child;
    const prefix = (chunk: Buffer) =>
      chunk
        .toString()
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => `${p.name.padEnd(7)}| ${l}\n`)
        .join('');
    child.stdout?.on('data', (c: Buffer) => process.stdout.write(prefix(c)));
    child.stderr?.on('data', (c: Buffer) => process.stderr.write(prefix(c)));
    child.on('exit', (code, signal) => {
      if (stopping) return;
      const why = signal ? `signal ${signal}` : `exit code ${code}`;
      const now = Date.now();
      p.restarts = p.restarts.filter((t) => now - t < 60_000);
      if (!args.restart) return void say(`${p.name} (pid ${child.pid}) exited (${why}); not restarted (--no-restart)`);
      if (p.restarts.length >= 5) {
        console.error(`[cluster] ${p.name} exited (${why}) 5 times within a minute; stopping everything`);
        return void stopAll(1);
      }
      p.restarts.push(now);
      say(`${p.name} (pid ${child.pid}) exited (${why}); starting it again in 2 s`);
      setTimeout(() => {
        if (stopping) return;
        launch(p);
        say(`${p.name} restarted as pid ${p.child?.pid}`);
      }, 2000);
    });
  };
  for (const p of procs) launch(p);
  const host = config.api.host === '0.0.0.0' ? '0.0.0.0' : '127.0.0.1';
  const balancer = await startTcpBalancer({ host, port: topology.apiPort, backends: topology.apiPorts.map((port) => ({ host: '127.0.0.1', port })), log: say });

  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    const live = procs.map((p) => p.child).filter((c): c is ChildProcess => !!c && c.exitCode === null && c.signalCode === null);
    for (const c of live) c.kill('SIGTERM');
    const exit = () => {
      void fsp.rm(pidFile, { force: true }).finally(() => process.exit(code));
    };
    setTimeout(exit, 12_000).unref();
    void Promise.all([balancer.close(), ...live.map((c) => new Promise((r) => c.once('exit', r)))]).then(exit);
  };
  process.on('SIGINT', () => stopAll(0));
  process.on('SIGTERM', () => stopAll(0));

  const apiUrl = `http://127.0.0.1:${topology.apiPort}`;
  const deadline = Date.now() + 90_000;
  for (const port of topology.apiPorts) {
    while (!(await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false))) {
      if (Date.now() > deadline) {
        console.error(`[cluster] the API process on :${port} is not ready within 90 s; see the logs above`);
        return stopAll(1);
      }
      await sleep(500);
    }
  }
  const pids = (prefix: string) =>
    procs
      .filter((p) => p.name.startsWith(prefix))
      .map((p) => `${p.name} pid ${p.child?.pid}`)
      .join(', ');
  const mail = config.mail.smtpUrl ? `SMTP ${new URL(config.mail.smtpUrl).host}` : path.resolve(config.mail.outboxDir);
  console.log(
    [
      '',
      `  Railbook cluster is up (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      `  API          ${apiUrl}   (balancer over ${topology.apiPorts.map((p) => `:${p}`).join(', ')}: ${pids('api')})`,
      `  API docs     ${apiUrl}/docs`,
      `  Temporal UI  ${temporal.uiUrl}/namespaces/railbook/workflows   (standalone UI server, pid ${temporal.pids.ui})`,
      `  Temporal     ${temporal.address}   (server v1.29.1 on Postgres, pid ${temporal.pids.server}; log ${path.relative(repoRoot, temporal.logFiles.server)})`,
      `  Workers      ${pids('worker')}; metrics ${topology.workerMetricsPorts.map((p) => `:${p}`).join(', ')}`,
      `  Metrics      server ${temporal.metricsUrl}; Prometheus config ${path.relative(repoRoot, promFile)}`,
      `  Mail         ${mail}`,
      `  Try          curl '${apiUrl}/trains/search?from=MMCT&to=NDLS&date=<YYYY-MM-DD>'`,
      '  Ctrl-C stops the workers and API processes; `npm run cluster:stop` also stops the Temporal server and UI.',
      '',
    ].join('\n'),
  );
}

main().catch(async (err: unknown) => {
  console.error(`[cluster] failed: ${err instanceof Error ? err.message : String(err)}`);
  if ((await readPidFile(pidFile)) === process.pid) await fsp.rm(pidFile, { force: true });
  process.exit(1);
});
