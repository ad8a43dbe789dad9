// The faults, on a timeline over the load phase (fractions of its length), so
// each fault has its own window and a violation can be traced to it:
//   throughout     a worker SIGKILLed every killInterval seconds (round robin, only while all are up; a new one started at once)
//   0.20 – 0.50    SMTP answers 554 to every message (tickets of the bookings paid meanwhile)
//   0.30 – 0.42    the gateway hangs past the charge activity's timeout, doing nothing ('hang')
//   0.42 – 0.52    the gateway charges, then hangs and loses the answer ('answer-lost')
//   0.58           redis-server SIGKILLed, down a few seconds, started again EMPTY
//   0.75           the Temporal server SIGKILLed and started again on its SQLite file
import type { ChaosStack } from './stack';
import { sleep } from './procs';

export interface FaultPlan {
  /** Seconds between worker kills (0: none). */
  killIntervalSeconds: number;
  /** How long the gateway hangs per request in its fault windows (beyond the 15 s charge timeout by default). */
  gatewayHangMs: number;
  redisDownMs: number;
  smtpFailCode: number;
}

export interface FaultLog {
  workerKills: number;
  /** Kills that waited for a restarted worker to come up first. */
  delayedKills: number;
  temporalDownMs: number | null;
  errors: string[];
}

export async function runFaults(stack: ChaosStack, plan: FaultPlan, loadMs: number, done: () => boolean): Promise<FaultLog> {
  const t0 = Date.now();
  const log: FaultLog = { workerKills: 0, delayedKills: 0, temporalDownMs: null, errors: [] };
  const at = (frac: number) => sleep(Math.max(t0 + frac * loadMs - Date.now(), 0));
  const guard = async (what: string, fn: () => Promise<void> | void) => {
    try {
      await fn();
    } catch (err) {
      log.errors.push(`${what}: ${(err as Error).message}`);
    }
  };

  const killer = (async () => {
    if (plan.killIntervalSeconds <= 0) return;
    let next = 0;
    await sleep(Math.min(plan.killIntervalSeconds * 1000, loadMs * 0.05));
    while (!done() && Date.now() - t0 < loadMs) {
      // Kill a worker only while every worker is up: a new one needs seconds (tens of seconds on a busy
      // machine) to bundle the workflows and poll, and killing the other meanwhile would leave the run
      // with no worker at all, which tests nothing but the queue. The wait is counted.
      const waitFrom = Date.now();
      while (!done() && Date.now() - t0 < loadMs && !stack.workers().every((w) => w.readyAt !== null && !w.exited)) await sleep(500);
      if (done() || Date.now() - t0 >= loadMs) break;
      if (Date.now() - waitFrom > 1000) log.delayedKills += 1;
      const i = next++ % stack.workers().length;
      await guard('worker kill', () => stack.killWorker(i));
      log.workerKills += 1;
      await sleep(plan.killIntervalSeconds * 1000);
    }
  })();

  const timeline = (async () => {
    await at(0.2);
    stack.setSmtpFailing(plan.smtpFailCode);
    await at(0.3);
    stack.setGatewayFault({ until: Date.now() + 0.12 * loadMs, hangMs: plan.gatewayHangMs, mode: 'hang' });
    await at(0.42);
    stack.setGatewayFault({ until: Date.now() + 0.1 * loadMs, hangMs: plan.gatewayHangMs, mode: 'answer-lost' });
    await at(0.5);
    stack.setSmtpFailing(null);
    await at(0.52);
    stack.setGatewayFault(null);
    await at(0.58);
    await guard('redis restart', () => stack.restartRedis(plan.redisDownMs));
    await at(0.75);
    await guard('temporal restart', async () => {
      log.temporalDownMs = (await stack.restartTemporal()).downMs;
    });
  })();

  await Promise.all([killer, timeline]);
  return log;
}
