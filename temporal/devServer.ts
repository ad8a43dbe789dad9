// Obtains the Temporal CLI and runs its development server (`temporal server start-dev`).
//
// Library only: imported by scripts/dev.ts, temporal/cli.ts and the jest global setup.
// Nothing here calls process.exit; failures are thrown as Errors with a readable message.
//
// CLI lookup order (see ensureTemporalCli):
//   1. $TEMPORAL_CLI_PATH (explicit; an error if it does not work)
//   2. `temporal` on PATH, if `temporal --version` works
//   3. cached build: ${TEMPORAL_CLI_CACHE_DIR:-~/.cache/railbook/temporal-v1.5.1}/temporal
//   4. build it into that directory with `go install github.com/temporalio/cli/cmd/temporal@v1.5.1`
// Nothing else is downloaded at run time.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants, promises as fsp, openSync, closeSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
// Transitive dependency of @temporalio/client (same version); used only for the enum values.
import { temporal } from '@temporalio/proto';

import { SEARCH_ATTRIBUTES } from '../contracts/searchAttributes';

export const TEMPORAL_CLI_VERSION = '1.5.1';

/** Go package of the CLI. Later tags carry a `replace` directive and cannot be `go install`ed. */
const CLI_GO_PACKAGE = `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;
const EXE = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

export type Log = (msg: string) => void;
const defaultLog: Log = (msg) => process.stderr.write(`[temporal] ${msg}\n`);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function errMsg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function errCode(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
}

// gRPC status codes used below.
const GRPC_NOT_FOUND = 5;
const GRPC_ALREADY_EXISTS = 6;

// ---------------------------------------------------------------------------------------------
// Temporal CLI
// ---------------------------------------------------------------------------------------------

/** Directory holding the cached `go install` build (outside the repo, shared by clones). */
export function temporalCliCacheDir(): string {
  const fromEnv = process.env.TEMPORAL_CLI_CACHE_DIR;
  if (fromEnv && fromEnv.trim() !== '') return path.resolve(fromEnv);
  return path.join(os.homedir(), '.cache', 'railbook', `temporal-v${TEMPORAL_CLI_VERSION}`);
}

/** Runs `<bin> --version`; resolves to its first output line, or null if it does not work. */
function cliVersion(bin: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(bin, ['--version'], { timeout: 15_000 }, (err, stdout) => {
      if (err) return resolve(null);
      resolve(stdout.trim().split('\n')[0] ?? '');
    });
  });
}

export async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const st = await fsp.stat(file);
    if (!st.isFile()) return false;
    await fsp.access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of `name` found on PATH, or null. */
export async function whichOnPath(name: string, extraDirs: string[] = []): Promise<string | null> {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).concat(extraDirs);
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (await isExecutableFile(candidate)) return candidate;
    }
  }
  return null;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errCode(err) === 'EPERM';
  }
}

const LOCK_STALE_MS = 45 * 60_000; // a build never takes this long; a lock this old is abandoned
const LOCK_WAIT_MS = 60 * 60_000;

/**
 * Exclusive lock file created with O_EXCL ('wx'). A lock whose owner pid is dead, or which is
 * older than LOCK_STALE_MS, is considered stale and removed. Returns a release function.
 */
export async function acquireLock(lockFile: string, log: Log): Promise<() => Promise<void>> {
  await fsp.mkdir(path.dirname(lockFile), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  let announced = false;
  for (;;) {
    try {
      const fh = await fsp.open(lockFile, 'wx');
      await fh.writeFile(JSON.stringify({ pid: process.pid, host: os.hostname(), at: new Date().toISOString() }));
      await fh.close();
      return async () => {
        await fsp.rm(lockFile, { force: true });
      };
    } catch (err) {
      if (errCode(err) !== 'EEXIST') throw err;
    }
    // Somebody holds it: stale?
    let owner: { pid?: number; host?: string } = {};
    let mtimeMs = Date.now();
    try {
      owner = JSON.parse(await fsp.readFile(lockFile, 'utf8')) as typeof owner;
    } catch {
      /* being written right now, or garbage: judged by age below */
    }
    try {
      mtimeMs = (await fsp.stat(lockFile)).mtimeMs;
    } catch {
      continue; // vanished in between: retry at once
    }
    const sameHost = owner.host === undefined || owner.host === os.hostname();
    const deadOwner = typeof owner.pid === 'number' && sameHost && !pidAlive(owner.pid);
    const tooOld = Date.now() - mtimeMs > LOCK_STALE_MS;
    if (deadOwner || tooOld) {
      log(`removing stale lock ${lockFile} (${deadOwner ? `owner pid ${owner.pid} is gone` : 'too old'})`);
      await fsp.rm(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for lock ${lockFile} (held by pid ${owner.pid ?? '?'}); remove it if no build is running`);
    }
    if (!announced) {
      log(`another process (pid ${owner.pid ?? '?'}) is building the Temporal CLI; waiting for it…`);
      announced = true;
    }
    await sleep(2000);
  }
}

