// The benchmark's own isolated stack, never the dev or test one:
//   Temporal dev server on 127.0.0.1:7320 (UI 8320, its Prometheus metrics on 9492), child of
//   this process, durable by default (a fresh SQLite file, as `npm run dev` runs it; `memory`
//   keeps the state in memory, for comparisons);
//   database railbook_bench (recreated, migrated, whole timetable imported);
//   Redis logical db 7 (flushed);
//   the worker and the API as separate child processes, like production.
// stop() ends exactly the processes started here, by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { ensureDatabase, runMigrations } from '../../db/admin';
import { createDb } from '../../db/client';
import { defaultDataDir } from '../../db/seed/dataDir';
import { importTimetable } from '../../db/seed/import';
import { ensureDevServer, ensureTemporalCli, type DevServerHandle } from '../../temporal/devServer';
import { ensurePostgresServer } from '../../temporal/server';
import { DATABASES, PORTS } from '../../temporal/serverConfig';
import { processTree } from './procs';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * Where the Temporal server keeps its state: a SQLite file (durable, the default), memory, or
 * `postgres`: the real server v1.29.1 on the local Postgres (temporal/server.ts, databases
 * temporal_bench and temporal_visibility_bench, recreated each run), as in production.
 */
export type TemporalMode = 'file' | 'memory' | 'postgres';

export interface StackOptions {
  temporal: TemporalMode;
  temporalPort: number;
  /** The server's Prometheus endpoint (`--metrics-port`): its `action` counter is read per level. */
  temporalMetricsPort: number;
  temporalUiPort: number;
  apiPort: number;
  workerMetricsPort: number;
  databaseUrl: string;
  redisUrl: string;
  logDir: string;
  mailDir: string;
  /** Settings of the API and worker a run compares (e.g. PAYMENT_FIRST_ATTEMPT_TIMEOUT_MS); set last. */
  appEnv?: Record<string, string>;
  log(msg: string): void;
}

export const DEFAULT_STACK: Omit<StackOptions, 'log'> = {
  temporal: 'file',
  temporalPort: 7320,
  temporalMetricsPort: 9492,
  temporalUiPort: 8320,
  apiPort: 3090,
  workerMetricsPort: 9490,
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/railbook_bench',
  redisUrl: 'redis://127.0.0.1:6379/7',
  logDir: '/tmp/railbook-bench',
  mailDir: '/tmp/railbook-bench-mail',
};

export interface BenchStack {
  apiUrl: string;
  namespace: string;
  client: Client;
  pool: Pool;
  pids: { api: number; worker: number; temporal: number | null };
  temporalMode: TemporalMode;
  /** The Temporal server's Prometheus endpoint, or null when it has none we know of. */
  temporalMetricsUrl: string | null;
  /** The SQLite file of a `file` server (its size is reported over a soak), else null. */
  temporalDbFile: string | null;
  /** Throws if the API or the worker has exited since start. */
  assertAlive(): void;
  stop(): Promise<void>;
}

