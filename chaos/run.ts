// `npm run chaos`: the money path audited under faults (not a test: a run that
// prints a report; chaos/README.md says how to read it). Brings up its own
// stack (chaos/lib/stack.ts), sends travellers at one many-stop run while it
// kills workers, restarts Temporal and Redis, fails SMTP and hangs the gateway,
// lets the system settle, audits, and prints the JSON report (also saved in
// the work directory). Exit code 0 only when every zero of the report is 0.
//
//   npm run chaos
//   npm run chaos -- --holds 1000 --paid 300 --cancelled 100 --duration 300 --kill-interval 8
//   npm run chaos -- --help
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runChaos, type ChaosOptions } from './lib/chaos';
import { DEFAULT_CHAOS_STACK } from './lib/stack';

const HELP = `npm run chaos -- [options]

  --holds 1000          holds (201s) to place on the one run
  --paid 300            bookings to pay (confirmed answers wanted)
  --cancelled 100       cancellations (half of held bookings, half after payment)
  --duration 300        seconds of load, over which the faults are spread
  --kill-interval 8     seconds between worker SIGKILLs (0: none)
  --workers 2           worker processes (killed in turn)
  --hold-ttl 60         HOLD_TTL_SECONDS of the stack (abandoned holds expire within the run)
  --slack 120           seconds a hold may outlive its expiry before it counts as alive past its TTL
  --settle 420          longest wait after the load for the system to settle before the audit
  --concurrency 40      most traveller sessions in flight
  --timeout 35          client deadline per request in seconds (past it: no answer)
  --gateway-hang 20     seconds the gateway hangs per request in its fault windows
  --redis-down 5        seconds redis-server stays down before it comes back empty
  --train 18237         train (default 85 stops), --class SL, --days-ahead 40
  --users 20            accounts (register is limited to 30/min per IP)
  --seed 7              PRNG seed of the travellers' journeys
`;

function parseArgs(argv: string[]): ChaosOptions {
  const o: ChaosOptions = {
    holds: 1000,
    paid: 300,
    cancelled: 100,
    durationSeconds: 300,
    killIntervalSeconds: 8,
    workers: 2,
    holdTtlSeconds: 60,
    slackSeconds: 120,
    settleSeconds: 420,
    concurrency: 40,
    requestTimeoutMs: 35_000,
    gatewayHangMs: 20_000,
    redisDownMs: 5000,
    train: '18237',
    classCode: 'SL',
    daysAhead: 40,
    users: 20,
    seed: 7,
    stack: { ...DEFAULT_CHAOS_STACK },
  };
  const num = (flag: string, v: string | undefined, min: number, max: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min || n > max) throw new Error(`${flag} wants a number from ${min} to ${max}, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const eq = flag.indexOf('=');
    const name = eq >= 0 ? flag.slice(0, eq) : flag;
    const value = () => (eq >= 0 ? flag.slice(eq + 1) : argv[++i]);
    switch (name) {
      case '--holds': o.holds = Math.round(num(name, value(), 1, 100_000)); break;
      case '--paid': o.paid = Math.round(num(name, value(), 0, 100_000)); break;
      case '--cancelled': o.cancelled = Math.round(num(name, value(), 0, 100_000)); break;
      case '--duration': o.durationSeconds = num(name, value(), 10, 7200); break;
      case '--kill-interval': o.killIntervalSeconds = num(name, value(), 0, 3600); break;
      case '--workers': o.workers = Math.round(num(name, value(), 1, 8)); break;
      case '--hold-ttl': o.holdTtlSeconds = Math.round(num(name, value(), 2, 3600)); break;
      case '--slack': o.slackSeconds = num(name, value(), 0, 3600); break;
      case '--settle': o.settleSeconds = num(name, value(), 0, 7200); break;
      case '--concurrency': o.concurrency = Math.round(num(name, value(), 1, 1000)); break;
      case '--timeout': o.requestTimeoutMs = num(name, value(), 1, 600) * 1000; break;
      case '--gateway-hang': o.gatewayHangMs = num(name, value(), 0, 600) * 1000; break;
      case '--redis-down': o.redisDownMs = num(name, value(), 0, 600) * 1000; break;
      case '--train': o.train = value() ?? o.train; break;
      case '--class': o.classCode = value() ?? o.classCode; break;
      case '--days-ahead': o.daysAhead = Math.round(num(name, value(), 3, 120)); break;
      case '--users': o.users = Math.round(num(name, value(), 1, 30)); break;
      case '--seed': o.seed = Math.round(num(name, value(), 1, 2 ** 31)); break;
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${flag}\n\n${HELP}`);
    }
  }
  return o;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const log = (m: string) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
  const report = await runChaos(opts, log);
  const file = path.join(opts.stack.workDir, `report-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  const text = JSON.stringify(report, null, 2);
  writeFileSync(file, text);
  process.stdout.write(`${text}\n`);
  log(`zeros: ${JSON.stringify(report.zeros)}`);
  log(`${report.ok ? 'OK: every zero is 0' : 'VIOLATIONS: see "violations" in the report'}; targets ${report.traffic.targetsMet ? 'met' : 'NOT met'}; report saved to ${file}`);
  process.exitCode = report.ok && report.traffic.targetsMet ? 0 : 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`chaos run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(2);
});