/** `go install`s the CLI into cacheDir, streaming progress through log. */
async function goInstall(goBin: string, cacheDir: string, log: Log): Promise<void> {
  await fsp.mkdir(cacheDir, { recursive: true });
  log(`building Temporal CLI v${TEMPORAL_CLI_VERSION} with ${goBin}: go install ${CLI_GO_PACKAGE}`);
  log(`(first build takes a few minutes; the binary is cached in ${cacheDir})`);
  const started = Date.now();
  const child = spawn(goBin, ['install', '-v', CLI_GO_PACKAGE], {
    cwd: cacheDir, // outside any module / go.work
    env: { ...process.env, GOBIN: cacheDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  let packages = 0;
  let partial = '';
  const onData = (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const raw of lines) {
      const line = raw.trimEnd();
      if (!line) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
      // `-v` prints each package as it is compiled (hundreds of them): count, don't echo.
      if (/^[\w.-]+(\/[\w.~+-]+)*$/.test(line) && !line.startsWith('go:')) packages++;
      else log(`go: ${line.replace(/^go: /, '')}`);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const heartbeat = setInterval(() => {
    const secs = Math.round((Date.now() - started) / 1000);
    log(`still building… ${secs}s elapsed, ${packages}/~1300 packages compiled`);
  }, 15_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c) => resolve(c));
    });
    if (code !== 0) {
      if (partial) tail.push(partial);
      throw new Error(
        `go install ${CLI_GO_PACKAGE} failed (exit ${code}). Last output:\n${tail.join('\n')}`,
      );
    }
  } finally {
    clearInterval(heartbeat);
  }
  log(`built Temporal CLI in ${Math.round((Date.now() - started) / 1000)}s (${packages} packages)`);
}

function installHelp(cacheDir: string): string {
  return (
    'Temporal CLI not found. Either install Go 1.25+ (https://go.dev/dl/) and rerun ' +
    `(the CLI is then built once with \`go install ${CLI_GO_PACKAGE}\` into ${cacheDir}), ` +
    'or install the Temporal CLI yourself (https://docs.temporal.io/cli#install) and put `temporal` ' +
    'on PATH or set TEMPORAL_CLI_PATH=/path/to/temporal.'
  );
}

/**
 * Returns the path of a working Temporal CLI binary, building it with `go install` if needed.
 * Throws if there is no binary and no Go toolchain.
 */
