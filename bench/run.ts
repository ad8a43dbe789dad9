// `npm run bench`: a benchmark (not a test) of the booking core on this machine.
//
// Brings up its own isolated stack (Temporal dev server on :7320 with its state
// in a SQLite file, durable, unless --temporal memory; database railbook_bench,
// Redis db 7, the worker and the API as child processes on :3090), then
// measures on ONE hot run per level (one train, one date, one class, fresh and empty):
//   - the headline: end-to-end confirmed bookings/s (hold → pay → confirmed), open
//     loop at --e2e-rate and closed loop, beside the plain-Postgres baseline of
//     the same run (bench/lib/baseline.ts) and as a ratio to it;
//   - Temporal actions (the server's `action` counter, cross-checked from histories)
//     and CPU-ms per confirmed booking per process, and the floor: bare workflow
//     starts on the same server;
//   - holds: POST /bookings answered 201 or 409 NO_SEATS_AVAILABLE, per second,
//     with p50/p90/p99 latency, at each client concurrency;
//   - end to end: POST /bookings then POST /bookings/:pnr/payment, confirmed per second;
//   - that every request got a definite answer (anything else is counted and listed);
//   - what the system recorded: the inventory actor's counters (batches, largest
//     batch, continue-as-new runs), booking workflows in visibility, rows in Postgres;
//   - CPU per process during each level;
//   - a probe: one hold update straight to the actor, latency by batch size.
// Results: bench/results/<timestamp>.json and a markdown table on stdout.
//
//   npm run bench -- --clients 50,200,500 --requests 3000 --e2e 300
//   npm run bench -- --focus                 e2e levels, baseline and floor only (a few minutes)
//   npm run bench -- --soak 10               steady open-loop load, memory and latency over time
//   npm run bench -- --help
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bookingWorkflowId, inventoryWorkflowId } from '../contracts';
import { actionsBetween, historyActions, scrapeActions, sumActions, totalActions, type ActionCounts } from './lib/actions';
import { baselineSummary, checkBaseline, createBaselineRun, runBaselineLevel, setupBaseline } from './lib/baseline';
import { renderHeadline, type BaselineRun, type Floor, type HeadlineLevel } from './lib/headline';
import { analyse, fetchHistories, updateTasks, type Breakdown } from './lib/history';
import { checkInvariants, type Invariants } from './lib/invariants';
import { trackPgBackends } from './lib/pgBackends';
import { runSoak, type SoakReport } from './lib/soak';
import {
  bookingMaker,
  checkLevel,
  holdSender,
  inventorySummary,
  loadTarget,
  prng,
  probeActorThroughput,
  probeBatch,
  probeStarts,
  registerUsers,
  runDates,
  runLevel,
  travellerFollowUp,
  travellerHold,
  type LevelChecks,
  type LevelKind,
  type LevelLoad,
  type ProbePoint,
  type StartProbe,
  type ThroughputProbe,
  type TravellerProbe,
} from './lib/load';
import { busiestThreads, cpuBetween, sampleCpu, sampleThreads, treeAndTracker, type ProcGroup } from './lib/procs';
import { DATABASES } from '../temporal/serverConfig';
import { percentiles } from './lib/stats';
import { DEFAULT_STACK, REPO_ROOT, startBenchStack, type BenchStack, type TemporalMode } from './lib/stack';
import { markdownTable, r0, r1, r2 } from './lib/stats';

const HELP = `npm run bench -- [options]

  --temporal file        the Temporal server's state: file (dev server on a fresh SQLite file, durable;
                         the default), memory (in memory, for comparisons with earlier figures) or
                         postgres (the real server v1.29.1 on the local Postgres, as npm run cluster)
  --e2e-rate 50          open-loop end-to-end level: bookings held and paid at this many per second
                         (0: none); latency from the scheduled send
  --e2e-seconds 60       its length
  --no-pg-baseline       skip the plain-Postgres baseline (bench/lib/baseline.ts)
  --no-floor             skip the floor (bare workflow starts on the same server)
  --focus                only what a change of the booking path needs: the e2e levels, the baseline
                         and the floor (= --clients 50 --rates 0 --baseline 0 --warmup 100 --no-probe)
  --soak [minutes]       soak mode (default 10 minutes): nothing but a steady open-loop load of
                         confirmed bookings, reported per minute, and a verdict on growth
  --soak-rate 30         its bookings per second

  --clients 50,200,500   concurrent clients per closed-loop hold level (each level on a fresh run; 0: none)
  --rates 200,250        open-loop hold levels: requests sent at this many per second, by up to
                         --rate-clients clients at once (latency from the scheduled send; 0: none)
  --rate-clients 500     the most requests in flight in an open-loop level
  --requests 3000        hold requests per level (a level also ends after --max-seconds)
  --max-seconds 60       time bound per level
  --e2e 300              bookings to hold AND pay in the end-to-end level (0: skip)
  --e2e-clients 50       concurrent clients in the end-to-end level
  --baseline 200         requests from ONE client first, for the unloaded latency (0: skip)
  --warmup 300           unreported warm-up requests (20 clients) on a run of their own (0: skip)
  --train 18237          train number (default: 18237 Chattisgarh Exp, 85 stops, daily)
  --class SL             class (default SL: 10 coaches x 72 = 720 berths)
  --mean-hops 5          mean segment length in hops (1 + exponential); longer sells out sooner
  --users 25             accounts registered (register is limited to 30/min per IP; clients share them)
  --no-probe             skip the batch-size probe (--probe: run it, e.g. after --focus)
  --first-charge-ms 0    PAYMENT_FIRST_ATTEMPT_TIMEOUT_MS of the stack: > 0 runs the first charge attempt in the pay's workflow task
  --no-wait              do not wait for running jest processes to finish
`;

