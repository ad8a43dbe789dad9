// The chaos run's own stack, shared with nothing:
//   - a Temporal dev server on its own port with a SQLite FILE, so it can be
//     killed and started again with its persisted state;
//   - its own Postgres database (recreated, migrated, whole timetable imported);
//   - its own redis-server process (no persistence: a restart comes back empty);
//   - an SMTP server in this process that can be switched to answer 5xx;
//   - a control file for the sandbox gateway's injected faults (payments/sandbox.ts);
//   - the API and N workers as separate OS processes (SIGKILL is real).
// Every process is started and ended here, by pid.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { ensureDatabase, runMigrations } from '../../db/admin';
import { createDb } from '../../db/client';
import { defaultDataDir } from '../../db/seed/dataDir';
import { importTimetable } from '../../db/seed/import';
import type { SandboxFault } from '../../payments/sandbox';
import { ensureDevServer, ensureTemporalCli, type DevServerHandle } from '../../temporal/devServer';
import { startSmtpCatcher, type SmtpCatcher } from '../../test/helpers/smtp';
import { killTree, portOpen, sleep, startRedis, startScript, stopTree, waitUntil, type Proc } from './procs';

export interface ChaosStackOptions {
  temporalPort: number;
  temporalUiPort: number;
  apiPort: number;
  redisPort: number;
  databaseUrl: string;
  /** Directory for logs, the Temporal SQLite file and the fault control file (emptied at start). */
  workDir: string;
  workers: number;
  holdTtlSeconds: number;
  log(msg: string): void;
}

/** Ports and names of the full run (`npm run chaos`); the CI test uses others (see chaos.test.ts). */
export const DEFAULT_CHAOS_STACK = {
  temporalPort: 7270,
  temporalUiPort: 8270,
  apiPort: 3070,
  redisPort: 6390,
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/railbook_chaos',
  workDir: '/tmp/railbook-chaos',
};

export interface ChaosEvent {
  at: number;
  kind: string;
  detail?: string;
}

