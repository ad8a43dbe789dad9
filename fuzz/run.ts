// CLI: npm run fuzz -- [--count 10000] [--seed N] [--base-url URL] [--concurrency 8]
//                      [--deadline-ms 10000] [--only 12,345] [--out summary.json]
// Without --base-url it starts its own isolated stack (fuzz/stack.ts). Prints
// the JSON summary on stdout; exits 1 when any violation was found.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { fuzz } from './fuzzer';
import { startOwnStack } from './stack';

const log = (m: string) => process.stderr.write(`[fuzz] ${m}\n`);

function int(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new Error(`--${name} must be an integer, got "${raw}"`);
  return Number(raw);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string' },
      seed: { type: 'string' },
      'base-url': { type: 'string' },
      concurrency: { type: 'string' },
      'deadline-ms': { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
      'days-ahead': { type: 'string' },
    },
  });
  const seed = int('seed', values.seed, Date.now() % 2 ** 31);
  const count = int('count', values.count, 10_000);
  const only = values.only?.split(',').map((s) => int('only', s.trim(), 0));
  const daysAhead = (values['days-ahead'] ?? '110,111,112,113,114').split(',').map((s) => int('days-ahead', s.trim(), 0));
  log(`seed ${seed} (rerun with --seed ${seed}), ${only ? `requests ${only.join(',')}` : `${count} requests`}`);

  let baseUrl = values['base-url'];
  let secret = loadConfig().jwt.secret; // JWT_SECRET of the API under test, to sign staff and expired tokens
  let stop: (() => Promise<void>) | undefined;
  if (!baseUrl) {
    const own = await startOwnStack(log);
    baseUrl = own.stack.baseUrl;
    secret = own.stack.config.jwt.secret;
    stop = own.stop;
  }
  try {
    const summary = await fuzz({
      baseUrl,
      secret,
      daysAhead,
      count,
      seed,
      only,
      concurrency: int('concurrency', values.concurrency, 8),
      deadlineMs: int('deadline-ms', values['deadline-ms'], 10_000),
      progress: (done, total) => log(`${done}/${total}`),
    });
    const text = JSON.stringify(summary, null, 2);
    process.stdout.write(`${text}\n`);
    if (values.out) writeFileSync(values.out, text);
    log(`${summary.requests} requests in ${(summary.durationMs / 1000).toFixed(1)} s, ${summary.violations.total} violations (seed ${seed})`);
    return summary.violations.total === 0 ? 0 : 1;
  } finally {
    await stop?.();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    log(err.stack ?? err.message);
    process.exit(2);
  },
);
