// Obtains and runs the real Temporal server on the local Postgres, with its standalone Web UI.
//
// Library only (used by scripts/cluster.ts, temporal/cli.ts, the jest `cluster` project and
// the benchmark's `--temporal postgres`). Steps of ensurePostgresServer, each idempotent:
//   1. binaries: server + sql tool (go.temporal.io/server v1.29.1) and the UI server
//      (ui-server v2.42.1), built once from the Go module proxy into ~/.cache/railbook/;
//   2. databases: create, `setup-schema -v 0.0`, `update-schema --schema-name …` (the schemas
//      embedded in the sql tool) for persistence and visibility;
//   3. config: <root>/config/railbook.yaml (+ dynamic config) and <root>/ui/railbook.yaml;
//   4. processes: the server (`start` with all four services) and the UI server, reused if
//      already running from the same root (pid files), refused if another server holds a port;
//   5. the namespace and the search attributes, then a visibility query naming every one.
// Nothing here calls process.exit; failures are Errors with a readable message.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, promises as fsp, openSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Client as PgClient } from 'pg';

import {
  ensureNamespaceAndAttributes,
  pidAlive,
  portInUse,
  readPidFile,
  readTail,
  terminate,
  tryConnect,
  type Log,
} from './devServer';
import { ensureGoBinaries } from './goBuild';
import {
  NAMESPACE,
  SCHEMA_NAMES,
  SERVER_GO_PACKAGES,
  TEMPORAL_SERVER_VERSION,
  TEMPORAL_UI_VERSION,
  UI_GO_PACKAGE,
  overVisibilityLimits,
  postgresTarget,
  schemaSteps,
  serverConfigYaml,
  uiConfigYaml,
  type PostgresTarget,
  type ServerPorts,
} from './serverConfig';

const defaultLog: Log = (msg) => process.stderr.write(`[temporal] ${msg}\n`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const ENV_NAME = 'railbook';

export interface ServerBinaries {
  server: string;
  sql: string;
  ui: string;
}

function cacheRoot(): string {
  return path.join(os.homedir(), '.cache', 'railbook');
}

/** Where the builds are cached (outside the repo, shared by every clone on the machine). */
export function serverBinaryDirs(): { server: string; ui: string } {
  return {
    server: process.env.TEMPORAL_SERVER_CACHE_DIR || path.join(cacheRoot(), `temporal-server-v${TEMPORAL_SERVER_VERSION}`),
    // Its own directory: the UI binary is also called `server`.
    ui: process.env.TEMPORAL_UI_CACHE_DIR || path.join(cacheRoot(), `temporal-ui-v${TEMPORAL_UI_VERSION}`),
  };
}

/** Builds (once) or finds the server, the sql tool and the UI server. */
export async function ensureServerBinaries(log: Log = defaultLog): Promise<ServerBinaries> {
  const dirs = serverBinaryDirs();
  const bins = { server: path.join(dirs.server, 'server'), sql: path.join(dirs.server, 'sql'), ui: path.join(dirs.ui, 'server') };
  // One after the other: two Go builds at once would only fight for the same cores.
  await ensureGoBinaries({
    dir: dirs.server,
    packages: SERVER_GO_PACKAGES,
    bins: [bins.server, bins.sql],
    label: `Temporal server v${TEMPORAL_SERVER_VERSION} + sql tool`,
    log,
  });
  await ensureGoBinaries({ dir: dirs.ui, packages: [UI_GO_PACKAGE], bins: [bins.ui], label: `Temporal UI server v${TEMPORAL_UI_VERSION}`, log });
  return bins;
}

// ---------------------------------------------------------------------------------------------
// Databases
// ---------------------------------------------------------------------------------------------

function runTool(bin: string, args: string[], pg: PostgresTarget): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      env: { ...process.env, ...(pg.password ? { SQL_PASSWORD: pg.password } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(bin)} ${args.filter((a) => a !== pg.password).join(' ')} failed (exit ${code}):\n${out.trim().split('\n').slice(-15).join('\n')}`));
    });
  });
}

async function withPg<T>(pg: PostgresTarget, database: string, fn: (c: PgClient) => Promise<T>): Promise<T> {
  const client = new PgClient({ host: pg.host, port: pg.port, user: pg.user, password: pg.password || undefined, database, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Brings both databases to the newest schema. recreate: drop them first (tests and the
 * benchmark start from nothing, so a workflow of an earlier run can never answer).
 */
export async function ensureSchema(opts: {
  sqlBin: string;
  pg: PostgresTarget;
  databases: { persistence: string; visibility: string };
  recreate: boolean;
  log: Log;
}): Promise<void> {
  const { sqlBin, pg, log } = opts;
  for (const [kind, database] of [
    ['persistence', opts.databases.persistence],
    ['visibility', opts.databases.visibility],
  ] as const) {
    const steps = schemaSteps(pg, database, SCHEMA_NAMES[kind]);
    let exists = await withPg(pg, 'postgres', async (c) => (await c.query('select 1 from pg_database where datname = $1', [database])).rowCount === 1);
    if (exists && opts.recreate) {
      // WITH (FORCE) ends leftover sessions of a server killed without cleanup.
      await withPg(pg, 'postgres', (c) => c.query(`drop database "${database.replace(/"/g, '""')}" with (force)`));
      exists = false;
    }
    if (!exists) {
      log(`creating database ${database}`);
      await runTool(sqlBin, steps.createDatabase, pg);
    }
    const versioned = await withPg(pg, database, async (c) => (await c.query(`select to_regclass('schema_version') as t`)).rows[0]?.t !== null);
    if (!versioned) {
      log(`setting up the ${kind} schema in ${database}`);
      await runTool(sqlBin, steps.setupSchema, pg);
    }
    // Applies only versions newer than the database's: the upgrade path after a version bump.
    await runTool(sqlBin, steps.updateSchema, pg);
  }
}

