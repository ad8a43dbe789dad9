// `npm run dev`: everything a developer needs, on the embedded defaults.
// 1. the Temporal CLI (built once and cached) and its dev server (kept running
//    between runs, data in .temporal/data; `npm run temporal:stop` stops it),
// 2. the database (created, migrated, seeded from the real timetable if empty),
// 3. the worker and the API as child processes, logs prefixed, stopped on Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../config';
import { ensureDatabase, runMigrations } from '../db/admin';
import { createDb } from '../db/client';
import { importTimetable, isCatalogEmpty } from '../db/seed/import';
import { defaultDataDir } from '../db/seed/dataDir';
import { ensureDevServer, ensureTemporalCli } from '../temporal/devServer';
import { ensureDemoUsers } from './demoUsers';

const repoRoot = path.resolve(__dirname, '..');
const say = (m: string) => console.log(`[dev] ${m}`);

function startChild(name: string, script: string, onExit: (code: number | null) => void): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: repoRoot,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => `${name.padEnd(6)}| ${l}\n`)
      .join('');
  child.stdout?.on('data', (c: Buffer) => process.stdout.write(prefix(c)));
  child.stderr?.on('data', (c: Buffer) => process.stderr.write(prefix(c)));
  child.on('exit', onExit);
  return child;
}

async function waitForReady(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

async function main(): Promise<void> {
  const started = Date.now();
  const config = loadConfig();

  await ensureTemporalCli(say);
  const dataDir = path.join(repoRoot, '.temporal', 'data');
  const temporal = await ensureDevServer({
    address: config.temporal.address,
    uiPort: config.temporal.uiPort,
    namespace: config.temporal.namespace,
    dbFile: path.join(dataDir, 'dev.sqlite'),
    logFile: path.join(dataDir, 'dev-server.log'),
    pidFile: path.join(dataDir, 'dev-server.pid'),
    detached: true,
    log: say,
  });
  say(temporal.started ? 'Temporal dev server started' : 'reusing the running Temporal server');

  if (await ensureDatabase(config.databaseUrl)) say('created the database');
  await runMigrations(config.databaseUrl);
  say('migrations applied');
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

  const children: ChildProcess[] = [];
  let stopping = false;
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    setTimeout(() => process.exit(code), 8000).unref();
    Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null))).then(() =>
      process.exit(code),
    );
  };
  const onChildExit = (name: string) => (code: number | null) => {
    if (!stopping) {
      console.error(`[dev] ${name} exited (${code}); stopping the rest`);
      stopAll(1);
    }
  };
  children.push(startChild('worker', 'workers/main.ts', onChildExit('worker')));
  children.push(startChild('api', 'api/server.ts', onChildExit('api')));
  process.on('SIGINT', () => stopAll(0));
  process.on('SIGTERM', () => stopAll(0));

  const host = config.api.host === '0.0.0.0' ? '127.0.0.1' : config.api.host;
  const apiUrl = `http://${host}:${config.api.port}`;
  if (!(await waitForReady(`${apiUrl}/readyz`, 60_000))) {
    console.error('[dev] the API did not become ready within 60 s; see the logs above');
    return;
  }
  const mail = config.mail.smtpUrl ? `SMTP ${new URL(config.mail.smtpUrl).host}` : path.resolve(config.mail.outboxDir);
  console.log(
    [
      '',
      `  Railbook is up (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      `  API          ${apiUrl}`,
      `  API docs     ${apiUrl}/docs`,
      `  Temporal UI  ${config.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows`,
      `  Mail         ${mail}`,
      `  Try          curl '${apiUrl}/trains/search?from=MMCT&to=NDLS&date=<YYYY-MM-DD>'`,
      '  Ctrl-C stops the API and the worker; `npm run temporal:stop` stops the Temporal server.',
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  console.error(`[dev] failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
