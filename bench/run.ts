// `npm run bench`: a benchmark (not a test) of the booking core on this machine.
//
// Brings up its own isolated stack (Temporal dev server in memory on :7253,
// database railbook_bench, Redis db 14, the worker and the API as child
// processes on :3053), then measures on ONE hot run per level (one train, one
// date, one class, fresh and empty):
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
//   npm run bench -- --help
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  bookingMaker,
  checkLevel,
  loadTarget,
  prng,
  probeBatchLatency,
  registerUsers,
  runDates,
  runLevel,
  type LevelChecks,
  type LevelKind,
  type LevelLoad,
  type ProbePoint,
} from './lib/load';
import { cpuBetween, sampleCpu, type ProcGroup } from './lib/procs';
import { DEFAULT_STACK, REPO_ROOT, startBenchStack, type BenchStack } from './lib/stack';
import { markdownTable, r0, r1, r2 } from './lib/stats';

const HELP = `npm run bench -- [options]

  --clients 50,200,500   concurrent clients per hold level (each level on a fresh run)
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
  --no-probe             skip the batch-size probe
  --no-wait              do not wait for running jest processes to finish
`;

interface Args {
  clients: number[];
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
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    clients: [50, 200, 500],
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
        a.clients = (value() ?? '').split(',').map((c) => Math.round(num('--clients', c.trim(), 1, 5000)));
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
      case '--no-wait':
        a.wait = false;
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

/** Integration tests running beside the benchmark would skew both: wait (bounded) until none is. */
async function waitForNoJest(): Promise<void> {
  const running = () => {
    const r = spawnSync('pgrep', ['-f', 'jest'], { encoding: 'utf8' });
    return (r.stdout ?? '')
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((pid) => pid > 0 && pid !== process.pid);
  };
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const pids = running();
    if (pids.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`jest is still running after 10 minutes (pids ${pids.join(', ')}); results would be skewed. Use --no-wait to run anyway.`);
    }
    say(`jest is running (pids ${pids.join(', ')}); waiting 30 s…`);
    await sleep(30_000);
  }
}

interface LevelReport {
  load: LevelLoad;
  runDate: string;
  checks: LevelChecks;
  cpuCores: Record<string, number>;
  machineBusyShare: number;
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
    stack = await startBenchStack({ ...DEFAULT_STACK, log: say });
    const s = stack;
    say(`stack up in ${r1((Date.now() - t0) / 1000)} s`);

    const target = await loadTarget(s.pool, args.train, args.classCode);
    say(
      `target: ${target.trainNumber} ${target.trainName}, class ${target.classCode}: ${target.coaches} coaches, ${target.berths} berths, ${target.stops.length} stops`,
    );
    const tokens = await registerUsers(s.apiUrl, args.users, say);

    const groups: ProcGroup[] = [
      { name: 'api', treeOf: s.pids.api },
      { name: 'worker', treeOf: s.pids.worker },
      ...(s.pids.temporal ? [{ name: 'temporal', treeOf: s.pids.temporal }] : []),
      { name: 'postgres', comm: 'postgres' },
      { name: 'redis', comm: 'redis-server' },
      { name: 'loadgen', pid: process.pid },
    ];

    const plan: { name: string; kind: LevelKind; clients: number; requests: number; report: boolean }[] = [];
    if (args.warmup > 0) plan.push({ name: 'warm-up', kind: 'hold', clients: 20, requests: args.warmup, report: false });
    if (args.baseline > 0) plan.push({ name: 'baseline', kind: 'hold', clients: 1, requests: args.baseline, report: true });
    for (const c of args.clients) plan.push({ name: `hold-${c}`, kind: 'hold', clients: c, requests: args.requests, report: true });
    if (args.e2e > 0) plan.push({ name: 'e2e', kind: 'e2e', clients: args.e2eClients, requests: args.e2e, report: true });
    const dates = runDates(target, 60, plan.length + 1);

    const random = prng(20260101);
    const reports: (LevelReport & { report: boolean })[] = [];
    for (const [i, step] of plan.entries()) {
      if (interrupted) return;
      s.assertAlive();
      const runDate = dates[i]!;
      say(`${step.name}: ${step.clients} client(s), up to ${step.requests} ${step.kind === 'e2e' ? 'hold+pay bookings' : 'holds'} on run ${runDate}…`);
      const before = sampleCpu(groups);
      const load = await runLevel({
        name: step.name,
        kind: step.kind,
        clients: step.clients,
        requests: step.requests,
        maxSeconds: args.maxSeconds,
        apiUrl: s.apiUrl,
        tokens,
        makeBody: bookingMaker(target, runDate, args.meanHops, random),
        soldOutShare: 0.9,
        timeoutMs: 60_000,
      });
      const cpu = cpuBetween(before, sampleCpu(groups));
      say(
        `  ${load.sent} sent in ${r1(load.elapsedSeconds)} s (${load.stoppedBecause}): ${JSON.stringify(load.outcomes)}; ` +
          `p50 ${r0(load.latency.hold.p50)} ms, p99 ${r0(load.latency.hold.p99)} ms, ${r1(load.answersPerSecond)} answers/s`,
      );
      const checks = await checkLevel(s.client, s.pool, target, runDate, { created: load.created, confirmed: load.confirmed }, 90_000);
      say(
        `  inventory: ${JSON.stringify(checks.inventory?.stats ?? checks.inventoryError)}; booking workflows ${checks.bookingWorkflows}; ` +
          `rows ${checks.bookingRows} (${checks.confirmedRows} confirmed); drained ${checks.drainSeconds === null ? 'NOT within 90 s' : `${r1(checks.drainSeconds)} s`} after the last answer`,
      );
      reports.push({ load, runDate, checks, cpuCores: cpu.cores, machineBusyShare: cpu.machineBusyShare, report: step.report });
    }