export async function ensureTemporalCli(log: Log = defaultLog): Promise<string> {
  // 0. Explicit override.
  const explicit = process.env.TEMPORAL_CLI_PATH;
  if (explicit && explicit.trim() !== '') {
    const bin = path.resolve(explicit);
    if ((await cliVersion(bin)) === null) {
      throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not a working Temporal CLI (\`${bin} --version\` failed)`);
    }
    return bin;
  }

  // 1. On PATH.
  const onPath = await whichOnPath('temporal');
  if (onPath && (await cliVersion(onPath)) !== null) return onPath;

  // 2. Cached build.
  const cacheDir = temporalCliCacheDir();
  const cached = path.join(cacheDir, EXE);
  if ((await isExecutableFile(cached)) && (await cliVersion(cached)) !== null) return cached;

  // 3. Build it (under a lock, so concurrent processes never build at once).
  const goBin =
    (await whichOnPath('go')) ??
    ((await isExecutableFile('/usr/local/go/bin/go')) ? '/usr/local/go/bin/go' : null) ??
    (process.env.GOROOT && (await isExecutableFile(path.join(process.env.GOROOT, 'bin', 'go')))
      ? path.join(process.env.GOROOT, 'bin', 'go')
      : null);
  if (!goBin) throw new Error(installHelp(cacheDir));

  const release = await acquireLock(`${cacheDir}.lock`, log);
  try {
    // Someone else may have finished the build while we waited for the lock.
    if (!((await isExecutableFile(cached)) && (await cliVersion(cached)) !== null)) {
      await goInstall(goBin, cacheDir, log);
    }
  } finally {
    await release();
  }
  if ((await cliVersion(cached)) === null) {
    throw new Error(`go install finished but ${cached} does not run (\`--version\` failed)`);
  }
  return cached;
}

// ---------------------------------------------------------------------------------------------
// Dev server
// ---------------------------------------------------------------------------------------------

export interface DevServerOptions {
  /** host:port for gRPC, e.g. 127.0.0.1:7233 */
  address: string;
  uiPort: number;
  namespace: string;
  /** SQLite file for persistence; null = in-memory */
  dbFile: string | null;
  /** More `start-dev` flags, e.g. ['--metrics-port', '9492'] (the benchmark reads the server's metrics). */
  extraArgs?: string[];
  logFile: string;
  /** true: the server outlives this process (dev); false: child of this process (tests) */
  detached: boolean;
  pidFile?: string;
  log?: (msg: string) => void;
}

export interface DevServerHandle {
  /** false when an already-running server was reused */
  started: boolean;
  pid?: number;
  uiUrl: string;
  /** Stops the server if this call started it; no-op for a reused server. */
  stop(): Promise<void>;
}

export function parseAddress(address: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address);
  if (!m || !m[1] || !m[2]) throw new Error(`Invalid Temporal address "${address}" (expected host:port)`);
  return { host: m[1], port: Number(m[2]) };
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/** Connects if a Temporal frontend answers on address (getSystemInfo succeeds), else null. */
export async function tryConnect(address: string, timeoutMs: number): Promise<Connection | null> {
  let conn: Connection | undefined;
  try {
    conn = await Connection.connect({ address, connectTimeout: timeoutMs });
    await conn.withDeadline(Date.now() + timeoutMs, () => conn!.workflowService.getSystemInfo({}));
    return conn;
  } catch {
    await conn?.close().catch(() => undefined);
    return null;
  }
}

