// Real OS processes the chaos run owns: the API and worker (tsx scripts) and its
// own redis-server. Each is started, watched and killed by pid (its whole
// process tree, so tsx's child dies with it); nothing else is ever signalled.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { processTree } from '../../bench/lib/procs';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const TSX_CLI = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface Proc {
  name: string;
  pid: number;
  startedAt: number;
  /** Set once the ready line was seen (or the readiness probe answered). */
  readyAt: number | null;
  exited: boolean;
  /** How it ended: exit code or signal. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last lines it wrote, for error messages. */
  tail: string[];
}

interface Spawned extends Proc {
  child: ChildProcess;
  out: WriteStream;
}

function watch(name: string, child: ChildProcess, logFile: string, readyLine: string | null): Spawned {
  const out = createWriteStream(logFile, { flags: 'a' });
  out.write(`\n=== ${new Date().toISOString()} ${name} pid ${child.pid}\n`);
  const p: Spawned = {
    name,
    pid: child.pid ?? -1,
    startedAt: Date.now(),
    readyAt: null,
    exited: false,
    exit: Promise.resolve({ code: null, signal: null }),
    tail: [],
    child,
    out,
  };
  const onData = (c: Buffer) => {
    out.write(c);
    for (const line of c.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      if (readyLine && p.readyAt === null && line.includes(readyLine)) p.readyAt = Date.now();
      p.tail.push(line.slice(0, 500));
      if (p.tail.length > 30) p.tail.shift();
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  p.exit = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      p.exited = true;
      out.end(`=== exited code=${code} signal=${signal}\n`);
      resolve({ code, signal });
    });
  });
  return p;
}

/** A TypeScript entry point (e.g. workers/main.ts) run by tsx, as `npm run start:*` would. */
export function startScript(name: string, script: string, env: NodeJS.ProcessEnv, logDir: string, readyLine: string | null): Proc {
  const child = spawn(process.execPath, [TSX_CLI, script], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return watch(name, child, path.join(logDir, `${name}.log`), readyLine);
}

/** redis-server on its own port, nothing saved: a restart comes back empty. */
export function startRedis(port: number, logDir: string): Proc {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return watch('redis', child, path.join(logDir, 'redis.log'), 'Ready to accept connections');
}

/** SIGKILL to the process and every descendant of it (no grace: this is the crash being tested). */
export async function killTree(p: Proc, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (p.exited) return;
  for (const pid of processTree(p.pid)) {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
  await Promise.race([p.exit, sleep(10_000)]);
}

/** SIGTERM first (a clean stop at the end of the run), SIGKILL for whatever is left. */
export async function stopTree(p: Proc, graceMs: number): Promise<void> {
  if (p.exited) return;
  const tree = processTree(p.pid);
  try {
    process.kill(p.pid, 'SIGTERM');
  } catch {
    /* gone */
  }
  await Promise.race([p.exit, sleep(graceMs)]);
  for (const pid of tree) {
    try {
      process.kill(pid, 0);
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  await Promise.race([p.exit, sleep(5000)]);
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(1000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

export async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean> | boolean, intervalMs = 250): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await Promise.resolve(check()).catch(() => false)) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what} not within ${Math.round(timeoutMs / 1000)} s`);
    await sleep(intervalMs);
  }
}