    let probe: ProbePoint[] = [];
    if (args.probe && !interrupted) {
      s.assertAlive();
      const runDate = dates[plan.length]!;
      say(`probe: hold updates straight to the actor of run ${runDate}, one at a time, by batch size…`);
      probe = await probeBatchLatency(s.client, target, runDate, [1, 10, 50, 100, 200], 15, random);
      for (const p of probe) say(`  batch ${p.batch}: p50 ${p.p50} ms, p90 ${p.p90} ms`);
    }

    const results = {
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      machine,
      args,
      target: { train: target.trainNumber, name: target.trainName, classCode: target.classCode, coaches: target.coaches, berths: target.berths, stops: target.stops.length },
      stack: { ...DEFAULT_STACK, apiUrl: s.apiUrl, taskQueue: 'railbook' },
      levels: reports,
      probe,
    };
    const dir = path.join(REPO_ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`\n${renderMarkdown(results.levels.filter((l) => l.report), probe, target.berths)}\n\nfull results: ${path.relative(REPO_ROOT, file)}\n`);
  } finally {
    if (!interrupted && stack) {
      say('stopping the benchmark stack…');
      await stack.stop();
    }
  }
}

function renderMarkdown(levels: LevelReport[], probe: ProbePoint[], berths: number): string {
  const holds = levels.filter((l) => l.load.kind === 'hold');
  const e2e = levels.filter((l) => l.load.kind === 'e2e');
  const cpu = (c: Record<string, number>) =>
    ['api', 'worker', 'temporal', 'postgres', 'loadgen'].map((k) => `${k[0]!.toUpperCase()}${r2(c[k] ?? 0)}`).join(' ');
  const other = (l: LevelReport) => l.load.notDefinite;
  const consistent = (l: LevelReport) => {
    const st = l.checks.inventory?.stats;
    const ok =
      st !== undefined &&
      st.holds === l.load.created &&
      l.checks.bookingRows === l.load.created &&
      (l.checks.bookingWorkflows === null || l.checks.bookingWorkflows === l.load.created);
    return ok ? 'yes' : `NO (actor ${st?.holds ?? '?'}, rows ${l.checks.bookingRows}, wf ${l.checks.bookingWorkflows ?? '?'})`;
  };
  const out: string[] = [];
  out.push(`### Holds on one hot run (${berths} berths; each level on a fresh run)`);
  out.push('');
  out.push(
    markdownTable(
      ['clients', 'answered', '201', '409 full', 'other', 'stopped by', 'holds/s (201)', 'answers/s (steady)', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'batches', 'avg / max batch', 'actor runs', 'worker drain s', '201 = actor = rows = wf', 'CPU cores used'],
      holds.map((l) => [
        l.load.clients,
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
        l.checks.drainSeconds === null ? '>90' : r1(l.checks.drainSeconds),
        consistent(l),
        cpu(l.cpuCores),
      ]),
    ),
  );
  out.push('');
  out.push('CPU cores used: A api, W worker, T Temporal server, P Postgres, L load generator (2.0 = both cores).');
  if (e2e.length > 0) {
    out.push('');
    out.push('### End to end: hold, then pay (confirmed bookings)');
    out.push('');
    out.push(
      markdownTable(
        ['clients', 'bookings', 'confirmed', '409 full', 'other', 'confirmed/s', 'hold p50 / p99 ms', 'pay p50 / p99 ms', 'total p50 / p99 ms', 'confirmed rows', 'CPU cores used'],
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
          cpu(l.cpuCores),
        ]),
      ),
    );
  }
  const notDefinite = levels.filter((l) => l.load.notDefinite > 0);
  out.push('');
  out.push(
    notDefinite.length === 0
      ? '**Every request got a definite answer** (201, or 409 NO_SEATS_AVAILABLE; e2e: confirmed).'
      : `**Requests without a definite answer:** ${notDefinite
          .map((l) => `${l.load.name}: ${Object.entries(l.load.outcomes).filter(([k]) => !['201', '409 NO_SEATS_AVAILABLE', 'confirmed'].includes(k)).map(([k, v]) => `${v} × ${k}`).join(', ')}`)
          .join('; ')}`,
  );
  const verdicts = holds
    .filter((l) => l.load.clients > 1)
    .map((l) => {
      const rate = l.load.steadyAnswersPerSecond;
      const met = rate >= 200 && l.load.latency.hold.p99 <= 300 && l.load.notDefinite === 0;
      return `${l.load.clients} clients: ${r0(rate)} answers/s, p99 ${r0(l.load.latency.hold.p99)} ms → ${met ? 'met' : 'NOT met'}`;
    });
  if (verdicts.length > 0) out.push(`Target (≥ 200 holds/s on one hot run, p99 ≤ 300 ms, none lost): ${verdicts.join('; ')}.`);
  if (probe.length > 0) {
    out.push('');
    out.push('### Probe: one hold update straight to the inventory actor, by batch size (idle system, sequential)');
    out.push('');
    out.push(markdownTable(['batch', 'updates', 'p50 ms', 'p90 ms', 'max ms', 'p50 per request ms'], probe.map((p) => [p.batch, p.updates, p.p50, p.p90, p.max, p.perRequestMs])));
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
