// Builds pinned Go binaries from the module proxy into a cache directory outside the repo,
// once per machine, under a lock (two processes never build at once; the second waits and
// then reuses the first one's build). Used for the Temporal server, its sql tool and the UI
// server (temporal/server.ts); the CLI keeps its own copy of this in devServer.ts.

import { execFile, spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

import { acquireLock, isExecutableFile, whichOnPath, type Log } from './devServer';

/** The go binary: on PATH, in /usr/local/go, or under $GOROOT; null without one. */
export async function findGo(): Promise<string | null> {
  const onPath = await whichOnPath('go');
  if (onPath) return onPath;
  if (await isExecutableFile('/usr/local/go/bin/go')) return '/usr/local/go/bin/go';
  const root = process.env.GOROOT;
  if (root && (await isExecutableFile(path.join(root, 'bin', 'go')))) return path.join(root, 'bin', 'go');
  return null;
}

/** True if `<bin> --version` exits 0 (a complete, runnable binary). */
export function runsVersion(bin: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(bin, ['--version'], { timeout: 15_000 }, (err) => resolve(!err));
  });
}

async function allRun(bins: string[]): Promise<boolean> {
  for (const b of bins) if (!(await isExecutableFile(b)) || !(await runsVersion(b))) return false;
  return true;
}

async function goInstall(goBin: string, packages: string[], dir: string, label: string, log: Log): Promise<void> {
  await fsp.mkdir(dir, { recursive: true });
  log(`building ${label}: GOBIN=${dir} go install ${packages.join(' ')}`);
  log('(first build: several minutes on 2 cores; cached afterwards)');
  const started = Date.now();
  // nice: the machine is shared; a build must not starve running servers and tests.
  const [cmd, args] =
    process.platform === 'win32' ? [goBin, ['install', '-v', ...packages]] : ['nice', ['-n', '10', goBin, 'install', '-v', ...packages]];
  const child = spawn(cmd, args, {
    cwd: dir, // outside any module / go.work
    env: { ...process.env, GOBIN: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  let compiled = 0;
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
      if (!line.startsWith('go:')) compiled++;
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const heartbeat = setInterval(() => {
    log(`still building ${label}… ${Math.round((Date.now() - started) / 1000)}s, ${compiled} packages compiled`);
  }, 30_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (code !== 0) throw new Error(`go install ${packages.join(' ')} failed (exit ${code}). Last output:\n${tail.join('\n')}`);
  } finally {
    clearInterval(heartbeat);
  }
  log(`built ${label} in ${Math.round((Date.now() - started) / 1000)}s`);
}

/**
 * Returns once every binary in `bins` (absolute paths inside dir) runs, building `packages`
 * into dir first if needed.
 */
export async function ensureGoBinaries(opts: { dir: string; packages: string[]; bins: string[]; label: string; log: Log }): Promise<void> {
  const { dir, packages, bins, label, log } = opts;
  if (await allRun(bins)) return;
  const goBin = await findGo();
  if (!goBin) {
    throw new Error(
      `${label} not found in ${dir} and no Go toolchain to build it. Install Go 1.25+ (https://go.dev/dl/) and rerun; ` +
        `it is then built once with \`GOBIN=${dir} go install ${packages.join(' ')}\`.`,
    );
  }
  const release = await acquireLock(`${dir}.lock`, log);
  try {
    // Another process may have finished the build while we waited for the lock.
    if (!(await allRun(bins))) await goInstall(goBin, packages, dir, label, log);
  } finally {
    await release();
  }
  if (!(await allRun(bins))) throw new Error(`go install finished but ${bins.join(', ')} do not run (\`--version\` failed)`);
}
