// One chaos run, start to report: its own stack, travellers on one many-stop
// run while the faults play out, a bounded wait for the system to settle,
// then the audit. Used by `npm run chaos` (chaos/run.ts) and the CI test.
import os from 'node:os';
import { bookingMaker, loadTarget, prng, registerUsers, runDates } from '../../bench/lib/load';
import { audit, overdueHolds, settled, settleState, type Audit, type OverdueHold, type RunKey, type SettleState } from './audit';
import { runFaults, type FaultLog } from './faults';
import { recordingClient } from './http';
import { sleep } from './procs';
import { startChaosStack, type ChaosEvent, type ChaosStack } from './stack';
import { runTraffic, type Hold } from './traffic';

export interface ChaosOptions {
  holds: number;
  paid: number;
  cancelled: number;
  /** Length of the load phase, over which the faults are spread. */
  durationSeconds: number;
  killIntervalSeconds: number;
  workers: number;
  holdTtlSeconds: number;
  /** A hold may outlive its expiry by this much (timers fire late while workers are dead) before it counts. */
  slackSeconds: number;
  /** Longest wait after the load for the system to settle before auditing. */
  settleSeconds: number;
  concurrency: number;
  requestTimeoutMs: number;
  gatewayHangMs: number;
  redisDownMs: number;
  train: string;
  classCode: string;
  daysAhead: number;
  users: number;
  seed: number;
  stack: { temporalPort: number; temporalUiPort: number; apiPort: number; redisPort: number; databaseUrl: string; workDir: string };
}

export interface ChaosReport {
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string; note: string };
  options: ChaosOptions;
  run: RunKey & { trainName: string; stops: number; berths: number };
  traffic: {
    holds: number;
    /** Pays answered 200 confirmed, or confirmed by polling after a 202 (what travellers were told). */
    paid: number;
    /** The travellers' bookings whose charge succeeded at the gateway (each must be ticketed or refunded). */
    paidAtGateway: number;
    cancelled: number;
    fates: Record<string, number>;
    payOutcomes: Record<string, number>;
    cancelOutcomes: Record<string, number>;
    noSeats: number;
    holdRefused: Record<string, number>;
    sessions: number;
    seconds: number;
    targetsMet: boolean;
  };
  faults: FaultLog & { workerStartSeconds: number[]; events: ChaosEvent[]; unexpectedExits: ChaosStack['unexpectedExits']; smtpRefused: number };
  settle: { seconds: number; settled: boolean; state: SettleState | null };
  /** Every count here must be 0. */
  zeros: Audit['zeros'];
  ok: boolean;
  violations: Audit['violations'];
  keptByCancellationRules: Audit['keptByCancellationRules'];
  holdsNotStartedYet: Audit['holdsNotStartedYet'];
  http: Audit['http'];
  inventory: Audit['inventory'];
  postgres: Audit['postgres'];
}

const tally = (xs: (string | undefined)[]) => {
  const out: Record<string, number> = {};
  for (const x of xs) if (x !== undefined) out[x] = (out[x] ?? 0) + 1;
  return out;
};