interface Args {
  clients: number[];
  rates: number[];
  rateClients: number;
  requests: number;
  maxSeconds: number;
  e2e: number;
  e2eClients: number;
  baseline: number;
  warmup: number;
  train: string;
  classCode: string;
  meanHops: number;
  users: number;
  probe: boolean;
  wait: boolean;
  temporal: TemporalMode;
  /** PAYMENT_FIRST_ATTEMPT_TIMEOUT_MS of the stack (0: the charge is an activity, the default). */
  firstChargeMs: number;
  e2eRate: number;
  e2eSeconds: number;
  pgBaseline: boolean;
  floor: boolean;
  soak: number;
  soakRate: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    clients: [50, 200, 500],
    rates: [200, 250],
    rateClients: 500,
    requests: 3000,
    maxSeconds: 60,
    e2e: 300,
    e2eClients: 50,
    baseline: 200,
    warmup: 300,
    train: '18237',
    classCode: 'SL',
    meanHops: 5,
    users: 25,
    probe: true,
    wait: true,
    temporal: 'file',
    firstChargeMs: 0,
    e2eRate: 50,
    e2eSeconds: 60,
    pgBaseline: true,
    floor: true,
    soak: 0,
    soakRate: 30,
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
      case '--clients':
        a.clients = (value() ?? '')
          .split(',')
          .map((c) => Math.round(num('--clients', c.trim(), 0, 5000)))
          .filter((c) => c > 0);
        break;
      case '--rates':
        a.rates = (value() ?? '')
          .split(',')
          .map((c) => num('--rates', c.trim(), 0, 100_000))
          .filter((c) => c > 0);
        break;
      case '--rate-clients':
        a.rateClients = Math.round(num(name, value(), 1, 5000));
        break;
      case '--requests':
        a.requests = Math.round(num(name, value(), 1, 1_000_000));
        break;
      case '--max-seconds':
        a.maxSeconds = num(name, value(), 1, 3600);
        break;
      case '--e2e':
        a.e2e = Math.round(num(name, value(), 0, 1_000_000));
        break;
      case '--e2e-clients':
        a.e2eClients = Math.round(num(name, value(), 1, 5000));
        break;
      case '--baseline':
        a.baseline = Math.round(num(name, value(), 0, 100_000));
        break;
      case '--warmup':
        a.warmup = Math.round(num(name, value(), 0, 100_000));
        break;
      case '--train':
        a.train = String(value());
        break;
      case '--class':
        a.classCode = String(value());
        break;
      case '--mean-hops':
        a.meanHops = num(name, value(), 1, 1000);
        break;
      case '--users':
        a.users = Math.round(num(name, value(), 1, 30));
        break;
      case '--no-probe':
        a.probe = false;
        break;
      case '--probe':
        a.probe = true;
        break;
      case '--first-charge-ms':
        a.firstChargeMs = Math.round(num(name, value(), 0, 10_000));
        break;
      case '--no-wait':
        a.wait = false;
        break;
      case '--temporal': {
        const v = value();
        if (v !== 'file' && v !== 'memory' && v !== 'postgres') throw new Error(`--temporal wants file, memory or postgres, got ${v}`);
        a.temporal = v;
        break;
      }
      case '--e2e-rate':
        a.e2eRate = num(name, value(), 0, 10_000);
        break;
      case '--e2e-seconds':
        a.e2eSeconds = num(name, value(), 1, 3600);
        break;
      case '--no-pg-baseline':
        a.pgBaseline = false;
        break;
      case '--no-floor':
        a.floor = false;
        break;
      case '--focus':
        Object.assign(a, { clients: [50], rates: [], baseline: 0, warmup: 100, probe: false });
        break;
      case '--soak': {
        // Optional value: `--soak` alone is 10 minutes.
        const next = eq >= 0 ? flag.slice(eq + 1) : argv[i + 1];
        if (next !== undefined && /^\d+(\.\d+)?$/.test(next)) {
          a.soak = num(name, next, 1, 24 * 60);
          if (eq < 0) i++;
        } else {
          a.soak = 10;
        }
        break;
      }
      case '--soak-rate':
        a.soakRate = num(name, value(), 1, 10_000);
        break;
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${flag}\n\n${HELP}`);
    }
  }
  return a;
}

/** Set on SIGINT/SIGTERM: the signal handler stops the stack and exits. */
let interrupted = false;

const say = (m: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function jestPids(): number[] {
  const r = spawnSync('pgrep', ['-f', 'jest'], { encoding: 'utf8' });
  return (r.stdout ?? '')
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((pid) => pid > 0 && pid !== process.pid);
}

/** Integration tests running beside the benchmark would skew both: wait (bounded) until none is. */
async function waitForNoJest(): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const pids = jestPids();
    if (pids.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`jest is still running after 10 minutes (pids ${pids.join(', ')}); results would be skewed. Use --no-wait to run anyway.`);
    }
    say(`jest is running (pids ${pids.join(', ')}); waiting 30 s…`);
    await sleep(30_000);
  }
}

/**
 * Waits until the worker and the Temporal server are idle (together under
 * 0.15 of a core over 2 s): the booking workflows a level started keep them
 * busy after the last answer, and the next level must not inherit that.
 */
async function waitForQuiet(groups: ProcGroup[], maxMs: number): Promise<number | null> {
  const t0 = Date.now();
  while (Date.now() - t0 < maxMs) {
    const a = sampleCpu(groups);
    await sleep(2000);
    const c = cpuBetween(a, sampleCpu(groups)).cores;
    if ((c.worker ?? 0) + (c.temporal ?? 0) < 0.15) return (Date.now() - t0) / 1000;
  }
  return null;
}

interface LevelReport {
  load: LevelLoad;
  runDate: string;
  checks: LevelChecks;
  /** From workflow histories: the inventory actor (current run) and a sample of booking workflows. */
  where: { inventory: Breakdown; bookings: Breakdown };
  cpuCores: Record<string, number>;
  machineBusyShare: number;
  /** The busiest threads of the API and worker processes during the level (1.0 = one core). */
  busiestThreads: { thread: string; cores: number }[];
  /** CPU used by processes outside the benchmark stack during the level (cores): should be near 0. */
  otherCores: number;
  /**
   * CPU milliseconds per 201 over the whole cycle: the level plus the drain and idle wait
   * after it, i.e. everything the holds (and their booking workflows) cost.
   */
  cycleCpuMsPerHold: Record<string, number>;
  /** 201s per second over the level plus its drain: the rate the stack can keep up with. */
  sustainedHoldsPerSecond: number;
  /** A jest process was seen during the level: the numbers are skewed. */
  jestDuringLevel: boolean;
  /** A jest process was seen while the level's work drained: the full-cycle figures are skewed. */
  jestDuringDrain: boolean;
  /**
   * Two travellers right after the level, while its booking workflows drain: one books on the
   * same hot run, one on a run nobody has booked yet (its actor must start); each then GETs the
   * booking and pays.
   */
  travellersAfter: { sameRun: TravellerProbe | null; otherRun: TravellerProbe | null };
  /** Holds the same-run traveller added to the level's run (0 or 1), for the consistency check. */
  extraHolds: number;
  /** The server's `action` counter over the level and its drain (null: no metrics endpoint). */
  actions: { total: number; byType: ActionCounts } | null;
  /** e2e: actions counted from histories, per confirmed booking (booking sample + the inventory's share). */
  historyActions: { perBooking: number; byKind: ActionCounts; bookingsSampled: number; inventoryRuns: number | null } | null;
  /** e2e: CPU ms per confirmed booking over the level and its drain. */
  cycleCpuMsPerConfirmed: Record<string, number> | null;
  /** No berth sold twice; every charge ends in a ticket or a refund; every confirmation has its ticket queued. */
  invariants: Invariants;
}

interface ProbeReport {
  runDate: string;
  batches: (ProbePoint & { workerCpuMsPerUpdate: number; temporalCpuMsPerUpdate: number; actorTaskQueueP50: number; actorTaskRunP50: number })[];
  throughput: (ThroughputProbe & { runDate: string; cpuCores: Record<string, number>; actorRuns: number | null })[];
  starts: StartProbe & { cpuCores: Record<string, number> };
}

/** A short hash of the code under test, since the working tree may differ from any commit. */
function codeHash(): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (name.endsWith('.ts')) h.update(file).update(readFileSync(file));
    }
  };
  for (const dir of ['api', 'workflows', 'activities', 'contracts', 'domain', 'payments', 'workers', 'config', 'db/repositories']) {
    walk(path.join(REPO_ROOT, dir));
  }
  return h.digest('hex').slice(0, 12);
}

function machineInfo() {
  const cpus = os.cpus();
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain'], { cwd: REPO_ROOT, encoding: 'utf8' });
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: r1(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map(r2),
    git: `${git.stdout.trim()}${dirty.stdout.trim() ? ' (with uncommitted changes)' : ''}`,
    codeHash: codeHash(),
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.wait) await waitForNoJest();
  const started = new Date();
  const machine = machineInfo();
  say(`${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}`);

  let stack: BenchStack | null = null;
  // Ctrl-C: stop exactly what this run started, then exit (a second Ctrl-C exits at once;
  // the exit hooks still SIGKILL the children and the dev server).
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    say(`${signal}: stopping the benchmark stack…`);
    const done = () => process.exit(130);
    (stack ? stack.stop() : Promise.resolve()).then(done, done);
    setTimeout(done, 20_000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const t0 = Date.now();
    stack = await startBenchStack({
      ...DEFAULT_STACK,
      temporal: args.temporal,
      appEnv: { PAYMENT_FIRST_ATTEMPT_TIMEOUT_MS: String(args.firstChargeMs) },
      log: say,
    });
    const s = stack;
    say(`stack up in ${r1((Date.now() - t0) / 1000)} s (Temporal ${s.temporalMode === 'file' ? `durable, SQLite file ${s.temporalDbFile}` : s.temporalMode === 'postgres' ? 'server v1.29.1 on Postgres' : 'in memory'})`);
    if (!s.temporalMetricsUrl) say('WARNING: no metrics endpoint of the Temporal server: actions are counted from histories only');

    const target = await loadTarget(s.pool, args.train, args.classCode);
    say(
      `target: ${target.trainNumber} ${target.trainName}, class ${target.classCode}: ${target.coaches} coaches, ${target.berths} berths, ${target.stops.length} stops`,
    );
    const tokens = await registerUsers(s.apiUrl, args.users, say);

    const pgBackends = trackPgBackends(s.pool, [new URL(DEFAULT_STACK.databaseUrl).pathname.slice(1)]);
    // On the Postgres-backed server its store is part of what Temporal costs: its backends count as "temporal".
    const temporalStore = s.temporalMode === 'postgres' ? trackPgBackends(s.pool, [DATABASES.bench.persistence, DATABASES.bench.visibility]) : null;
    const groups: ProcGroup[] = [
      { name: 'api', treeOf: s.pids.api },
      { name: 'worker', treeOf: s.pids.worker },
      ...(s.pids.temporal
        ? [temporalStore ? { name: 'temporal', tracker: treeAndTracker(s.pids.temporal, temporalStore) } : { name: 'temporal', treeOf: s.pids.temporal }]
        : []),
      // Only the backends of the bench database: the Postgres server also serves other people's tests.
      { name: 'postgres', tracker: pgBackends },
      { name: 'redis', comm: 'redis-server' },
      { name: 'loadgen', pid: process.pid },
    ];

    const random = prng(20260101);
    if (args.soak > 0) {
      const soakDates = runDates(target, 60, Math.ceil(args.soak) + 2);
      let d = 0;
      say(`soak: ${args.soakRate} bookings/s (hold, then pay) for ${args.soak} minutes, one fresh run per minute…`);
      const soak = await runSoak({
        minutes: args.soak,
        rate: args.soakRate,
        rateClients: args.rateClients,
        client: s.client,
        pool: s.pool,
        namespace: s.namespace,
        apiUrl: s.apiUrl,
        tokens,
        target,
        meanHops: args.meanHops,
        random,
        freshRun: () => soakDates[d++]!,
        groups,
        temporalMetricsUrl: s.temporalMetricsUrl,
        temporalDbFile: s.temporalDbFile,
        assertAlive: () => s.assertAlive(),
        interrupted: () => interrupted,
        say,
      });
      pgBackends.stop();
    temporalStore?.stop();
      temporalStore?.stop();
      writeResults(started, { startedAt: started.toISOString(), finishedAt: new Date().toISOString(), machine, args, temporal: s.temporalMode, soak }, renderSoak(soak, s.temporalMode));
      return;
    }

    // The plain-Postgres baseline first, on the idle stack: the reference every figure is divided by.
    const baselineRuns: BaselineRun[] = [];
    if (args.pgBaseline) {
      await setupBaseline(s.pool);
      const shapes: { kind: 'hold' | 'e2e'; clients: number; rate?: number; requests: number; maxSeconds: number }[] = [
        ...args.clients.map((c) => ({ kind: 'hold' as const, clients: c, requests: args.requests, maxSeconds: args.maxSeconds })),
        ...(args.e2e > 0 ? [{ kind: 'e2e' as const, clients: args.e2eClients, requests: Math.max(args.e2e, 3000), maxSeconds: args.maxSeconds }] : []),
        ...(args.e2eRate > 0
          ? [{ kind: 'e2e' as const, clients: args.rateClients, rate: args.e2eRate, requests: Math.round(args.e2eRate * args.e2eSeconds), maxSeconds: args.e2eSeconds + 30 }]
          : []),
      ];
      const baseRandom = prng(20260101);
      for (const shape of shapes) {
        if (interrupted) return;
        const runId = await createBaselineRun(s.pool, target);
        const name = `pg-${shape.kind}-${shape.rate ? `${shape.rate}/s` : shape.clients}`;
        say(`baseline ${name}: plain Postgres, ${shape.rate ? `${shape.rate}/s open loop` : `${shape.clients} clients`}, up to ${shape.requests} ${shape.kind === 'e2e' ? 'hold+confirm bookings' : 'holds'}…`);
        const before = sampleCpu(groups);
        const level = await runBaselineLevel({
          name,
          ...shape,
          databaseUrl: DEFAULT_STACK.databaseUrl,
          target,
          makeBody: bookingMaker(target, '2000-01-01', args.meanHops, baseRandom),
          runId,
        });
        await sleep(1500); // let the tracker see backends that closed
        const cpu = cpuBetween(before, sampleCpu(groups));
        level.checks = await checkBaseline(s.pool, level);
        const unit = shape.kind === 'e2e' ? level.confirmed : level.holds;
        const cpuMsPerUnit = Object.fromEntries(Object.entries(cpu.cores).map(([k, v]) => [k, unit > 0 ? r2((v * cpu.seconds * 1000) / unit) : 0]));
        say(`  ${baselineSummary(level)}; CPU ms per ${shape.kind === 'e2e' ? 'booking' : 'hold'}: Postgres ${cpuMsPerUnit.postgres}, client ${cpuMsPerUnit.loadgen}`);
        baselineRuns.push({ level, cpuMsPerUnit });
      }
      await waitForQuiet(groups, 60_000);
    }

    const plan: { name: string; kind: LevelKind; clients: number; rate?: number; requests: number; maxSeconds?: number; report: boolean }[] = [];
    if (args.warmup > 0) plan.push({ name: 'warm-up', kind: 'hold', clients: 20, requests: args.warmup, report: false });
    if (args.baseline > 0) plan.push({ name: 'baseline', kind: 'hold', clients: 1, requests: args.baseline, report: true });
    for (const c of args.clients) plan.push({ name: `hold-${c}`, kind: 'hold', clients: c, requests: args.requests, report: true });
    for (const rate of args.rates) {
      plan.push({ name: `rate-${rate}`, kind: 'hold', clients: args.rateClients, rate, requests: args.requests, report: true });
    }
    if (args.e2eRate > 0) {
      plan.push({
        name: `e2e-${args.e2eRate}/s`,
        kind: 'e2e',
        clients: args.rateClients,
        rate: args.e2eRate,
        requests: Math.round(args.e2eRate * args.e2eSeconds),
        // Only bounds the sending: in-flight bookings are answered after it.
        maxSeconds: args.e2eSeconds + 30,
        report: true,
      });
    }
    if (args.e2e > 0) plan.push({ name: 'e2e', kind: 'e2e', clients: args.e2eClients, requests: args.e2e, report: true });
    // Every level, retry and probe gets a fresh run (date) of its own.
    const dates = runDates(target, 60, plan.length * 6 + 3);
    let nextDate = 0;
    const freshRun = () => dates[nextDate++]!;

    const reports: (LevelReport & { report: boolean })[] = [];
    const discarded: (LevelReport & { report: boolean })[] = [];
    // A level during which jest ran is repeated on a fresh run (up to twice) once jest has finished.
    for (let i = 0, attempt = 1; i < plan.length; ) {
      const step = plan[i]!;
      if (interrupted) return;
      if (args.wait) await waitForNoJest();
      s.assertAlive();
      const runDate = freshRun();
      say(`${step.name}: ${step.rate ? `${step.rate} requests/s by up to ` : ''}${step.clients} client(s), up to ${step.requests} ${step.kind === 'e2e' ? 'hold+pay bookings' : 'holds'} on run ${runDate}…`);
      const before = sampleCpu(groups);
      const actionsBefore = await scrapeActions(s.temporalMetricsUrl, s.namespace);
      let actionsAfter: ActionCounts | null = null;
      const threadsBefore = sampleThreads([s.pids.api, s.pids.worker]);
      let jestDuringLevel = false;
      let jestDuringDrain = false;
      let draining = false;
      const jestWatch = setInterval(() => {
        if (jestPids().length === 0) return;
        if (draining) jestDuringDrain = true;
        else jestDuringLevel = true;
      }, 2000);
      const load = await runLevel({
        name: step.name,
        kind: step.kind,
        clients: step.clients,
        ...(step.rate ? { rate: step.rate } : {}),
        requests: step.requests,
        maxSeconds: step.maxSeconds ?? args.maxSeconds,
        apiUrl: s.apiUrl,
        tokens,
        makeBody: bookingMaker(target, runDate, args.meanHops, random),
        soldOutShare: 0.9,
        timeoutMs: 60_000,
      });
      draining = true;
      const cpu = cpuBetween(before, sampleCpu(groups));
      const otherCores = Math.max(0, cpu.machineBusyShare * os.cpus().length - Object.values(cpu.cores).reduce((a, b) => a + b, 0));
      if (jestDuringLevel) say('  WARNING: jest ran during this level; its numbers are skewed');
      else if (otherCores > 0.3) say(`  WARNING: processes outside the stack used ${r2(otherCores)} cores during this level`);
      const threads = busiestThreads(threadsBefore, sampleThreads([s.pids.api, s.pids.worker]), 5);
      say(
        `  ${load.sent} sent in ${r1(load.elapsedSeconds)} s (${load.stoppedBecause}): ${JSON.stringify(load.outcomes)}; ` +
          `p50 ${r0(load.latency.hold.p50)} ms, p99 ${r0(load.latency.hold.p99)} ms, ${r1(load.answersPerSecond)} answers/s`,
      );
      // While the stack drains the level's work: two more travellers (see LevelReport.travellersAfter).
      const travellersAfter: LevelReport['travellersAfter'] = { sameRun: null, otherRun: null };
      let extraHolds = 0;
      const followUps: Promise<void>[] = [];
      if (step.kind === 'hold' && step.clients > 1) {
        const same = await travellerHold(s.apiUrl, tokens[0]!, bookingMaker(target, runDate, args.meanHops, random)());
        if (same.pnr) extraHolds = 1;
        followUps.push(
          (async () => {
            travellersAfter.sameRun = { hold: same.hold, ...(same.pnr ? await travellerFollowUp(s.apiUrl, tokens[0]!, same.pnr) : { get: null, pay: null }) };
          })(),
          (async () => {
            const token = tokens[1 % tokens.length]!;
            const other = await travellerHold(s.apiUrl, token, bookingMaker(target, freshRun(), args.meanHops, random)());
            travellersAfter.otherRun = { hold: other.hold, ...(other.pnr ? await travellerFollowUp(s.apiUrl, token, other.pnr) : { get: null, pay: null }) };
          })(),
        );
      }
      const [checks] = await Promise.all([
        checkLevel(s.client, s.pool, target, runDate, { created: load.created + extraHolds, confirmed: load.confirmed }, 300_000, async () => {
          const quiet = await waitForQuiet(groups, 180_000);
          // Read before the checks' own query to the actor.
          actionsAfter = await scrapeActions(s.temporalMetricsUrl, s.namespace);
          return quiet;
        }),
        ...followUps,
      ]);
      const fmt = (x: { status: number; code?: string; ms: number; bookingStatus?: string } | null) =>
        x ? `${x.status}${x.code ? ` ${x.code}` : ''}${x.bookingStatus ? ` (${x.bookingStatus})` : ''} in ${r0(x.ms)} ms` : '–';
      for (const [label, t] of [
        ['same run', travellersAfter.sameRun],
        ['new run', travellersAfter.otherRun],
      ] as const) {
        if (t) say(`  a traveller right after the level, ${label}: hold ${fmt(t.hold)}; GET ${fmt(t.get)}; pay ${fmt(t.pay)}`);
      }
      clearInterval(jestWatch);
      if (jestDuringDrain) say('  WARNING: jest ran while this level drained; its full-cycle figures are skewed');
      const cycle = cpuBetween(before, sampleCpu(groups));
      const cycleCpuMsPerHold = Object.fromEntries(
        Object.entries(cycle.cores).map(([k, v]) => [k, load.created > 0 ? r2((v * cycle.seconds * 1000) / load.created) : 0]),
      );
      const sustainedHoldsPerSecond = load.created / (load.elapsedSeconds + (checks.drainSeconds ?? 300));
      say(
        `  full cycle: ${r1(sustainedHoldsPerSecond)} holds/s including the drain; CPU ms per hold ${JSON.stringify(cycleCpuMsPerHold)}`,
      );
      const invariants = await checkInvariants(s.pool, target, runDate);
      say(
        `  invariants: ${invariants.ok ? 'ok' : 'VIOLATED'} (berth segments sold twice ${invariants.doubleSold}, charges without ticket or refund ${invariants.chargesWithoutTicketOrRefund}, confirmed without a ticket queued ${invariants.confirmedWithoutTicket})`,
      );
      const inventoryHistory = await fetchHistories(s.client, [inventoryWorkflowId(target.trainNumber, runDate, target.classCode)]);
      const bookingHistories = await fetchHistories(s.client, load.samplePnrs.map(bookingWorkflowId));
      const where = { inventory: analyse(inventoryHistory), bookings: analyse(bookingHistories) };
      const actions = actionsBetween(actionsBefore, actionsAfter);
      let historyActionsReport: LevelReport['historyActions'] = null;
      let cycleCpuMsPerConfirmed: Record<string, number> | null = null;
      if (step.kind === 'e2e' && load.confirmed > 0) {
        // A booking's own workflow (the sample's mean) plus its share of the inventory actor's actions.
        const perWorkflow = bookingHistories.map(historyActions);
        const inventory = sumActions(inventoryHistory.map(historyActions));
        const byKind: ActionCounts = {};
        const n = Math.max(perWorkflow.length, 1);
        for (const [k, v] of Object.entries(sumActions(perWorkflow))) byKind[k] = r2(v / n);
        for (const [k, v] of Object.entries(inventory)) byKind[`inventory ${k}`] = r2(v / load.created);
        const runs = checks.inventory?.stats.runs ?? null;
        historyActionsReport = { perBooking: r2(totalActions(byKind)), byKind, bookingsSampled: perWorkflow.length, inventoryRuns: runs };
        cycleCpuMsPerConfirmed = Object.fromEntries(Object.entries(cycle.cores).map(([k, v]) => [k, r2((v * cycle.seconds * 1000) / load.confirmed)]));
        const unit = (x: number) => r1(x / load.confirmed);
        say(
          `  actions per held booking (201) ${actions ? r1(actions.total / Math.max(load.created, 1)) : '–'}; per confirmed booking: actions ${actions ? `${unit(actions.total)} (server counter: ${Object.entries(actions.byType).map(([k, v]) => `${k} ${unit(v)}`).join(', ')})` : '–'}; ` +
            `from histories ${historyActionsReport.perBooking}${runs !== null && runs > 1 ? ` (inventory: current run only, of ${runs})` : ''}; CPU ms ${JSON.stringify(cycleCpuMsPerConfirmed)}`,
        );
      }
      say(
        `  inventory workflow tasks: queue p50 ${where.inventory.workflowTaskQueue.p50} / p99 ${where.inventory.workflowTaskQueue.p99} ms, ` +
          `run p50 ${where.inventory.workflowTaskRun.p50} / p99 ${where.inventory.workflowTaskRun.p99} ms; ` +
          `booking workflow tasks: queue p50 ${where.bookings.workflowTaskQueue.p50} / p99 ${where.bookings.workflowTaskQueue.p99} ms`,
      );
      say(`  booking workflows, largest gaps between events (ms per workflow): ${where.bookings.gaps.slice(0, 6).map((g) => `${g.pair} ${g.msPerWorkflow}`).join('; ')}`);
      say(`  CPU (cores): ${JSON.stringify(Object.fromEntries(Object.entries(cpu.cores).map(([k, v]) => [k, r2(v)])))}, machine ${r0(cpu.machineBusyShare * 100)} % busy; busiest threads ${threads.map((t) => `${t.thread} ${t.cores}`).join(', ')}`);
      const report = {
        load,
        runDate,
        checks,
        where,
        cpuCores: cpu.cores,
        machineBusyShare: cpu.machineBusyShare,
        busiestThreads: threads,
        otherCores,
        cycleCpuMsPerHold,
        sustainedHoldsPerSecond,
        jestDuringLevel,
        jestDuringDrain,
        travellersAfter,
        extraHolds,
        actions,
        historyActions: historyActionsReport,
        cycleCpuMsPerConfirmed,
        invariants,
        report: step.report,
      };
      if (jestDuringLevel && args.wait && attempt < 3) {
        say(`  ${step.name} is discarded (jest ran during it) and will be repeated on a fresh run`);
        discarded.push(report);
        attempt += 1;
        continue;
      }
      reports.push(report);
      i += 1;
      attempt = 1;
    }

    let probe: ProbeReport | null = null;
    if (args.probe && !interrupted) {
      if (args.wait) await waitForNoJest();
      await waitForQuiet(groups, 180_000);
      s.assertAlive();
      const runDate = freshRun();
      say(`probe: hold updates straight to the actor of run ${runDate}, one at a time, by batch size…`);
      const sender = holdSender(s.client, target, runDate, random);
      await sender.warm();
      const PER_SIZE = 15;
      const points = [];
      for (const size of [1, 10, 50, 100, 200]) {
        const before = sampleCpu(groups);
        const point = await probeBatch(sender.send, size, PER_SIZE);
        const cpu = cpuBetween(before, sampleCpu(groups));
        const perUpdate = (k: string) => r1(((cpu.cores[k] ?? 0) * cpu.seconds * 1000) / point.updates);
        points.push({ ...point, workerCpuMsPerUpdate: perUpdate('worker'), temporalCpuMsPerUpdate: perUpdate('temporal') });
      }
      // The actor's own view: the workflow tasks that accepted these updates (after the 3 warm-up ones).
      const tasks = updateTasks((await fetchHistories(s.client, [sender.id]))[0] ?? []).slice(3);
      const batches = points.map((p, i) => {
        const mine = tasks.slice(i * PER_SIZE, (i + 1) * PER_SIZE);
        return {
          ...p,
          actorTaskQueueP50: r1(percentiles(mine.map((t) => t.queue)).p50),
          actorTaskRunP50: r1(percentiles(mine.map((t) => t.run)).p50),
        };
      });
      for (const p of batches) {
        say(
          `  batch ${p.batch}: p50 ${p.p50} ms, p90 ${p.p90} ms; actor task queue ${p.actorTaskQueueP50} / run ${p.actorTaskRunP50} ms; ` +
            `CPU per update: worker ${p.workerCpuMsPerUpdate} ms, Temporal ${p.temporalCpuMsPerUpdate} ms`,
        );
      }
      const throughput = [];
      // At most 12,000 holds per actor: near 16,000 one-passenger bookings its carried state passes the
      // server's 2 MB payload limit, continue-as-new is refused and the server terminates the actor (see README).
      for (const shape of [
        { inFlight: 2, batch: 20, seconds: 8, maxHolds: 12_000 },
        { inFlight: 2, batch: 100, seconds: 8, maxHolds: 12_000 },
      ]) {
        const tpDate = freshRun();
        const tpSender = holdSender(s.client, target, tpDate, random);
        await tpSender.warm();
        const before = sampleCpu(groups);
        const tp = await probeActorThroughput(tpSender.send, shape);
        const cpu = cpuBetween(before, sampleCpu(groups));
        const actor = await inventorySummary(s.client, target, tpDate).catch(() => null);
        say(
          `  actor alone, ${shape.inFlight} in flight × batch ${shape.batch}: ${r0(tp.holdsPerSecond)} holds/s, update p50 ${r0(tp.updateMs.p50)} / p99 ${r0(tp.updateMs.p99)} ms` +
            ` (worker ${r2(cpu.cores.worker ?? 0)}, Temporal ${r2(cpu.cores.temporal ?? 0)} cores); actor runs ${actor?.stats.runs ?? '?'}` +
            `${tp.errors > 0 ? `; refused, retried: ${JSON.stringify(tp.errorMessages)}` : ''}`,
        );
        throughput.push({ ...tp, runDate: tpDate, cpuCores: cpu.cores, actorRuns: actor?.stats.runs ?? null });
        await waitForQuiet(groups, 60_000);
      }
      say('probe: workflow starts straight to the server (booking search attributes, a task queue without a worker)…');
      const beforeStarts = sampleCpu(groups);
      const st = await probeStarts(s.client, { concurrency: 50, seconds: 8, tag: Date.now().toString(36) });
      const startCpu = cpuBetween(beforeStarts, sampleCpu(groups));
      say(`  ${r0(st.startsPerSecond)} starts/s, start p50 ${r0(st.startMs.p50)} / p99 ${r0(st.startMs.p99)} ms (Temporal ${r2(startCpu.cores.temporal ?? 0)} cores)`);
      probe = { runDate, batches, throughput, starts: { ...st, cpuCores: startCpu.cores } };
    }

    let floor: Floor | null = null;
    if (args.floor && !interrupted) {
      await waitForQuiet(groups, 120_000);
      say('floor: bare workflow starts on the same server (50 concurrent starters, a task queue no worker polls)…');
      const before = sampleCpu(groups);
      const actionsBefore = await scrapeActions(s.temporalMetricsUrl, s.namespace);
      const st = await probeStarts(s.client, { concurrency: 50, seconds: 10, tag: `floor-${Date.now().toString(36)}` });
      await sleep(1500); // the server's metrics and the backends' CPU settle
      const cpu = cpuBetween(before, sampleCpu(groups));
      const act = actionsBetween(actionsBefore, await scrapeActions(s.temporalMetricsUrl, s.namespace));
      const cpuMsPerStart = Object.fromEntries(Object.entries(cpu.cores).map(([k, v]) => [k, st.starts > 0 ? r2((v * cpu.seconds * 1000) / st.starts) : 0]));
      floor = { concurrency: 50, probe: st, cpuMsPerStart, actionsPerStart: act && st.starts > 0 ? r2(act.total / st.starts) : null };
      say(`  ${r0(st.startsPerSecond)} starts/s, p50 ${r0(st.startMs.p50)} / p99 ${r0(st.startMs.p99)} ms; CPU ms per start ${JSON.stringify(cpuMsPerStart)}; actions per start ${floor.actionsPerStart ?? '–'}`);
    }
    pgBackends.stop();

    const headline = renderHeadline({
      temporalMode:
        s.temporalMode === 'file' ? 'dev server, durable SQLite file' : s.temporalMode === 'postgres' ? 'server v1.29.1 on Postgres' : 'dev server, in memory',
      levels: reports.filter((l) => l.report).map(headlineLevel),
      baseline: baselineRuns,
      floor,
    });
    const results = {
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      machine,
      args,
      target: { train: target.trainNumber, name: target.trainName, classCode: target.classCode, coaches: target.coaches, berths: target.berths, stops: target.stops.length },
      stack: { ...DEFAULT_STACK, apiUrl: s.apiUrl, taskQueue: 'railbook' },
      levels: reports,
      /** Levels repeated because jest ran during them (kept for the record, not in the tables). */
      discarded,
      probe,
      temporal: s.temporalMode,
      baseline: baselineRuns,
      floor,
    };
    writeResults(started, results, `${headline}\n\n${renderMarkdown(results.levels.filter((l) => l.report), probe, target.berths)}`);
  } finally {
    if (!interrupted && stack) {
      say('stopping the benchmark stack…');
      await stack.stop();
    }
  }
}

function writeResults(started: Date, results: unknown, markdown: string): void {
  const dir = path.join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${markdown}\n\nfull results: ${path.relative(REPO_ROOT, file)}\n`);
}