export interface ChaosStack {
  apiUrl: string;
  client: Client;
  pool: Pool;
  smtp: SmtpCatcher;
  events: ChaosEvent[];
  /** Exits nobody asked for (API or worker died by itself); they are restarted and counted. */
  unexpectedExits: { at: number; name: string; code: number | null; signal: string | null; tail: string[] }[];
  workers(): Proc[];
  /** Seconds each worker process took from spawn to polling (every start, kills included). */
  workerStartSeconds(): number[];
  /** SIGKILLs worker i's process tree and starts a new one at once. */
  killWorker(i: number): Promise<void>;
  /** SIGKILLs the Temporal server, then starts it again on the same SQLite file; resolves when it answers. */
  restartTemporal(): Promise<{ downMs: number }>;
  /** SIGKILLs redis-server, waits downMs, starts it again empty. */
  restartRedis(downMs: number): Promise<void>;
  setSmtpFailing(code: number | null): void;
  setGatewayFault(fault: SandboxFault | null): void;
  /** Waits until every worker has announced itself (after kills). */
  workersReady(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startChaosStack(o: ChaosStackOptions): Promise<ChaosStack> {
  const { log } = o;
  rmSync(o.workDir, { recursive: true, force: true });
  const logDir = path.join(o.workDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const dbFile = path.join(o.workDir, 'temporal.sqlite');
  const faultFile = path.join(o.workDir, 'gateway-fault.json');
  writeFileSync(faultFile, '{}');
  const temporalAddress = `127.0.0.1:${o.temporalPort}`;
  const namespace = 'railbook';
  const events: ChaosEvent[] = [];
  const event = (kind: string, detail?: string) => {
    events.push({ at: Date.now(), kind, ...(detail ? { detail } : {}) });
    log(`${kind}${detail ? `: ${detail}` : ''}`);
  };

  let temporal: DevServerHandle | null = null;
  let redis: Proc | null = null;
  let api: Proc | null = null;
  const workers: (Proc | null)[] = Array.from({ length: o.workers }, () => null);
  const everyWorker: Proc[] = [];
  let smtp: SmtpCatcher | null = null;
  let connection: Connection | null = null;
  let pool: Pool | null = null;
  let stopping = false;
  const intended = new Set<number>(); // pids this module killed on purpose
  const unexpectedExits: ChaosStack['unexpectedExits'] = [];

  const startTemporal = () =>
    ensureDevServer({
      address: temporalAddress,
      uiPort: o.temporalUiPort,
      namespace,
      dbFile,
      logFile: path.join(logDir, 'temporal.log'),
      detached: false,
      log: (m) => log(`temporal: ${m}`),
    });

  let env: NodeJS.ProcessEnv = {};
  const supervise = (name: string, p: Proc, restart: () => void) => {
    void p.exit.then(({ code, signal }) => {
      if (stopping || intended.has(p.pid)) return;
      unexpectedExits.push({ at: Date.now(), name, code, signal, tail: p.tail.slice(-10) });
      event('unexpected-exit', `${name} pid ${p.pid} code=${code} signal=${signal}`);
      restart();
    });
  };
  const startWorker = (i: number) => {
    const p = startScript(`worker-${i}`, 'workers/main.ts', env, logDir, 'worker started');
    workers[i] = p;
    everyWorker.push(p);
    supervise(`worker-${i}`, p, () => startWorker(i));
  };
  const startApi = () => {
    const p = startScript('api', 'api/server.ts', env, logDir, null);
    api = p;
    supervise('api', p, startApi);
  };
  const startOwnRedis = async () => {
    const p = startRedis(o.redisPort, logDir);
    redis = p;
    await waitUntil('redis-server', 15_000, () => p.readyAt !== null || p.exited);
    if (p.exited) throw new Error(`redis-server exited: ${p.tail.join('\n')}`);
  };

  const stop = async () => {
    stopping = true;
    await Promise.all([...workers, api].filter((p): p is Proc => p !== null).map((p) => stopTree(p, 10_000)));
    if (redis) await killTree(redis);
    await connection?.close().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    await smtp?.close().catch(() => undefined);
    await temporal?.stop().catch((e: Error) => log(`stopping the Temporal server: ${e.message}`));
  };
  const killAllSync = () => {
    const pids = [...workers, api, redis].flatMap((p) => (p && !p.exited ? [p.pid] : []));
    if (temporal?.pid !== undefined) pids.push(temporal.pid);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  process.once('exit', killAllSync);

  try {
    if (await portOpen(o.redisPort)) throw new Error(`port ${o.redisPort} is taken: the chaos run needs its own redis-server there`);
    if (await portOpen(o.temporalPort)) throw new Error(`port ${o.temporalPort} is taken: the chaos run starts its own Temporal server there`);
    if (await portOpen(o.apiPort)) throw new Error(`port ${o.apiPort} is taken`);
    await ensureTemporalCli(log);
    const dbReady = (async () => {
      await ensureDatabase(o.databaseUrl, { recreate: true });
      await runMigrations(o.databaseUrl);
      const handle = createDb(o.databaseUrl, { max: 2, applicationName: 'railbook-chaos-seed' });
      try {
        const counts = await importTimetable(handle.db, { dataDir: defaultDataDir() });
        log(`database ${new URL(o.databaseUrl).pathname.slice(1)}: ${counts.trains} trains imported in ${counts.ms} ms`);
      } finally {
        await handle.close();
      }
    })();
    const [srv] = await Promise.all([startTemporal(), dbReady, startOwnRedis()]);
    temporal = srv;
    if (!srv.started) throw new Error(`a Temporal server was already answering on ${temporalAddress}`);
    smtp = await startSmtpCatcher({ keep: 200 });

    env = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (!/^(TEMPORAL_|DATABASE_URL|REDIS_URL|SMTP_URL|API_|WORKER_|JWT_|MAIL_|HOLD_|PAYMENT_|BOOKING_|AVAILABILITY_|LOG_LEVEL|NODE_ENV|SANDBOX_)/.test(k)) {
        env[k] = v;
      }
    }
    Object.assign(env, {
      // Not production: the sandbox's fault switch is honoured only outside production config.
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      JWT_SECRET: randomBytes(32).toString('hex'),
      DATABASE_URL: o.databaseUrl,
      REDIS_URL: `redis://127.0.0.1:${o.redisPort}/0`,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TASK_QUEUE: 'railbook',
      TEMPORAL_UI_PORT: String(o.temporalUiPort),
      API_HOST: '127.0.0.1',
      API_PORT: String(o.apiPort),
      // Any free port: several workers run at once, and never on a dev worker's.
      WORKER_METRICS_ADDRESS: '127.0.0.1:0',
      SMTP_URL: smtp.url,
      HOLD_TTL_SECONDS: String(o.holdTtlSeconds),
      // --days-ahead may go past the 60-day advance reservation period.
      BOOKING_ADVANCE_DAYS: '200',
      SANDBOX_FAULT_FILE: faultFile,
    });
    for (let i = 0; i < o.workers; i++) startWorker(i);
    startApi();
    const apiUrl = `http://127.0.0.1:${o.apiPort}`;
    await waitUntil('the API (/readyz)', 120_000, async () => {
      if (api?.exited) throw new Error(`the API exited:\n${api.tail.join('\n')}`);
      return (await fetch(`${apiUrl}/readyz`)).ok;
    });
    const stack: ChaosStack = {
      apiUrl,
      client: null as unknown as Client,
      pool: null as unknown as Pool,
      smtp,
      events,
      unexpectedExits,
      workers: () => workers.filter((w): w is Proc => w !== null),
      workerStartSeconds: () => everyWorker.flatMap((w) => (w.readyAt === null ? [] : [Math.round((w.readyAt - w.startedAt) / 100) / 10])),
      async killWorker(i) {
        const w = workers[i];
        if (!w) return;
        intended.add(w.pid);
        await killTree(w);
        event('worker-sigkill', `worker-${i} pid ${w.pid}, up ${Math.round((Date.now() - w.startedAt) / 1000)} s`);
        startWorker(i);
      },
      async restartTemporal() {
        const t0 = Date.now();
        const pid = temporal?.pid;
        if (pid === undefined) throw new Error('the Temporal server pid is unknown');
        process.kill(pid, 'SIGKILL');
        event('temporal-sigkill', `pid ${pid}`);
        await waitUntil('the Temporal port to close', 30_000, async () => !(await portOpen(o.temporalPort)));
        await sleep(1000);
        temporal = await startTemporal();
        const downMs = Date.now() - t0;
        event('temporal-restarted', `pid ${temporal.pid}, same SQLite file, down ${downMs} ms`);
        return { downMs };
      },
      async restartRedis(downMs) {
        if (redis) {
          intended.add(redis.pid);
          await killTree(redis);
        }
        event('redis-sigkill', `down for ${downMs} ms`);
        await sleep(downMs);
        await startOwnRedis();
        event('redis-restarted', 'empty (no persistence)');
      },
      setSmtpFailing(code) {
        smtp?.setFailing(code);
        event(code === null ? 'smtp-ok' : 'smtp-5xx', code === null ? undefined : String(code));
      },
      setGatewayFault(fault) {
        writeFileSync(faultFile, JSON.stringify(fault ?? {}));
        event(fault ? 'gateway-fault' : 'gateway-ok', fault ? `${fault.mode} ${fault.hangMs} ms` : undefined);
      },
      async workersReady(timeoutMs) {
        await waitUntil('every worker up', timeoutMs, () => workers.every((w) => w !== null && w.readyAt !== null && !w.exited));
      },
      stop: async () => {
        await stop();
        process.removeListener('exit', killAllSync);
      },
    };
    await stack.workersReady(180_000);
    log(`stack up: API ${apiUrl}, ${o.workers} worker(s), Temporal ${temporalAddress} (UI ${srv.uiUrl}), redis :${o.redisPort}, SMTP ${smtp.url}`);
    connection = await Connection.connect({ address: temporalAddress });
    stack.client = new Client({ connection, namespace });
    pool = new Pool({ connectionString: o.databaseUrl, max: 3, application_name: 'railbook-chaos' });
    pool.on('error', () => undefined);
    stack.pool = pool;
    return stack;
  } catch (err) {
    await stop();
    process.removeListener('exit', killAllSync);
    throw err;
  }
}