/** True if something accepts TCP connections on host:port. */
export function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (v: boolean) => {
      socket.destroy();
      resolve(v);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function readTail(file: string, fromOffset: number, lines = 40): Promise<string> {
  try {
    const buf = await fsp.readFile(file);
    const text = buf.subarray(Math.min(fromOffset, buf.length)).toString('utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(log file not readable)';
  }
}

export async function readPidFile(pidFile: string): Promise<number | null> {
  try {
    const pid = Number.parseInt((await fsp.readFile(pidFile, 'utf8')).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Best-effort check that pid is a Temporal CLI process (guards against a recycled pid). */
async function looksLikeTemporal(pid: number): Promise<boolean> {
  if (!pidAlive(pid)) return false;
  try {
    const cmdline = await fsp.readFile(`/proc/${pid}/cmdline`, 'utf8');
    return /temporal/.test(cmdline) && cmdline.includes('start-dev');
  } catch {
    return true; // no /proc (macOS): trust the pid file
  }
}

/** True if pid is a live `temporal server start-dev` listening on port (needs /proc; else false). */
async function servesPort(pid: number, port: number): Promise<boolean> {
  if (!pidAlive(pid)) return false;
  try {
    const argv = (await fsp.readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    const i = argv.indexOf('--port');
    return argv.includes('start-dev') && i >= 0 && argv[i + 1] === String(port);
  } catch {
    return false;
  }
}

/** Signals pid (its process group when group=true), waits up to 10 s, then SIGKILLs. */
export async function terminate(pid: number, group: boolean, exited: () => boolean): Promise<void> {
  const send = (sig: NodeJS.Signals) => {
    try {
      process.kill(group ? -pid : pid, sig);
    } catch (err) {
      if (group) {
        try {
          process.kill(pid, sig);
        } catch {
          /* already gone */
        }
      } else if (errCode(err) !== 'ESRCH') throw err;
    }
  };
  if (exited()) return;
  send('SIGTERM');
  const deadline = Date.now() + 10_000;
  while (!exited() && Date.now() < deadline) await sleep(100);
  if (exited()) return;
  send('SIGKILL');
  const killDeadline = Date.now() + 5_000;
  while (!exited() && Date.now() < killDeadline) await sleep(100);
}

/** Stops a detached server started earlier, via its pid file. Resolves true if one was stopped. */
export async function stopDevServer(pidFile: string): Promise<boolean> {
  const pid = await readPidFile(pidFile);
  if (pid === null) return false;
  if (!(await looksLikeTemporal(pid))) {
    await fsp.rm(pidFile, { force: true });
    return false;
  }
  await terminate(pid, true, () => !pidAlive(pid));
  if (pidAlive(pid)) throw new Error(`Temporal dev server (pid ${pid}) did not exit after SIGKILL`);
  await fsp.rm(pidFile, { force: true });
  return true;
}

function indexedValueType(kind: string): temporal.api.enums.v1.IndexedValueType {
  const T = temporal.api.enums.v1.IndexedValueType;
  switch (kind) {
    case 'Text':
      return T.INDEXED_VALUE_TYPE_TEXT;
    case 'Keyword':
      return T.INDEXED_VALUE_TYPE_KEYWORD;
    case 'Int':
      return T.INDEXED_VALUE_TYPE_INT;
    case 'Double':
      return T.INDEXED_VALUE_TYPE_DOUBLE;
    case 'Bool':
      return T.INDEXED_VALUE_TYPE_BOOL;
    case 'Datetime':
      return T.INDEXED_VALUE_TYPE_DATETIME;
    case 'KeywordList':
      return T.INDEXED_VALUE_TYPE_KEYWORD_LIST;
    default:
      throw new Error(`Unknown search attribute kind "${kind}"`);
  }
}

/** Enum values may come back as numbers or as their names, depending on decoding. */
function sameType(actual: unknown, expected: temporal.api.enums.v1.IndexedValueType): boolean {
  return actual === expected || actual === temporal.api.enums.v1.IndexedValueType[expected];
}

/** Makes sure the namespace exists and the frontend's namespace cache knows it. */
async function ensureNamespace(conn: Connection, namespace: string, log: Log): Promise<void> {
  try {
    await conn.workflowService.describeNamespace({ namespace });
  } catch (err) {
    if (errCode(err) !== GRPC_NOT_FOUND) throw err;
    log(`registering namespace ${namespace}`);
    try {
      await conn.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs('3 days'),
      });
    } catch (regErr) {
      if (errCode(regErr) !== GRPC_ALREADY_EXISTS) throw regErr;
    }
  }
  // describeNamespace reads persistence; list/count go through the namespace cache, which is
  // what starting workflows needs. Poll until both answer.
  await pollUntil(`namespace ${namespace} to become usable`, 60_000, async () => {
    await conn.workflowService.describeNamespace({ namespace });
    await conn.workflowService.countWorkflowExecutions({ namespace, query: '' });
  });
}

export async function pollUntil(what: string, timeoutMs: number, probe: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      await probe();
      return;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}: ${errMsg(lastErr)}`);
    await sleep(500);
  }
}

/** Registers every attribute of SEARCH_ATTRIBUTES on the namespace and waits until usable. */
async function ensureSearchAttributes(conn: Connection, namespace: string, log: Log): Promise<void> {
  const wanted = Object.entries(SEARCH_ATTRIBUTES).map(([name, kind]) => ({
    name,
    kind: kind as string,
    type: indexedValueType(kind),
  }));
  const listed = async () =>
    (await conn.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};

  const current = await listed();
  const missing: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
  for (const { name, kind, type } of wanted) {
    if (!(name in current)) {
      missing[name] = type;
    } else if (!sameType(current[name], type)) {
      throw new Error(
        `Search attribute ${name} exists on namespace ${namespace} with a different type ` +
          `(${String(current[name])}, expected ${kind}); use a fresh dev database`,
      );
    }
  }
  const missingNames = Object.keys(missing);
  if (missingNames.length > 0) {
    log(`registering search attributes on ${namespace}: ${missingNames.join(', ')}`);
    try {
      await conn.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
    } catch (err) {
      if (errCode(err) !== GRPC_ALREADY_EXISTS) throw err;
    }
  }
  await pollUntil(`search attributes on ${namespace}`, 60_000, async () => {
    const now = await listed();
    const absent = wanted.filter(({ name }) => !(name in now)).map(({ name }) => name);
    if (absent.length > 0) throw new Error(`not yet listed: ${absent.join(', ')}`);
    // Visibility queries validate attribute names against the namespace cache: once this
    // query is accepted, workflows can upsert and filter on every attribute.
    const query = wanted.map(({ name }) => `${name} = '_'`).join(' AND ');
    await conn.workflowService.countWorkflowExecutions({ namespace, query });
  });
}

export async function ensureNamespaceAndAttributes(address: string, namespace: string, log: Log): Promise<void> {
  const conn = await tryConnect(address, 10_000);
  if (!conn) throw new Error(`Temporal server on ${address} stopped answering`);
  try {
    await ensureNamespace(conn, namespace, log);
    await ensureSearchAttributes(conn, namespace, log);
  } finally {
    await conn.close();
  }
}

const START_TIMEOUT_MS = 90_000;

/**
 * Reuses a Temporal server already answering on opts.address, or starts `temporal server
 * start-dev` there; then makes sure the namespace and the search attributes exist.
 */
export async function ensureDevServer(opts: DevServerOptions): Promise<DevServerHandle> {
  const log = opts.log ?? defaultLog;
  const { host, port } = parseAddress(opts.address);
  const uiUrl = `http://${urlHost(host)}:${opts.uiPort}`;

  // 1. Something already running?
  // (A quick TCP probe first: a gRPC connect to a closed port waits for its whole timeout.)
  let existing = (await portInUse(host, port)) ? await tryConnect(opts.address, 5000) : null;
  if (!existing && opts.pidFile) {
    // A server we started earlier may still be booting: give it the start timeout.
    const pid = await readPidFile(opts.pidFile);
    if (pid !== null && (await servesPort(pid, port))) {
      log(`dev server pid ${pid} (from ${opts.pidFile}) is running but not answering yet; waiting…`);
      const deadline = Date.now() + START_TIMEOUT_MS;
      while (!existing && Date.now() < deadline && pidAlive(pid)) {
        await sleep(500);
        existing = await tryConnect(opts.address, 2000);
      }
      if (!existing) {
        throw new Error(
          `Temporal dev server pid ${pid} (from ${opts.pidFile}) does not answer on ${opts.address}; ` +
            `stop it (npm run temporal:stop) and retry. Log: ${opts.logFile}`,
        );
      }
    }
  }
  if (existing) {
    await existing.close();
    log(`reusing Temporal server already running on ${opts.address}`);
    await ensureNamespaceAndAttributes(opts.address, opts.namespace, log);
    return { started: false, uiUrl, stop: async () => undefined };
  }
  if (await portInUse(host, port)) {
    throw new Error(`Port ${opts.address} is in use by something that is not a Temporal server`);
  }

  // 2. Start one.
  const bin = await ensureTemporalCli(log);
  const args = [
    'server', 'start-dev',
    '--ip', host,
    '--port', String(port),
    '--ui-port', String(opts.uiPort),
    '--namespace', opts.namespace,
    '--log-level', 'warn',
  ];
  if (opts.dbFile !== null) {
    await fsp.mkdir(path.dirname(path.resolve(opts.dbFile)), { recursive: true });
    args.push('--db-filename', path.resolve(opts.dbFile));
  }
  for (const [name, kind] of Object.entries(SEARCH_ATTRIBUTES)) {
    args.push('--search-attribute', `${name}=${kind}`);
  }
  if (opts.extraArgs) args.push(...opts.extraArgs);

  await fsp.mkdir(path.dirname(path.resolve(opts.logFile)), { recursive: true });
  // Appends; failure messages quote only what this run wrote (from startOffset on).
  const startOffset = await fsp.stat(opts.logFile).then((s) => s.size, () => 0);
  await fsp.appendFile(opts.logFile, `\n=== ${new Date().toISOString()} ${bin} ${args.join(' ')}\n`);
  const logFd = openSync(opts.logFile, 'a');

  // The CLI reads TEMPORAL_* client settings from the environment; keep them away from the server.
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TEMPORAL_')) env[k] = v;

  const startedAt = Date.now();
  log(`starting Temporal dev server on ${opts.address} (UI ${uiUrl}, ${opts.dbFile ? `db ${opts.dbFile}` : 'in-memory'}, log ${opts.logFile})`);
  let child: ChildProcess;
  try {
    child = spawn(bin, args, { detached: opts.detached, stdio: ['ignore', logFd, logFd], env });
  } finally {
    closeSync(logFd);
  }
  child.unref(); // never keep the caller's event loop alive on the server's account

  let exitInfo: string | null = null;
  let spawnError: Error | null = null;
  child.once('exit', (code, signal) => {
    exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
  });
  child.once('error', (err) => {
    spawnError = err;
    exitInfo = `spawn error: ${err.message}`;
  });
  const exited = () => exitInfo !== null;
  const pid = child.pid;

  // A non-detached server must not outlive us even if stop() is never called.
  const killOnExit = () => {
    if (!exited() && pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  if (!opts.detached) process.once('exit', killOnExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (pid !== undefined) await terminate(pid, opts.detached, exited);
    process.removeListener('exit', killOnExit);
    if (opts.pidFile && pid !== undefined && (await readPidFile(opts.pidFile)) === pid) {
      await fsp.rm(opts.pidFile, { force: true });
    }
  };

  try {
    if (pid === undefined) {
      await sleep(50); // let the 'error' event arrive
      throw spawnError ?? new Error(`failed to spawn ${bin}`);
    }
    if (opts.pidFile) {
      await fsp.mkdir(path.dirname(path.resolve(opts.pidFile)), { recursive: true });
      await fsp.writeFile(opts.pidFile, `${pid}\n`);
    }
    // 3. Wait until healthy.
    const deadline = Date.now() + START_TIMEOUT_MS;
    let conn: Connection | null = null;
    while (!conn) {
      if (exited()) {
        throw new Error(
          `Temporal dev server exited during start-up (${exitInfo}). Tail of ${opts.logFile}:\n` +
            (await readTail(opts.logFile, startOffset)),
        );
      }
      if (Date.now() > deadline) {
        throw new Error(
          `Temporal dev server did not become healthy on ${opts.address} within ${START_TIMEOUT_MS / 1000}s. ` +
            `Tail of ${opts.logFile}:\n${await readTail(opts.logFile, startOffset)}`,
        );
      }
      conn = (await portInUse(host, port)) ? await tryConnect(opts.address, 2000) : null;
      if (!conn) await sleep(250);
    }
    await conn.close();
    log(`Temporal dev server (pid ${pid}) healthy after ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
    await ensureNamespaceAndAttributes(opts.address, opts.namespace, log);
    log(`namespace ${opts.namespace} ready after ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return { started: true, pid, uiUrl, stop };
}