function consistentLevel(l: LevelReport): boolean {
  const st = l.checks.inventory?.stats;
  const expected = l.load.created + l.extraHolds;
  return (
    st !== undefined &&
    st.holds === expected &&
    l.checks.bookingRows === expected &&
    l.checks.confirmedRows >= l.load.confirmed &&
    l.invariants.ok &&
    actorsAsExpected(l)
  );
}

/** One booking actor per paid booking (a pay answered 503 or 202 may also have started one), none per unpaid hold. */
function actorsAsExpected(l: LevelReport): boolean {
  const n = l.checks.bookingWorkflows;
  return n === null || (n >= l.load.confirmed && n <= l.load.created + l.extraHolds);
}

function headlineLevel(l: LevelReport): HeadlineLevel {
  const unit = l.load.kind === 'e2e' ? l.load.confirmed : l.load.created;
  return {
    name: l.load.name,
    kind: l.load.kind,
    clients: l.load.clients,
    rate: l.load.rate,
    created: l.load.created,
    confirmed: l.load.confirmed,
    notDefinite: l.load.notDefinite,
    createdPerSecond: l.load.createdPerSecond,
    confirmedPerSecond: l.load.confirmedPerSecond,
    holdP50: l.load.latency.hold.p50,
    holdP99: l.load.latency.hold.p99,
    payP50: l.load.latency.pay?.p50 ?? null,
    payP99: l.load.latency.pay?.p99 ?? null,
    cpuMsPerUnit: l.cycleCpuMsPerConfirmed ?? l.cycleCpuMsPerHold,
    actionsPerUnit: l.actions && unit > 0 ? l.actions.total / unit : null,
    actionsByType: l.actions && unit > 0 ? Object.fromEntries(Object.entries(l.actions.byType).map(([k, v]) => [k, v / unit])) : null,
    historyActionsPerUnit: l.historyActions?.perBooking ?? null,
    historyActionsByKind: l.historyActions?.byKind ?? null,
    consistent: consistentLevel(l),
  };
}

