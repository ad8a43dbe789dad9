// The CI version of `npm run chaos` (chaos/README.md): the same run, small and
// short. Its own stack on ports of its own (Temporal 7280 with a SQLite file,
// API 3080, redis-server 6391, database railbook_chaos_ci), separate from the
// full run's (7270/3070/6390) and from the shared test stack, which it does
// not use. While travellers hold, pay and cancel on one 85-stop run, workers are
// SIGKILLed every 10 s (once the previous one is back up), SMTP answers 554, the gateway hangs (before and after
// charging), Redis restarts empty and the Temporal server restarts on its file.
// Every zero of the audit must be 0.
import { runChaos, type ChaosOptions, type ChaosReport } from '../../chaos/lib/chaos';

const options: ChaosOptions = {
  holds: 100,
  paid: 25,
  cancelled: 8,
  durationSeconds: 50,
  killIntervalSeconds: 10,
  workers: 2,
  holdTtlSeconds: 25,
  // Booking actors start after the hold, deferred while holds keep coming, and a restarted worker takes
  // 40-90 s to bundle and poll on a busy 2-core machine: a hold may be released that long after its expiry.
  // (The inventory's own backstop is the expiry + 5 min.)
  slackSeconds: 120,
  settleSeconds: 90,
  concurrency: 30,
  requestTimeoutMs: 35_000,
  gatewayHangMs: 16_000,
  redisDownMs: 3000,
  train: '18237',
  classCode: 'SL',
  daysAhead: 40,
  users: 10,
  seed: 11,
  stack: {
    temporalPort: 7280,
    temporalUiPort: 8280,
    apiPort: 3080,
    redisPort: 6391,
    databaseUrl: (process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/railbook_test').replace(/\/[^/]+$/, '/railbook_chaos_ci'),
    workDir: '/tmp/railbook-chaos-ci',
  },
};

jest.setTimeout(240_000);

describe('chaos (short): the money path audited under faults', () => {
  let report: ChaosReport;

  beforeAll(async () => {
    report = await runChaos(options, (m) => process.stderr.write(`[chaos] ${m}\n`));
    process.stderr.write(`[chaos] zeros ${JSON.stringify(report.zeros)}; traffic ${JSON.stringify(report.traffic)}\n`);
  });

  it('injected every fault', () => {
    const kinds = new Set(report.faults.events.map((e) => e.kind));
    // At least one: the first kill comes a few seconds in, with every worker up; later ones wait for restarts.
    expect(report.faults.workerKills).toBeGreaterThanOrEqual(1);
    expect([...kinds].sort()).toEqual(
      expect.arrayContaining(['worker-sigkill', 'smtp-5xx', 'smtp-ok', 'gateway-fault', 'gateway-ok', 'redis-sigkill', 'redis-restarted', 'temporal-sigkill', 'temporal-restarted']),
    );
    expect(report.faults.errors).toEqual([]);
  });

  it('booked, paid and cancelled on the run', () => {
    expect(report.traffic.holds).toBeGreaterThan(0);
    expect(report.traffic.paid).toBeGreaterThan(0);
    expect(report.traffic.cancelled).toBeGreaterThan(0);
  });

  it('every zero of the audit is 0', () => {
    const zeros = Object.fromEntries(Object.keys(report.zeros).map((k) => [k, 0]));
    // On failure the violations (with their PNRs) are in the message.
    expect({ zeros: report.zeros, violations: report.ok ? {} : report.violations }).toEqual({ zeros, violations: {} });
  });
});