/** The schema version each database is at (for `temporal/cli.ts server-status`). */
export async function schemaVersions(pg: PostgresTarget, databases: { persistence: string; visibility: string }): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for (const db of [databases.persistence, databases.visibility]) {
    try {
      out[db] = await withPg(pg, db, async (c) => String((await c.query('select curr_version from schema_version limit 1')).rows[0]?.curr_version ?? null));
    } catch {
      out[db] = null;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------

export interface PostgresServerOptions {
  ports: ServerPorts;
  databases: { persistence: string; visibility: string };
  /** Any postgres:// URL of the server to use (only host, port and credentials are taken). */
  databaseUrl: string;
  /** Config, pid files and logs go here (e.g. .temporal/cluster). */
  rootDir: string;
  /** true: the processes outlive this one (npm run cluster); false: children (tests, bench). */
  detached: boolean;
  /** Drop and recreate both databases first (tests, bench). */
  recreate?: boolean;
  log?: Log;
}

export interface PostgresServerHandle {
  /** false when running processes from the same root were reused */
  started: boolean;
  address: string;
  uiUrl: string;
  metricsUrl: string;
  pids: { server: number | null; ui: number | null };
  logFiles: { server: string; ui: string };
  /** Stops what this call started (reused processes are left alone; see stopPostgresServer). */
  stop(): Promise<void>;
}

export function serverFiles(rootDir: string) {
  return {
    configDir: path.join(rootDir, 'config'),
    configFile: path.join(rootDir, 'config', `${ENV_NAME}.yaml`),
    uiConfigDir: path.join(rootDir, 'ui'),
    serverPid: path.join(rootDir, 'server.pid'),
    uiPid: path.join(rootDir, 'ui.pid'),
    serverLog: path.join(rootDir, 'server.log'),
    uiLog: path.join(rootDir, 'ui.log'),
  };
}

/** True if pid is alive and its command line names this root (not a recycled pid). */
async function runsFromRoot(pid: number, rootDir: string): Promise<boolean> {
  if (!pidAlive(pid)) return false;
  try {
    const argv = (await fsp.readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return argv.includes(rootDir) && argv.includes('start');
  } catch {
    return true; // no /proc: trust the pid file
  }
}

/** What holds a port, for the refusal message: the dev server is recognised by its command line. */
async function describeHolder(port: number): Promise<string> {
  try {
    for (const entry of await fsp.readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const argv = await fsp.readFile(`/proc/${entry}/cmdline`, 'utf8').then((s) => s.split('\0'), () => [] as string[]);
      if (argv.includes('start-dev') && argv[argv.indexOf('--port') + 1] === String(port)) {
        return `the Temporal dev server (pid ${entry}) of \`npm run dev\`; stop it with \`npm run temporal:stop\``;
      }
    }
  } catch {
    /* no /proc */
  }
  return 'another process';
}

async function assertPortsFree(ports: ServerPorts): Promise<void> {
  const all: [string, number][] = [
    ['frontend gRPC', ports.frontend],
    ['frontend HTTP', ports.frontendHttp],
    ['history', ports.history],
    ['matching', ports.matching],
    ['worker', ports.worker],
    ['frontend membership', ports.membership.frontend],
    ['history membership', ports.membership.history],
    ['matching membership', ports.membership.matching],
    ['worker membership', ports.membership.worker],
    ['metrics', ports.metrics],
  ];
  for (const [what, port] of all) {
    if (await portInUse('127.0.0.1', port)) {
      throw new Error(`Port ${port} (Temporal ${what}) is in use by ${await describeHolder(port)}; the Postgres-backed server needs it`);
    }
  }
}

interface Spawned {
  child: ChildProcess;
  pid: number;
  exited(): boolean;
  exitInfo(): string | null;
  stop(): Promise<void>;
}

async function spawnLogged(bin: string, args: string[], logFile: string, pidFile: string, detached: boolean): Promise<Spawned> {
  await fsp.appendFile(logFile, `\n=== ${new Date().toISOString()} ${bin} ${args.join(' ')}\n`);
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(bin, args, { detached, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  child.unref();
  let info: string | null = null;
  child.once('exit', (code, signal) => (info = signal ? `signal ${signal}` : `exit code ${code}`));
  child.once('error', (err) => (info = `spawn error: ${err.message}`));
  if (child.pid === undefined) {
    await sleep(50);
    throw new Error(`failed to spawn ${bin}: ${info ?? 'no pid'}`);
  }
  const pid = child.pid;
  await fsp.writeFile(pidFile, `${pid}\n`);
  const killOnExit = () => {
    try {
      if (info === null) process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  if (!detached) process.once('exit', killOnExit);
  return {
    child,
    pid,
    exited: () => info !== null,
    exitInfo: () => info,
    stop: async () => {
      await terminate(pid, detached, () => info !== null);
      process.removeListener('exit', killOnExit);
      if ((await readPidFile(pidFile)) === pid) await fsp.rm(pidFile, { force: true });
    },
  };
}

async function waitUntil(what: string, timeoutMs: number, proc: Spawned | null, logFile: string, offset: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (proc?.exited()) throw new Error(`${what}: the process exited (${proc.exitInfo()}). Tail of ${logFile}:\n${await readTail(logFile, offset)}`);
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000}s failed. Tail of ${logFile}:\n${await readTail(logFile, offset)}`);
    await sleep(300);
  }
}

async function frontendAnswers(address: string): Promise<boolean> {
  const conn = await tryConnect(address, 2000);
  if (!conn) return false;
  await conn.close();
  return true;
}

async function uiAnswers(uiUrl: string): Promise<boolean> {
  // The UI server proxies the frontend: a namespace read through it proves both ends.
  const res = await fetch(`${uiUrl}/api/v1/namespaces/${NAMESPACE}`, { signal: AbortSignal.timeout(3000) });
  return res.ok;
}

const START_TIMEOUT_MS = 120_000;

/** Runs (or reuses) the Postgres-backed server and its UI; see the file comment for the steps. */
export async function ensurePostgresServer(opts: PostgresServerOptions): Promise<PostgresServerHandle> {
  const log = opts.log ?? defaultLog;
  const rootDir = path.resolve(opts.rootDir);
  const files = serverFiles(rootDir);
  const { ports } = opts;
  const address = `127.0.0.1:${ports.frontend}`;
  const uiUrl = `http://127.0.0.1:${ports.ui}`;
  const metricsUrl = `http://127.0.0.1:${ports.metrics}/metrics`;
  const over = overVisibilityLimits();
  if (over.length > 0) throw new Error(`contracts/searchAttributes.ts is over the SQL visibility limits (${over.join(', ')})`);
  await fsp.mkdir(files.configDir, { recursive: true });
  await fsp.mkdir(files.uiConfigDir, { recursive: true });

  const started: Spawned[] = [];
  const stop = async () => {
    for (const p of started.reverse()) await p.stop().catch(() => undefined);
  };
  try {
    // 1. Reuse the processes of an earlier start from this root, if they are alive.
    const serverPid = await readPidFile(files.serverPid);
    let server: Spawned | null = null;
    let serverPidNow: number | null = null;
    if (serverPid !== null && !opts.recreate && (await runsFromRoot(serverPid, rootDir))) {
      log(`reusing the Temporal server (pid ${serverPid}) started earlier from ${rootDir}`);
      await waitUntil(`Temporal server pid ${serverPid} answering on ${address}`, START_TIMEOUT_MS, null, files.serverLog, 0, () => frontendAnswers(address));
      serverPidNow = serverPid;
    } else {
      if (serverPid !== null && pidAlive(serverPid) && (await runsFromRoot(serverPid, rootDir))) {
        await terminate(serverPid, opts.detached, () => !pidAlive(serverPid)); // recreate: not on the old data
      }
      await assertPortsFree(ports);
      const bins = await ensureServerBinaries(log);
      const pg = postgresTarget(opts.databaseUrl);
      const t0 = Date.now();
      await ensureSchema({ sqlBin: bins.sql, pg, databases: opts.databases, recreate: opts.recreate ?? false, log });
      log(`schemas of ${opts.databases.persistence} and ${opts.databases.visibility} current (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      await fsp.writeFile(files.configFile, serverConfigYaml({ ports, databases: opts.databases, postgres: pg }));
      const offset = await fsp.stat(files.serverLog).then((s) => s.size, () => 0);
      log(`starting the Temporal server v${TEMPORAL_SERVER_VERSION} on ${address} (log ${files.serverLog})`);
      const t1 = Date.now();
      server = await spawnLogged(
        bins.server,
        ['--root', rootDir, '--config', 'config', '--env', ENV_NAME, '--allow-no-auth', 'start'],
        files.serverLog,
        files.serverPid,
        opts.detached,
      );
      started.push(server);
      await waitUntil(`Temporal server answering on ${address}`, START_TIMEOUT_MS, server, files.serverLog, offset, () => frontendAnswers(address));
      log(`Temporal server (pid ${server.pid}) answering after ${((Date.now() - t1) / 1000).toFixed(1)} s`);
      serverPidNow = server.pid;
    }

    // 2. Namespace and search attributes (idempotent; waits for a query naming them all).
    await ensureNamespaceAndAttributes(address, NAMESPACE, log);

    // 3. The UI server.
    const uiPid = await readPidFile(files.uiPid);
    let uiPidNow: number | null = null;
    if (uiPid !== null && !opts.recreate && (await runsFromRoot(uiPid, rootDir)) && (await uiAnswers(uiUrl).catch(() => false))) {
      uiPidNow = uiPid;
    } else {
      if (await portInUse('127.0.0.1', ports.ui)) throw new Error(`Port ${ports.ui} (Temporal UI) is in use by ${await describeHolder(ports.ui)}`);
      const bins = await ensureServerBinaries(log);
      await fsp.writeFile(path.join(files.uiConfigDir, `${ENV_NAME}.yaml`), uiConfigYaml(ports));
      await fsp.writeFile(path.join(files.uiConfigDir, 'base.yaml'), '# see railbook.yaml\n');
      const offset = await fsp.stat(files.uiLog).then((s) => s.size, () => 0);
      const ui = await spawnLogged(bins.ui, ['--root', rootDir, '--config', 'ui', '--env', ENV_NAME, 'start'], files.uiLog, files.uiPid, opts.detached);
      started.push(ui);
      await waitUntil(`Temporal UI answering on ${uiUrl}`, 30_000, ui, files.uiLog, offset, () => uiAnswers(uiUrl));
      uiPidNow = ui.pid;
    }
    return {
      started: started.length > 0,
      address,
      uiUrl,
      metricsUrl,
      pids: { server: serverPidNow, ui: uiPidNow },
      logFiles: { server: files.serverLog, ui: files.uiLog },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Stops the server and UI started detached from rootDir (via their pid files). */
export async function stopPostgresServer(rootDir: string): Promise<{ server: boolean; ui: boolean }> {
  const root = path.resolve(rootDir);
  const files = serverFiles(root);
  const stopOne = async (pidFile: string): Promise<boolean> => {
    const pid = await readPidFile(pidFile);
    if (pid === null) return false;
    const ours = await runsFromRoot(pid, root);
    if (ours) await terminate(pid, true, () => !pidAlive(pid));
    await fsp.rm(pidFile, { force: true });
    return ours;
  };
  const ui = await stopOne(files.uiPid);
  const server = await stopOne(files.serverPid);
  return { server, ui };
}