function renderSoak(soak: SoakReport, mode: TemporalMode): string {
  const out: string[] = [];
  out.push(`### Soak: ${soak.rate} bookings/s offered (hold, then pay) for ${soak.minutes} minutes (Temporal: ${mode === 'file' ? 'durable SQLite file' : mode === 'postgres' ? 'server on Postgres' : 'in memory'})`);
  out.push('');
  const procs = soak.windows.length ? Object.keys(soak.windows[0]!.rssMiB) : [];
  out.push(
    markdownTable(
      ['minute', 'confirmed / sent', 'confirmed/s', 'hold p50 / p99 ms', 'pay p50 / p99 ms', ...procs.map((p) => `RSS ${p} MiB`), 'Temporal db MiB', 'actions / booking', 'booking history events / bytes', 'inventory history events / bytes (largest payload)'],
      soak.windows.map((w) => [
        w.minute,
        `${w.confirmed} / ${w.sent}`,
        w.confirmedPerSecond,
        `${w.holdMs.p50} / ${w.holdMs.p99}`,
        `${w.payMs.p50} / ${w.payMs.p99}`,
        ...procs.map((p) => w.rssMiB[p] ?? 0),
        w.temporalDbMiB ?? '–',
        w.actionsPerConfirmed ?? '–',
        `${w.bookingHistory.events} / ${w.bookingHistory.bytes}`,
        w.inventoryHistory ? `${w.inventoryHistory.events} / ${w.inventoryHistory.bytes} (${w.inventoryHistory.largestPayloadBytes})` : '–',
      ]),
    ),
  );
  out.push('');
  out.push(`**Soak verdict:** ${soak.verdict}`);
  return out.join('\n');
}