export async function runChaos(o: ChaosOptions, log: (m: string) => void): Promise<ChaosReport> {
  const startedAt = new Date().toISOString();
  const stack = await startChaosStack({ ...o.stack, workers: o.workers, holdTtlSeconds: o.holdTtlSeconds, log });
  try {
    const tokens = await registerUsers(stack.apiUrl, o.users, log);
    const target = await loadTarget(stack.pool, o.train, o.classCode);
    const runDate = runDates(target, o.daysAhead, 1)[0]!;
    const run: RunKey = { trainNumber: target.trainNumber, runDate, classCode: target.classCode };
    log(`run ${target.trainNumber} ${target.trainName} ${runDate} ${target.classCode}: ${target.stops.length} stops, ${target.berths} berths`);
    const random = prng(o.seed);
    const http = recordingClient(stack.apiUrl, { maxSockets: o.concurrency * 2, timeoutMs: o.requestTimeoutMs });
    const slackMs = o.slackSeconds * 1000;

    const holds: Hold[] = [];
    const overdueSeen: OverdueHold[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await sleep(10_000);
        try {
          overdueSeen.push(...(await overdueHolds(stack.client, stack.pool, run, new Map(holds.map((h) => [h.pnr, h])), slackMs)));
        } catch {
          /* Temporal or Postgres busy restarting: the next sample */
        }
      }
    })();

    let loadDone = false;
    const loadMs = o.durationSeconds * 1000;
    const faults = runFaults(
      stack,
      { killIntervalSeconds: o.killIntervalSeconds, gatewayHangMs: o.gatewayHangMs, redisDownMs: o.redisDownMs, smtpFailCode: 554 },
      loadMs,
      () => loadDone,
    );
    const traffic = await runTraffic(
      {
        client: http,
        tokens,
        makeBody: bookingMaker(target, runDate, 5, random),
        random,
        holds: o.holds,
        paid: o.paid,
        cancelled: o.cancelled,
        seconds: o.durationSeconds * 0.9,
        concurrency: o.concurrency,
        log,
      },
      () => false,
    );
    holds.push(...traffic.holds);
    loadDone = true;
    const faultLog = await faults;
    stack.setGatewayFault(null);
    stack.setSmtpFailing(null);
    log(`load done: ${traffic.holds.length} holds, ${traffic.paid} paid, ${traffic.cancelled} cancelled in ${Math.round(traffic.elapsedSeconds)} s; ${faultLog.workerKills} worker kills`);

    // Settle: no more faults; wait (bounded) until nothing is left half-done.
    const t0 = Date.now();
    let state: SettleState | null = null;
    await stack.workersReady(180_000).catch((e: Error) => log(`settle: ${e.message}`));
    const pnrs = holds.map((h) => h.pnr);
    while (Date.now() - t0 < o.settleSeconds * 1000) {
      try {
        state = await settleState(stack.client, stack.pool, run, pnrs);
        if (settled(state)) break;
      } catch (err) {
        log(`settle: ${(err as Error).message}`);
      }
      await sleep(5000);
      if ((Date.now() - t0) % 30_000 < 5000) log(`settling: ${JSON.stringify(state)}`);
    }
    const settleSeconds = Math.round((Date.now() - t0) / 1000);
    log(`settle: ${state && settled(state) ? 'settled' : 'NOT settled'} after ${settleSeconds} s`);
    sampling = false;
    await sampler;

    const a = await audit(stack.client, stack.pool, run, holds, http.records, overdueSeen, slackMs);
    http.close();
    const paidTold = traffic.paid;
    const paidAtGateway =
      (
        await stack.pool.query<{ n: number }>(
          `select count(*)::int as n from payment_sandbox.charges where status = 'succeeded' and idempotency_key = any($1)`,
          [holds.map((h) => `charge:${h.pnr}`)],
        )
      ).rows[0]?.n ?? 0;
    const report: ChaosReport = {
      startedAt,
      finishedAt: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        memoryGb: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        note: 'everything local: Temporal dev server (SQLite file), Postgres, redis-server, API, workers, SMTP and this load on one machine',
      },
      options: o,
      run: { ...run, trainName: target.trainName, stops: target.stops.length, berths: target.berths },
      traffic: {
        holds: holds.length,
        paid: paidTold,
        paidAtGateway,
        cancelled: traffic.cancelled,
        fates: tally(holds.map((h) => h.fate)),
        payOutcomes: tally(holds.map((h) => h.payOutcome)),
        cancelOutcomes: tally(holds.map((h) => h.cancelOutcome)),
        noSeats: traffic.noSeats,
        holdRefused: traffic.holdRefused,
        sessions: traffic.sessions,
        seconds: Math.round(traffic.elapsedSeconds),
        targetsMet: holds.length >= o.holds && paidAtGateway >= o.paid && traffic.cancelled >= o.cancelled,
      },
      faults: { ...faultLog, workerStartSeconds: stack.workerStartSeconds(), events: stack.events, unexpectedExits: stack.unexpectedExits, smtpRefused: stack.smtp.refused },
      settle: { seconds: settleSeconds, settled: state !== null && settled(state), state },
      zeros: a.zeros,
      ok: Object.values(a.zeros).every((n) => n === 0),
      violations: a.violations,
      keptByCancellationRules: a.keptByCancellationRules,
      holdsNotStartedYet: a.holdsNotStartedYet,
      http: a.http,
      inventory: a.inventory,
      postgres: a.postgres,
    };
    return report;
  } finally {
    await stack.stop();
  }
}