interface Child {
  name: string;
  proc: ChildProcess;
  out: WriteStream;
  tail: string[];
  exit: Promise<void>;
  exited: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function startChild(name: string, script: string, env: NodeJS.ProcessEnv, logDir: string): Child {
  const out = createWriteStream(path.join(logDir, `${name}.log`), { flags: 'w' });
  const proc = spawn(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), script], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child: Child = { name, proc, out, tail: [], exit: Promise.resolve(), exited: false };
  const onData = (c: Buffer) => {
    out.write(c);
    for (const line of c.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      child.tail.push(line);
      if (child.tail.length > 30) child.tail.shift();
    }
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
  child.exit = new Promise<void>((resolve) => {
    proc.once('exit', () => {
      child.exited = true;
      resolve();
    });
  });
  return child;
}

/** SIGTERM to the child (tsx relays it to the script), then SIGKILL to whatever of its tree is left. */
async function stopChild(c: Child, graceMs: number): Promise<void> {
  if (c.exited || c.proc.pid === undefined) return;
  const tree = processTree(c.proc.pid);
  try {
    c.proc.kill('SIGTERM');
  } catch {
    /* gone */
  }
  await Promise.race([c.exit, sleep(graceMs)]);
  for (const pid of tree) {
    try {
      process.kill(pid, 0);
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  await Promise.race([c.exit, sleep(2000)]);
  c.out.end();
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>, alive: () => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    alive();
    if (await check().catch(() => false)) return;
    await sleep(300);
  }
  throw new Error(`${what} not ready within ${Math.round(timeoutMs / 1000)} s`);
}

export async function startBenchStack(opts: StackOptions): Promise<BenchStack> {
  const { log } = opts;
  mkdirSync(opts.logDir, { recursive: true });
  rmSync(opts.mailDir, { recursive: true, force: true });
  mkdirSync(opts.mailDir, { recursive: true });
  const temporalAddress = `127.0.0.1:${opts.temporalPort}`;
  const namespace = 'railbook';

  const children: Child[] = [];
  let server: DevServerHandle | null = null;
  let client: Client | null = null;
  let connection: Connection | null = null;
  let pool: Pool | null = null;

  const stop = async () => {
    await Promise.all(children.map((c) => stopChild(c, 10_000)));
    await connection?.close().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    await server?.stop().catch((e: Error) => log(`stopping the Temporal server: ${e.message}`));
  };
  // Last resort if the process dies without stop(): kill the children's trees synchronously.
  const killAll = () => {
    for (const c of children) {
      if (c.exited || c.proc.pid === undefined) continue;
      for (const pid of processTree(c.proc.pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
  };
  process.once('exit', killAll);

  try {
    if (opts.temporal !== 'postgres') await ensureTemporalCli(log);
    // A fresh file each run: no workflow of an earlier run competes with this one.
    const dbFile = opts.temporal === 'file' ? path.join(opts.logDir, 'temporal.db') : null;
    if (dbFile) for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
    const temporalReady: Promise<DevServerHandle> = opts.temporal === 'postgres'
      ? ensurePostgresServer({
          ports: { ...PORTS.bench, frontend: opts.temporalPort, ui: opts.temporalUiPort, metrics: opts.temporalMetricsPort },
          databases: DATABASES.bench,
          databaseUrl: opts.databaseUrl,
          rootDir: path.join(opts.logDir, 'temporal-server'),
          detached: false,
          recreate: true,
          log,
        }).then((h) => ({ started: h.started, pid: h.pids.server ?? undefined, uiUrl: h.uiUrl, stop: h.stop }))
      : ensureDevServer({
      address: temporalAddress,
      uiPort: opts.temporalUiPort,
      namespace,
      dbFile,
      extraArgs: ['--metrics-port', String(opts.temporalMetricsPort)],
      logFile: path.join(opts.logDir, 'temporal.log'),
      detached: false,
      log,
    });
    const dbReady = (async () => {
      await ensureDatabase(opts.databaseUrl, { recreate: true });
      await runMigrations(opts.databaseUrl);
      const handle = createDb(opts.databaseUrl, { max: 2, applicationName: 'railbook-bench-seed' });
      try {
        const counts = await importTimetable(handle.db, { dataDir: defaultDataDir() });
        log(`database railbook_bench: ${counts.trains} trains, ${counts.stops} stops imported in ${counts.ms} ms`);
      } finally {
        await handle.close();
      }
    })();
    const redis = new Redis(opts.redisUrl, { lazyConnect: true });
    await redis.connect();
    await redis.flushdb();
    redis.disconnect();
    const [srv] = await Promise.all([temporalReady, dbReady]);
    server = srv;
    if (!srv.started) log(`WARNING: reusing a Temporal server already on ${temporalAddress}; it may hold workflows from an earlier run`);

    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (!/^(TEMPORAL_|DATABASE_URL|REDIS_URL|SMTP_URL|API_|WORKER_|JWT_|TICKET_|MAIL_|HOLD_|PAYMENT_|BOOKING_|AVAILABILITY_|LOG_LEVEL|NODE_ENV)/.test(k)) env[k] = v;
    }
    Object.assign(env, {
      NODE_ENV: 'production',
      JWT_SECRET: randomBytes(32).toString('hex'),
      TICKET_SIGNING_KEY: randomBytes(32).toString('hex'),
      DATABASE_URL: opts.databaseUrl,
      REDIS_URL: opts.redisUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TASK_QUEUE: 'railbook',
      TEMPORAL_UI_PORT: String(opts.temporalUiPort),
      API_HOST: '127.0.0.1',
      API_PORT: String(opts.apiPort),
      // The worker's Prometheus endpoint: not the dev worker's default port.
      WORKER_METRICS_ADDRESS: `127.0.0.1:${opts.workerMetricsPort}`,
      LOG_LEVEL: 'warn',
      MAIL_OUTBOX_DIR: opts.mailDir,
      // The longest hold the config allows: no hold placed during the run expires during it
      // (expiries would add their own work to later levels).
      HOLD_TTL_SECONDS: '3600',
      // Runs from 60 days ahead onwards (bench/lib/load.ts runDates), past the 60-day advance reservation period.
      BOOKING_ADVANCE_DAYS: '400',
      // One general pool per class, as in every figure before quotas (bench/README.md): the same berths to sell.
      QUOTA_POOLS: 'off',
      ...opts.appEnv,
    });
    const worker = startChild('worker', 'workers/main.ts', env, opts.logDir);
    children.push(worker);
    const api = startChild('api', 'api/server.ts', env, opts.logDir);
    children.push(api);
    const assertAlive = () => {
      for (const c of children) {
        if (c.exited) throw new Error(`the ${c.name} exited; last output:\n${c.tail.join('\n')}\n(full log ${path.join(opts.logDir, `${c.name}.log`)})`);
      }
    };

    const apiUrl = `http://127.0.0.1:${opts.apiPort}`;
    await waitFor('the API (/readyz)', 90_000, async () => (await fetch(`${apiUrl}/readyz`)).ok, assertAlive);
    await waitFor('the worker', 120_000, async () => worker.tail.some((l) => l.includes('worker started')), assertAlive);
    log(`API ready on ${apiUrl}; worker polling task queue railbook on ${temporalAddress}`);

    connection = await Connection.connect({ address: temporalAddress });
    client = new Client({ connection, namespace });
    pool = new Pool({ connectionString: opts.databaseUrl, max: 2, application_name: 'railbook-bench' });
    pool.on('error', () => undefined);

    return {
      apiUrl,
      namespace,
      client,
      pool,
      pids: { api: api.proc.pid!, worker: worker.proc.pid!, temporal: srv.pid ?? null },
      temporalMode: opts.temporal,
      temporalMetricsUrl: srv.started ? `http://127.0.0.1:${opts.temporalMetricsPort}/metrics` : null,
      temporalDbFile: dbFile,
      assertAlive,
      stop: async () => {
        await stop();
        process.removeListener('exit', killAll);
      },
    };
  } catch (err) {
    await stop();
    process.removeListener('exit', killAll);
    throw err;
  }
}