function renderMarkdown(levels: LevelReport[], probe: ProbeReport | null, berths: number): string {
  const holds = levels.filter((l) => l.load.kind === 'hold');
  const e2e = levels.filter((l) => l.load.kind === 'e2e');
  const cpu = (c: Record<string, number>, other?: number) =>
    ['api', 'worker', 'temporal', 'postgres', 'loadgen'].map((k) => `${k[0]!.toUpperCase()}${r2(c[k] ?? 0)}`).join(' ') +
    (other === undefined ? '' : ` O${r2(other)}`);
  const other = (l: LevelReport) => l.load.notDefinite;
  const msPerHold = (c: Record<string, number>) =>
    ['temporal', 'worker', 'api', 'postgres'].map((k) => `${k[0]!.toUpperCase()}${r1(c[k] ?? 0)}`).join(' ') +
    ` = ${r1(['temporal', 'worker', 'api', 'postgres', 'redis'].reduce((a, k) => a + (c[k] ?? 0), 0))}`;
  const consistent = (l: LevelReport) => {
    const st = l.checks.inventory?.stats;
    const expected = l.load.created + l.extraHolds;
    const ok =
      st !== undefined &&
      st.holds === expected &&
      l.checks.bookingRows === expected &&
      actorsAsExpected(l);
    return ok ? 'yes' : `NO (actor ${st?.holds ?? '?'}, rows ${l.checks.bookingRows}, wf ${l.checks.bookingWorkflows ?? '?'})`;
  };
  const out: string[] = [];
  out.push(`### Holds on one hot run (${berths} berths; each level on a fresh run)`);
  out.push('');
  out.push(
    markdownTable(
      ['clients', 'answered', '201', '409 full', 'other', 'stopped by', 'holds/s (201)', 'answers/s (steady)', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'batches', 'avg / max batch', 'actor runs', 'drain + idle s', 'holds/s incl. drain', 'CPU ms per hold, full cycle', '201 = actor = rows = wf', 'CPU cores used'],
      holds.map((l) => [
        l.load.rate ? `${l.load.rate}/s, ≤ ${l.load.clients}` : l.load.clients,
        l.load.definite + other(l),
        l.load.created,
        l.load.noSeats,
        other(l),
        l.load.stoppedBecause,
        r1(l.load.createdPerSecond),
        r1(l.load.steadyAnswersPerSecond),
        r0(l.load.latency.hold.p50),
        r0(l.load.latency.hold.p90),
        r0(l.load.latency.hold.p99),
        r0(l.load.latency.hold.max),
        l.checks.inventory?.stats.batches ?? '?',
        `${l.checks.avgBatch === null ? '?' : r1(l.checks.avgBatch)} / ${l.checks.inventory?.stats.largestBatch ?? '?'}`,
        l.checks.inventory?.stats.runs ?? '?',
        `${l.checks.drainSeconds === null ? '>300' : r1(l.checks.drainSeconds)} + ${l.checks.quietSeconds === null ? '>180' : r1(l.checks.quietSeconds)}`,
        r1(l.sustainedHoldsPerSecond) + (l.jestDuringDrain ? ' (jest ran: skewed)' : ''),
        msPerHold(l.cycleCpuMsPerHold) + (l.jestDuringDrain ? ' (jest ran: skewed)' : ''),
        consistent(l),
        cpu(l.cpuCores, l.otherCores) + (l.jestDuringLevel ? ' (JEST RAN: skewed)' : ''),
      ]),
    ),
  );
  out.push('');
  out.push('CPU cores used: A api, W worker, T Temporal server, P Postgres, L load generator, O everything else on the machine (2.0 = both cores).');
  out.push(
    'Full cycle = the level plus the drain after it (until every 201 has its row in Postgres) and the idle wait: what each hold and its booking workflow cost in CPU ms (T Temporal, W worker, A API, P Postgres; = with Redis). "holds/s incl. drain" = 201s / (level + drain seconds).',
  );
  const travellerRows: { level: string; run: string; t: TravellerProbe }[] = [];
  for (const l of holds) {
    if (l.travellersAfter.sameRun) travellerRows.push({ level: l.load.name, run: 'same hot run', t: l.travellersAfter.sameRun });
    if (l.travellersAfter.otherRun) travellerRows.push({ level: l.load.name, run: 'a new run', t: l.travellersAfter.otherRun });
  }
  const step = (x: { status: number; code?: string; ms: number; bookingStatus?: string } | null) =>
    x ? `${x.status}${x.code ? ` ${x.code}` : ''}${x.bookingStatus ? ` (${x.bookingStatus})` : ''}, ${r0(x.ms)} ms` : '–';
  if (travellerRows.length > 0) {
    out.push('');
    out.push('### A traveller right after each level (while its booking workflows drain)');
    out.push('');
    out.push(
      markdownTable(
        ['after level', 'books on', 'POST /bookings', 'GET /bookings/:pnr', 'POST /bookings/:pnr/payment'],
        travellerRows.map((r) => [r.level, r.run, step(r.t.hold), step(r.t.get), step(r.t.pay)]),
      ),
    );
  }
  if (e2e.length > 0) {
    out.push('');
    out.push('### End to end: hold, then pay (confirmed bookings)');
    out.push('');
    out.push(
      markdownTable(
        ['clients', 'bookings', 'confirmed', '409 full', 'other', 'confirmed/s', 'hold p50 / p99 ms', 'pay p50 / p99 ms', 'total p50 / p99 ms', 'confirmed rows', 'CPU ms per booking, full cycle', 'CPU cores used'],
        e2e.map((l) => [
          l.load.clients,
          l.load.definite + other(l),
          l.load.confirmed,
          l.load.noSeats,
          other(l),
          r1(l.load.confirmedPerSecond),
          `${r0(l.load.latency.hold.p50)} / ${r0(l.load.latency.hold.p99)}`,
          `${r0(l.load.latency.pay?.p50 ?? 0)} / ${r0(l.load.latency.pay?.p99 ?? 0)}`,
          `${r0(l.load.latency.total?.p50 ?? 0)} / ${r0(l.load.latency.total?.p99 ?? 0)}`,
          l.checks.confirmedRows,
          msPerHold(l.cycleCpuMsPerHold) + (l.jestDuringDrain ? ' (jest ran: skewed)' : ''),
          cpu(l.cpuCores, l.otherCores) + (l.jestDuringLevel ? ' (JEST RAN: skewed)' : ''),
        ]),
      ),
    );
  }
  out.push('');
  out.push('### Where the time goes (from workflow histories; ms, p50 / p99)');
  out.push('');
  const pp = (p: { p50: number; p99: number; n: number } | undefined) => (p && p.n > 0 ? `${r0(p.p50)} / ${r0(p.p99)}` : '–');
  const actNames = [...new Set(levels.flatMap((l) => Object.keys(l.where.bookings.activities)))].sort();
  out.push(
    markdownTable(
      ['level', 'inventory WFT queue', 'inventory WFT run', 'updates per inventory WFT', 'booking WFT queue', 'booking WFT run', 'pay update accepted→done', ...actNames.map((a) => `${a} queue / run p50`)],
      levels.map((l) => [
        l.load.name,
        pp(l.where.inventory.workflowTaskQueue),
        pp(l.where.inventory.workflowTaskRun),
        l.where.inventory.updatesPerTask.n > 0 ? `${r1(l.where.inventory.updatesPerTask.mean)} (max ${l.where.inventory.updatesPerTask.max})` : '–',
        pp(l.where.bookings.workflowTaskQueue),
        pp(l.where.bookings.workflowTaskRun),
        pp(l.where.bookings.updates),
        ...actNames.map((a) => {
          const x = l.where.bookings.activities[a];
          return x ? `${r0(x.queue.p50)} / ${r0(x.run.p50)}` : '–';
        }),
      ]),
    ),
  );
  out.push('');
  out.push('WFT = workflow task; queue = scheduled → started (waiting for a worker slot/poll), run = started → completed.');
  const notDefinite = levels.filter((l) => l.load.notDefinite > 0);
  out.push('');
  out.push(
    notDefinite.length === 0
      ? '**Every request got a definite answer** (201, or 409 NO_SEATS_AVAILABLE; e2e: confirmed).'
      : `**Requests without a definite answer:** ${notDefinite
          .map((l) => `${l.load.name}: ${Object.entries(l.load.outcomes).filter(([k]) => !['201', '409 NO_SEATS_AVAILABLE', 'confirmed'].includes(k)).map(([k, v]) => `${v} × ${k}`).join(', ')}`)
          .join('; ')}`,
  );
  const troubled = travellerRows.filter((r) => [r.t.hold, r.t.get, r.t.pay].some((x) => x && (x.status < 200 || x.status >= 300)));
  if (troubled.length > 0) {
    out.push(
      `**A traveller right after a level got an error:** ${troubled
        .map((r) => `after ${r.level} (${r.run}): ${[r.t.hold, r.t.get, r.t.pay].map((x) => (x ? `${x.status}${x.code ? ` ${x.code}` : ''}` : '–')).join(' / ')}`)
        .join('; ')} (hold / GET / pay).`,
    );
  }
  const verdicts = holds
    .filter((l) => l.load.clients > 1)
    .map((l) => {
      const rate = l.load.steadyAnswersPerSecond;
      const met = rate >= 200 && l.load.latency.hold.p99 <= 300 && l.load.notDefinite === 0;
      const shape = l.load.rate ? `${l.load.rate}/s offered (≤ ${l.load.clients} in flight)` : `${l.load.clients} closed-loop clients`;
      return `${shape}: ${r0(rate)} answers/s, p99 ${r0(l.load.latency.hold.p99)} ms → ${met ? 'met' : 'NOT met'}`;
    });
  if (verdicts.length > 0) {
    out.push(`Target (≥ 200 holds/s on one hot run, p99 ≤ 300 ms, none lost): ${verdicts.join('; ')}.`);
    out.push(
      '(A closed loop of N clients answered at X/s has a mean latency of N / X (Little\'s law): 200 or 500 clients can only see p99 ≤ 300 ms at well over 1,000 holds/s. The open-loop levels send the target rate itself.)',
    );
  }
  if (probe) {
    out.push('');
    out.push('### Probe: hold updates straight to the inventory actor (no API, no booking workflows)');
    out.push('');
    out.push('One at a time, by batch size (round trip from the client; the actor task as the server recorded it; CPU per update):');
    out.push('');
    out.push(
      markdownTable(
        ['batch', 'updates', 'p50 ms', 'p90 ms', 'max ms', 'p50 per request ms', 'actor WFT queue p50', 'actor WFT run p50', 'worker CPU ms / update', 'Temporal CPU ms / update'],
        probe.batches.map((p) => [p.batch, p.updates, p.p50, p.p90, p.max, p.perRequestMs, p.actorTaskQueueP50, p.actorTaskRunP50, p.workerCpuMsPerUpdate, p.temporalCpuMsPerUpdate]),
      ),
    );
    out.push('');
    out.push('Back to back, the gateway\'s shape (2 updates in flight):');
    out.push('');
    out.push(
      markdownTable(
        ['in flight × batch', 'seconds', 'updates', 'holds/s', 'update p50 / p99 ms', 'refused (retried)', 'actor runs', 'CPU cores used'],
        probe.throughput.map((t) => [
          `${t.inFlight} × ${t.batch}`,
          r1(t.seconds),
          t.updates,
          r0(t.holdsPerSecond),
          `${r0(t.updateMs.p50)} / ${r0(t.updateMs.p99)}`,
          t.errors,
          t.actorRuns ?? '?',
          cpu(t.cpuCores),
        ]),
      ),
    );
    const st = probe.starts;
    out.push('');
    out.push(
      `Workflow starts straight to the server (booking search attributes, no worker; ${st.concurrency} concurrent): ` +
        `**${r0(st.startsPerSecond)} starts/s**, p50 ${r0(st.startMs.p50)} / p99 ${r0(st.startMs.p99)} ms, ${st.errors} errors; ${cpu(st.cpuCores)}.`,
    );
  }
  return out.join('\n');
}

main().then(
  () => {
    if (!interrupted) process.exit(0);
  },
  (err: unknown) => {
    if (interrupted) return;
    say(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
