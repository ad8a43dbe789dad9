// Soak: a steady open-loop load of confirmed bookings (hold, then pay) for a given time,
// one window per minute, each on a fresh run of the train (a hot run sells out in a few
// minutes at 30 bookings/s). Per minute: what was confirmed and how fast, the latency,
// the resident memory and CPU of every process, the Temporal server's database file, and
// the size of the histories written (a sample of booking workflows, the minute's inventory
// actor). At the end: the slope of memory and latency over the run, and a verdict.
import { statSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { bookingWorkflowId, inventoryWorkflowId } from '../../contracts';
import { actionsBetween, historySize, scrapeActions } from './actions';
import { fetchHistories } from './history';
import { checkInvariants } from './invariants';
import type { Pool } from 'pg';
import { bookingMaker, checkLevel, runLevel, type LevelLoad, type Target } from './load';
import { cpuBetween, sampleCpu, sampleRss, type ProcGroup } from './procs';
import { r1, r2 } from './stats';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface SoakMinute {
  minute: number;
  runDate: string;
  seconds: number;
  sent: number;
  created: number;
  confirmed: number;
  notDefinite: number;
  outcomes: Record<string, number>;
  confirmedPerSecond: number;
  holdMs: { p50: number; p99: number };
  payMs: { p50: number; p99: number };
  rssMiB: Record<string, number>;
  cpuCores: Record<string, number>;
  temporalDbMiB: number | null;
  actionsPerConfirmed: number | null;
  bookingHistory: { events: number; bytes: number; largestPayloadBytes: number };
  inventoryHistory: { events: number; bytes: number; largestPayloadBytes: number } | null;
}

export interface Trend {
  series: string;
  first: number;
  last: number;
  /** Least-squares slope per minute (after the first, warm-up minute when there are 3 or more). */
  perMinute: number;
  /** slope × minutes measured, relative to the fitted start value. */
  relativeGrowth: number;
  grew: boolean;
}

export interface SoakReport {
  minutes: number;
  rate: number;
  windows: SoakMinute[];
  trends: Trend[];
  /** After the soak, per minute's run: the 201s, the actor's holds, the rows and the confirmed rows agree. */
  consistency: { runDate: string; created: number; confirmed: number; actorHolds: number | null; rows: number; confirmedRows: number; invariantsOk: boolean; ok: boolean }[];
  verdict: string;
}

function slope(ys: number[]): { perMinute: number; start: number } {
  const n = ys.length;
  if (n < 2) return { perMinute: 0, start: ys[0] ?? 0 };
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  ys.forEach((y, x) => {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  });
  const b = sxx > 0 ? sxy / sxx : 0;
  return { perMinute: b, start: my - b * mx };
}

/**
 * Did a series grow? Its fitted growth over the run against its fitted start: more than
 * `limit` (share) and more than `floor` in absolute terms (a few MiB or ms are noise).
 */
export function trend(series: string, values: number[], limit: number, floor: number): Trend {
  const ys = values.length >= 3 ? values.slice(1) : values;
  const { perMinute, start } = slope(ys);
  const growth = perMinute * Math.max(ys.length - 1, 0);
  const relativeGrowth = start > 0 ? growth / start : 0;
  return {
    series,
    first: values[0] ?? 0,
    last: values[values.length - 1] ?? 0,
    perMinute: r2(perMinute),
    relativeGrowth: r2(relativeGrowth),
    grew: relativeGrowth > limit && growth > floor,
  };
}

export async function runSoak(o: {
  minutes: number;
  rate: number;
  rateClients: number;
  client: Client;
  pool: Pool;
  namespace: string;
  apiUrl: string;
  tokens: string[];
  target: Target;
  meanHops: number;
  random: () => number;
  freshRun: () => string;
  groups: ProcGroup[];
  temporalMetricsUrl: string | null;
  temporalDbFile: string | null;
  assertAlive: () => void;
  interrupted: () => boolean;
  say: (m: string) => void;
}): Promise<SoakReport> {
  const windows: SoakMinute[] = [];
  // The windows overlap: a minute's bookings are sent on schedule for 60 s, and the next minute
  // starts on time while the previous one's last payments are still being answered, so the
  // load never pauses. Memory, CPU, actions and the database file are sampled at each minute
  // boundary; latency and outcomes belong to the bookings SENT in that minute.
  const t0 = Date.now();
  const loads: Promise<LevelLoad>[] = [];
  const runDates: string[] = [];
  const atBoundary: { rssMiB: Record<string, number>; cpuCores: Record<string, number>; dbMiB: number | null; actions: number | null }[] = [];
  let cpuBefore = sampleCpu(o.groups);
  let actionsBefore = await scrapeActions(o.temporalMetricsUrl, o.namespace);
  for (let m = 1; m <= o.minutes && !o.interrupted(); m++) {
    o.assertAlive();
    const runDate = o.freshRun();
    runDates.push(runDate);
    loads.push(
      runLevel({
        name: `soak-${m}`,
        kind: 'e2e',
        clients: o.rateClients,
        rate: o.rate,
        requests: Math.round(o.rate * 60),
        maxSeconds: 60,
        apiUrl: o.apiUrl,
        tokens: o.tokens,
        makeBody: bookingMaker(o.target, runDate, o.meanHops, o.random),
        soldOutShare: 0.9,
        timeoutMs: 60_000,
      }),
    );
    await sleep(Math.max(0, t0 + m * 60_000 - Date.now()));
    const cpuNow = sampleCpu(o.groups);
    const cpu = cpuBetween(cpuBefore, cpuNow);
    cpuBefore = cpuNow;
    const actionsNow = await scrapeActions(o.temporalMetricsUrl, o.namespace);
    const actions = actionsBetween(actionsBefore, actionsNow);
    actionsBefore = actionsNow;
    let dbMiB: number | null = null;
    if (o.temporalDbFile) {
      try {
        dbMiB = r1((statSync(o.temporalDbFile).size + (statSync(`${o.temporalDbFile}-wal`, { throwIfNoEntry: false })?.size ?? 0)) / 2 ** 20);
      } catch {
        dbMiB = null;
      }
    }
    const b = { rssMiB: sampleRss(o.groups), cpuCores: Object.fromEntries(Object.entries(cpu.cores).map(([k, v]) => [k, r2(v)])), dbMiB, actions: actions?.total ?? null };
    atBoundary.push(b);
    o.say(`soak minute ${m}: RSS MiB ${JSON.stringify(b.rssMiB)}; CPU cores ${JSON.stringify(b.cpuCores)}; Temporal db ${dbMiB ?? '–'} MiB; actions ${b.actions ?? '–'}`);
  }
  const results = await Promise.all(loads);
  for (let i = 0; i < results.length; i++) {
    const load = results[i]!;
    const b = atBoundary[i]!;
    const runDate = runDates[i]!;
    const sample = load.samplePnrs.slice(0, 5).map(bookingWorkflowId);
    const bookingSizes = (await fetchHistories(o.client, sample)).map(historySize);
    const inv = (await fetchHistories(o.client, [inventoryWorkflowId(o.target.trainNumber, runDate, o.target.classCode)])).map(historySize)[0] ?? null;
    const mean = (k: 'events' | 'bytes' | 'largestPayloadBytes') =>
      bookingSizes.length ? Math.round(bookingSizes.reduce((a, x) => a + x[k], 0) / bookingSizes.length) : 0;
    const w: SoakMinute = {
      minute: i + 1,
      runDate,
      seconds: r1(load.elapsedSeconds),
      sent: load.sent,
      created: load.created,
      confirmed: load.confirmed,
      notDefinite: load.notDefinite,
      outcomes: load.outcomes,
      // Bookings sent in this minute and confirmed (possibly later), per second of the minute.
      confirmedPerSecond: r1(load.confirmed / 60),
      holdMs: { p50: Math.round(load.latency.hold.p50), p99: Math.round(load.latency.hold.p99) },
      payMs: { p50: Math.round(load.latency.pay?.p50 ?? 0), p99: Math.round(load.latency.pay?.p99 ?? 0) },
      rssMiB: b.rssMiB,
      cpuCores: b.cpuCores,
      temporalDbMiB: b.dbMiB,
      // Actions the server counted during the minute (whatever booking they belong to) per booking sent in it.
      actionsPerConfirmed: b.actions !== null && load.confirmed > 0 ? r1(b.actions / load.confirmed) : null,
      bookingHistory: { events: mean('events'), bytes: mean('bytes'), largestPayloadBytes: mean('largestPayloadBytes') },
      inventoryHistory: inv,
    };
    windows.push(w);
    o.say(
      `soak minute ${w.minute}: ${w.confirmed}/${w.sent} confirmed (${w.confirmedPerSecond}/s), hold p50/p99 ${w.holdMs.p50}/${w.holdMs.p99} ms, ` +
        `pay p50/p99 ${w.payMs.p50}/${w.payMs.p99} ms; booking history ${w.bookingHistory.events} events / ${w.bookingHistory.bytes} B; ` +
        `inventory ${inv ? `${inv.events} events / ${inv.bytes} B` : '–'}`,
    );
  }
  const trends: Trend[] = [];
  const names = windows.length ? Object.keys(windows[0]!.rssMiB).filter((k) => k !== 'loadgen') : [];
  for (const k of names) trends.push(trend(`RSS ${k} (MiB)`, windows.map((w) => w.rssMiB[k] ?? 0), 0.15, 20));
  trends.push(trend('hold p99 (ms)', windows.map((w) => w.holdMs.p99), 0.5, 50));
  trends.push(trend('pay p99 (ms)', windows.map((w) => w.payMs.p99), 0.5, 100));
  trends.push(trend('booking history (bytes)', windows.map((w) => w.bookingHistory.bytes), 0.1, 500));
  const consistency: SoakReport['consistency'] = [];
  for (const w of windows) {
    const c = await checkLevel(o.client, o.pool, o.target, w.runDate, { created: w.created, confirmed: w.confirmed }, 120_000, async () => null);
    const actorHolds = c.inventory?.stats.holds ?? null;
    const inv = await checkInvariants(o.pool, o.target, w.runDate);
    consistency.push({
      runDate: w.runDate,
      created: w.created,
      confirmed: w.confirmed,
      actorHolds,
      rows: c.bookingRows,
      confirmedRows: c.confirmedRows,
      invariantsOk: inv.ok,
      ok: actorHolds === w.created && c.bookingRows === w.created && c.confirmedRows >= w.confirmed && inv.ok,
    });
  }
  const inconsistent = consistency.filter((c) => !c.ok);
  const grew = trends.filter((t) => t.grew);
  const lost = windows.reduce((a, w) => a + w.notDefinite, 0);
  const verdict =
    windows.length < 3
      ? `too short to judge (${windows.length} minute(s); a trend needs 3 or more)`
      : grew.length === 0
        ? `flat: no memory or latency series grew over ${windows.length} minutes (slopes per minute: ${trends.map((t) => `${t.series} ${t.perMinute}`).join(', ')})`
        : `GREW: ${grew.map((t) => `${t.series} ${t.first} → ${t.last} (${t.perMinute}/min, +${Math.round(t.relativeGrowth * 100)} % over the run)`).join('; ')}`;
  const problems = [
    lost > 0 ? `${lost} requests without a definite answer` : '',
    inconsistent.length > 0 ? `201s, actor holds and rows DISAGREE on ${inconsistent.map((c) => c.runDate).join(', ')}` : 'every 201 has its actor hold and row, every confirmation its confirmed row and ticket, no berth sold twice, no charge without ticket or refund',
  ].filter(Boolean);
  return { minutes: o.minutes, rate: o.rate, windows, trends, consistency, verdict: `${verdict}; ${problems.join('; ')}` };
}
