// The load generator: closed-loop clients against the API (each client sends
// its next request as soon as the previous one is answered), and the checks
// run after each level (the inventory actor's own counters, booking workflows
// in Temporal visibility, rows in Postgres).
import { performance } from 'node:perf_hooks';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import {
  bookingTypesFilter,
  holdSeatsUpdate,
  inventorySummaryQuery,
  inventoryTaskQueue,
  inventoryWorkflowId,
  SA,
  type HoldRequest,
  type InventoryInput,
  type InventorySummary,
} from '../../contracts';
import { addDays } from '../../domain/calendar';
import { runsOn } from '../../domain/search';
import type { inventoryWorkflow } from '../../workflows';
import { errorCode, httpClient, type HttpResult } from './http';
import { holdWithRetries, payUntilConfirmed } from './traveller';
import { percentiles, r1, steadyRate, type Pct } from './stats';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const CARD_OK = { number: '4111 1111 1111 1111', expMonth: 12, expYear: 2030, cvc: '123' };

/** xorshift32: seeded, so two runs of the benchmark send the same mix. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

// ---------------------------------------------------------------------------
// The train under load

interface Stop {
  seq: number;
  code: string;
  km: number;
  arrivalDay: number | null;
  departureDay: number | null;
}

export interface Target {
  trainNumber: string;
  trainName: string;
  classCode: string;
  runsOnMask: number;
  stops: Stop[];
  coaches: number;
  berths: number;
}

export async function loadTarget(pool: Pool, trainNumber: string, classCode: string): Promise<Target> {
  const t = await pool.query<{ name: string; runs_on: number }>('select name, runs_on from trains where number = $1', [trainNumber]);
  if (!t.rows[0]) throw new Error(`train ${trainNumber} is not in the timetable`);
  const s = await pool.query<{ seq: number; station_code: string; km_from_origin: number; arrival_day: number | null; departure_day: number | null }>(
    'select seq, station_code, km_from_origin, arrival_day, departure_day from train_stops where train_number = $1 order by seq',
    [trainNumber],
  );
  const c = await pool.query<{ coaches: number; berths: number }>(
    `select count(distinct tc.coach)::int as coaches, count(*)::int as berths
       from train_coaches tc join coach_layout_berths b on b.class_code = tc.class_code
      where tc.train_number = $1 and tc.class_code = $2`,
    [trainNumber, classCode],
  );
  const cap = c.rows[0] ?? { coaches: 0, berths: 0 };
  if (cap.berths === 0) throw new Error(`train ${trainNumber} has no ${classCode} coaches`);
  return {
    trainNumber,
    trainName: t.rows[0].name,
    classCode,
    runsOnMask: t.rows[0].runs_on,
    stops: s.rows.map((r) => ({
      seq: r.seq,
      code: r.station_code,
      km: Number(r.km_from_origin),
      arrivalDay: r.arrival_day,
      departureDay: r.departure_day,
    })),
    coaches: cap.coaches,
    berths: cap.berths,
  };
}

/** The next `count` run dates of the train, starting `daysAhead` days from today (UTC). */
export function runDates(target: Target, daysAhead: number, count: number): string[] {
  const out: string[] = [];
  let d = addDays(new Date().toISOString().slice(0, 10), daysAhead);
  while (out.length < count) {
    if (runsOn(target.runsOnMask, d)) out.push(d);
    d = addDays(d, 1);
  }
  return out;
}

export interface BookingBody {
  trainNumber: string;
  date: string;
  classCode: string;
  from: string;
  to: string;
  passengers: { name: string; age: number; gender: 'M' | 'F'; berthPreference?: string }[];
  /** Confirmed berths only (409 when none): the path measured before RAC and the waitlist existed. */
  confirmedOnly?: boolean;
}

const PREFS = ['LB', 'MB', 'UB', 'SL', 'SU'];

/**
 * Random bookings on ONE run: a segment of 1 + Exp(meanHops − 1) hops (so
 * mostly short, some long, like real demand on a long route), 1–4
 * passengers, 20 % with a berth preference. The date sent is the day the
 * passenger boards at `from` (run date + that stop's day offset), so every
 * request lands on the same inventory actor.
 */
export function bookingMaker(target: Target, runDate: string, meanHops: number, random: () => number): () => BookingBody {
  const stops = target.stops;
  const boardable = stops.filter((s) => s.departureDay !== null);
  return () => {
    for (;;) {
      const hops = Math.min(stops.length - 1, 1 + Math.floor(-Math.log(1 - random()) * Math.max(meanHops - 1, 0)));
      const fromIdx = Math.floor(random() * (stops.length - hops));
      const from = stops[fromIdx]!;
      const to = stops[fromIdx + hops]!;
      // Some consecutive stops share a km figure: a zero-distance fare is refused, so draw again.
      if (!boardable.includes(from) || to.arrivalDay === null || to.km <= from.km) continue;
      const pax = 1 + Math.floor(random() * 4);
      return {
        trainNumber: target.trainNumber,
        date: addDays(runDate, from.departureDay!),
        classCode: target.classCode,
        from: from.code,
        to: to.code,
        passengers: Array.from({ length: pax }, (_, i) => ({
          name: `Bench Passenger ${i + 1}`,
          age: 12 + Math.floor(random() * 64),
          gender: random() < 0.5 ? ('M' as const) : ('F' as const),
          ...(random() < 0.2 ? { berthPreference: PREFS[Math.floor(random() * PREFS.length)]! } : {}),
        })),
        // The sold-out answer stays a 409, so figures compare with the runs before RAC and the waitlist.
        confirmedOnly: true,
      };
    }
  };
}

// ---------------------------------------------------------------------------
// Users

export async function registerUsers(apiUrl: string, count: number, log: (m: string) => void): Promise<string[]> {
  const http = httpClient(apiUrl, { maxSockets: 4, timeoutMs: 30_000 });
  const tokens: string[] = [];
  const tag = Date.now().toString(36);
  try {
    for (let i = 0; i < count; i++) {
      const res = await http.request('POST', '/auth/register', {
        email: `bench-${tag}-${i}@railbook.local`,
        password: 'bench-password',
        name: `Bench User ${i}`,
      });
      if (res.status !== 201) throw new Error(`register failed (${res.status}): ${JSON.stringify(res.body)}`);
      tokens.push((res.body as { token: string }).token);
    }
  } finally {
    http.close();
  }
  log(`registered ${tokens.length} users (the register limit is 30/min per IP; clients share these tokens)`);
  return tokens;
}

// ---------------------------------------------------------------------------
// One level

export type LevelKind = 'hold' | 'e2e';

interface Outcome {
  pnr: string | null;
  /** Final outcome label, e.g. "201", "409 NO_SEATS_AVAILABLE", "confirmed", "error: socket hang up". */
  label: string;
  definite: boolean;
  created: boolean;
  confirmed: boolean;
  noSeats: boolean;
  start: number;
  end: number;
  holdMs: number;
  payMs: number | null;
  /** e2e: requests sent beyond the first hold and the first payment (retries after 503/429, status polls). */
  retries: number;
}

export interface LevelOptions {
  name: string;
  kind: LevelKind;
  clients: number;
  /**
   * Open loop: requests are sent on a fixed schedule of this many per second, whatever the answers, by at most
   * `clients` at once; latency counts from the scheduled send time, so a request delayed because every client was
   * busy shows it (no coordinated omission). Without it: closed loop, each client sends on the previous answer.
   */
  rate?: number;
  requests: number;
  maxSeconds: number;
  apiUrl: string;
  tokens: string[];
  makeBody: () => BookingBody;
  /** Stop when this share of the last 100 answers was 409 (the run is sold out). */
  soldOutShare: number;
  timeoutMs: number;
}

export interface TimelinePoint {
  second: number;
  answers: number;
  created: number;
  p50: number;
  p99: number;
}

export interface LevelLoad {
  name: string;
  kind: LevelKind;
  clients: number;
  rate: number | null;
  sent: number;
  stoppedBecause: 'count' | 'time' | 'sold out';
  elapsedSeconds: number;
  outcomes: Record<string, number>;
  definite: number;
  notDefinite: number;
  created: number;
  confirmed: number;
  noSeats: number;
  answersPerSecond: number;
  createdPerSecond: number;
  confirmedPerSecond: number;
  steadyAnswersPerSecond: number;
  latency: { hold: Pct; holdCreated: Pct; holdNoSeats: Pct; pay: Pct | null; total: Pct | null };
  timeline: TimelinePoint[];
  firstErrors: string[];
  /** e2e: bookings that needed a retry or a status poll, and the extra requests in all. */
  retried: { bookings: number; requests: number };
  /** Up to 40 PNRs answered 201, spread over the level, for history analysis. */
  samplePnrs: string[];
}

function label(res: HttpResult): string {
  if (res.status === 0) return `error: ${res.error ?? 'no answer'}`;
  const code = errorCode(res.body);
  return code ? `${res.status} ${code}` : String(res.status);
}

/** How long an e2e traveller keeps retrying and polling before the booking counts as not confirmed. */
const E2E_DEADLINE_MS = 120_000;

export async function runLevel(o: LevelOptions): Promise<LevelLoad> {
  const http = httpClient(o.apiUrl, { maxSockets: o.clients, timeoutMs: o.timeoutMs });
  const outcomes: Outcome[] = [];
  const firstErrors: string[] = [];
  const recent: boolean[] = [];
  let issued = 0;
  let stoppedBecause: LevelLoad['stoppedBecause'] = 'count';
  const t0 = performance.now();
  const deadline = t0 + o.maxSeconds * 1000;

  const record = (out: Outcome, detail?: unknown) => {
    outcomes.push(out);
    if (!out.definite && firstErrors.length < 10) firstErrors.push(`${out.label} ${detail === undefined ? '' : JSON.stringify(detail).slice(0, 300)}`);
    recent.push(out.noSeats);
    if (recent.length > 100) recent.shift();
    if (recent.length === 100 && recent.filter(Boolean).length >= o.soldOutShare * 100 && stoppedBecause === 'count') {
      stoppedBecause = 'sold out';
    }
  };

  const client = async (index: number) => {
    const token = o.tokens[index % o.tokens.length]!;
    for (;;) {
      if (stoppedBecause !== 'count') return;
      if (issued >= o.requests) return;
      if (performance.now() >= deadline) {
        stoppedBecause = 'time';
        return;
      }
      const seq = issued;
      issued += 1;
      let start = performance.now();
      if (o.rate) {
        start = t0 + (seq / o.rate) * 1000;
        if (start > performance.now()) await new Promise((r) => setTimeout(r, start - performance.now()));
      }
      // e2e: a traveller who retries what the API asks to be retried, within E2E_DEADLINE_MS.
      const e2eDeadline = start + E2E_DEADLINE_MS;
      const held =
        o.kind === 'e2e'
          ? await holdWithRetries(http, o.makeBody(), token, `bench-${o.name.replace(/[^A-Za-z0-9_.:-]/g, '_')}-${t0.toFixed(0)}-${seq}`, e2eDeadline)
          : { last: await http.request('POST', '/bookings', o.makeBody(), token), attempts: 1 };
      const hold = held.last;
      if (o.rate || held.attempts > 1) hold.ms = performance.now() - start;
      const holdLabel = label(hold);
      const created = hold.status === 201;
      const noSeats = holdLabel === '409 NO_SEATS_AVAILABLE';
      if (o.kind === 'hold' || !created) {
        record(
          {
            pnr: created ? (hold.body as { pnr: string }).pnr : null,
            label: holdLabel,
            definite: created || noSeats,
            created,
            confirmed: false,
            noSeats,
            start,
            end: performance.now(),
            holdMs: hold.ms,
            payMs: null,
            retries: held.attempts - 1,
          },
          created || noSeats ? undefined : hold.body,
        );
        continue;
      }
      const pnr = (hold.body as { pnr: string }).pnr;
      const payStart = performance.now();
      const paid = await payUntilConfirmed(http, pnr, token, CARD_OK, Math.max(e2eDeadline, payStart + 30_000));
      const pay = { ...paid.last, ms: performance.now() - payStart };
      const status = paid.status;
      const confirmed = pay.status === 200 && status === 'confirmed';
      record(
        {
          pnr,
          label: confirmed ? 'confirmed' : `payment ${label(pay)}${status ? ` (${status})` : ''}`,
          definite: confirmed,
          created,
          confirmed,
          noSeats: false,
          start,
          end: performance.now(),
          holdMs: hold.ms,
          payMs: pay.ms,
          retries: held.attempts - 1 + paid.attempts - 1 + paid.polls,
        },
        confirmed ? undefined : pay.body,
      );
    }
  };
  await Promise.all(Array.from({ length: o.clients }, (_, i) => client(i)));
  const t1 = performance.now();
  http.close();

  const counts: Record<string, number> = {};
  for (const out of outcomes) counts[out.label] = (counts[out.label] ?? 0) + 1;
  const elapsed = (t1 - t0) / 1000;
  const created = outcomes.filter((x) => x.created).length;
  const confirmed = outcomes.filter((x) => x.confirmed).length;
  const noSeats = outcomes.filter((x) => x.noSeats).length;
  const definite = outcomes.filter((x) => x.definite).length;

  const timeline: TimelinePoint[] = [];
  for (let sec = 0; sec < Math.ceil(elapsed); sec++) {
    const inSec = outcomes.filter((x) => Math.floor((x.end - t0) / 1000) === sec);
    const p = percentiles(inSec.map((x) => x.holdMs));
    timeline.push({ second: sec, answers: inSec.length, created: inSec.filter((x) => x.created).length, p50: r1(p.p50), p99: r1(p.p99) });
  }

  return {
    name: o.name,
    kind: o.kind,
    clients: o.clients,
    rate: o.rate ?? null,
    sent: issued,
    stoppedBecause,
    elapsedSeconds: elapsed,
    outcomes: counts,
    definite,
    notDefinite: outcomes.length - definite + (issued - outcomes.length),
    created,
    confirmed,
    noSeats,
    answersPerSecond: outcomes.length / elapsed,
    createdPerSecond: created / elapsed,
    confirmedPerSecond: confirmed / elapsed,
    steadyAnswersPerSecond: steadyRate(outcomes.map((x) => x.end)),
    latency: {
      hold: percentiles(outcomes.map((x) => x.holdMs)),
      holdCreated: percentiles(outcomes.filter((x) => x.created).map((x) => x.holdMs)),
      holdNoSeats: percentiles(outcomes.filter((x) => x.noSeats).map((x) => x.holdMs)),
      pay: o.kind === 'e2e' ? percentiles(outcomes.filter((x) => x.payMs !== null).map((x) => x.payMs!)) : null,
      total: o.kind === 'e2e' ? percentiles(outcomes.map((x) => x.end - x.start)) : null,
    },
    timeline,
    firstErrors,
    retried: { bookings: outcomes.filter((x) => x.retries > 0).length, requests: outcomes.reduce((a, x) => a + x.retries, 0) },
    samplePnrs: spread(outcomes.flatMap((x) => (x.pnr ? [x.pnr] : [])), 40),
  };
}

/** At most n items, evenly spread over the list. */
function spread<T>(list: T[], n: number): T[] {
  if (list.length <= n) return list;
  return Array.from({ length: n }, (_, i) => list[Math.floor((i * list.length) / n)]!);
}

// ---------------------------------------------------------------------------
// After a level: what the system itself recorded

export interface LevelChecks {
  inventory: InventorySummary | null;
  inventoryError?: string;
  /** Hold batches sent to the actor, and the average requests per batch. */
  avgBatch: number | null;
  /**
   * Booking workflows with this run's train and date, as counted by Temporal visibility. A booking has an
   * actor only once someone pays or cancels it (docs/architecture.md): one per paid booking, none per hold.
   */
  bookingWorkflows: number | null;
  /** Rows in Postgres `bookings` for the run, and how many are confirmed. */
  bookingRows: number;
  confirmedRows: number;
  /** Seconds after the last answer until Postgres held a row for every 201 (the worker caught up). */
  drainSeconds: number | null;
  /** Seconds after that until the worker and the Temporal server were idle again (null: not within the bound). */
  quietSeconds: number | null;
}

export async function inventorySummary(client: Client, target: Target, runDate: string): Promise<InventorySummary> {
  return client.workflow.getHandle(inventoryWorkflowId(target.trainNumber, runDate, target.classCode)).query(inventorySummaryQuery);
}

export async function checkLevel(
  client: Client,
  pool: Pool,
  target: Target,
  runDate: string,
  expect: { created: number; confirmed: number },
  drainTimeoutMs: number,
  quiet: () => Promise<number | null>,
): Promise<LevelChecks> {
  const t0 = Date.now();
  let rows = 0;
  let confirmedRows = 0;
  let drainSeconds: number | null = null;
  for (;;) {
    const r = await pool.query<{ n: number; c: number }>(
      `select count(*)::int as n, count(*) filter (where b.status = 'confirmed')::int as c
         from bookings b join train_runs r on r.id = b.run_id
        where r.train_number = $1 and r.run_date = $2 and b.class_code = $3`,
      [target.trainNumber, runDate, target.classCode],
    );
    rows = r.rows[0]?.n ?? 0;
    confirmedRows = r.rows[0]?.c ?? 0;
    if (rows >= expect.created && confirmedRows >= expect.confirmed) {
      drainSeconds = (Date.now() - t0) / 1000;
      break;
    }
    if (Date.now() - t0 > drainTimeoutMs) break;
    await sleep(250);
  }
  const quietSeconds = await quiet();
  let inventory: InventorySummary | null = null;
  let inventoryError: string | undefined;
  try {
    inventory = await inventorySummary(client, target, runDate);
  } catch (err) {
    inventoryError = (err as Error).message;
  }
  let bookingWorkflows: number | null = null;
  try {
    const query = `${bookingTypesFilter} AND TrainNumber = "${target.trainNumber}" AND TravelDate = "${runDate}" AND TravelClass = "${target.classCode}"`;
    // Visibility is eventually consistent: give it a few seconds to settle.
    for (let i = 0; i < 20; i++) {
      bookingWorkflows = (await client.workflow.count(query)).count;
      if (bookingWorkflows >= expect.confirmed) break;
      await sleep(250);
    }
  } catch {
    bookingWorkflows = null;
  }
  const batches = inventory?.stats.batches ?? 0;
  const holdAttempts = (inventory?.stats.holds ?? 0) + (inventory?.stats.holdFailures ?? 0);
  return {
    inventory,
    ...(inventoryError ? { inventoryError } : {}),
    avgBatch: batches > 0 ? holdAttempts / batches : null,
    bookingWorkflows,
    bookingRows: rows,
    confirmedRows,
    drainSeconds,
    quietSeconds,
  };
}

// ---------------------------------------------------------------------------
// Probes: hold updates straight to an inventory actor, as the API's gateway sends them

export interface ProbePoint {
  batch: number;
  updates: number;
  p50: number;
  p90: number;
  max: number;
  perRequestMs: number;
}

/**
 * A sender of hold batches to one inventory actor, exactly as the API's
 * gateway sends them (executeUpdateWithStart, USE_EXISTING). Single-passenger
 * one-hop holds, so the run does not fill up. No booking workflows are
 * started: nothing else competes for the worker.
 */
export function holdSender(client: Client, target: Target, runDate: string, random: () => number) {
  const id = inventoryWorkflowId(target.trainNumber, runDate, target.classCode);
  const input: InventoryInput = { trainNumber: target.trainNumber, runDate, classCode: target.classCode };
  const last = target.stops.length - 1;
  let seq = 0;
  const send = async (size: number): Promise<number> => {
    const requests: HoldRequest[] = Array.from({ length: size }, () => {
      const fromSeq = Math.floor(random() * last);
      return {
        bookingId: `probe-${runDate}-${++seq}`,
        fromSeq,
        toSeq: fromSeq + 1,
        passengers: [{ name: 'Probe', age: 30, gender: 'M' as const }],
        holdExpiresAt: Date.now() + 600_000,
      };
    });
    const t = performance.now();
    await client.workflow.executeUpdateWithStart(holdSeatsUpdate, {
      args: [{ requests }],
      startWorkflowOperation: new WithStartWorkflowOperation<typeof inventoryWorkflow>('inventoryWorkflow', {
        workflowId: id,
        taskQueue: inventoryTaskQueue('railbook'),
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    });
    return performance.now() - t;
  };
  /** The first updates start the actor (it refuses holds while it loads its layout): not measured. */
  const warm = async () => {
    let ok = 0;
    for (let attempt = 0; ok < 3 && attempt < 50; attempt++) {
      try {
        await send(1);
        ok += 1;
      } catch {
        await sleep(100);
      }
    }
  };
  return { id, send, warm };
}

/** `updates` updates of `size` requests, one at a time. */
export async function probeBatch(send: (size: number) => Promise<number>, size: number, updates: number): Promise<ProbePoint> {
  const ms: number[] = [];
  for (let i = 0; i < updates; i++) ms.push(await send(size));
  const p = percentiles(ms);
  return { batch: size, updates: ms.length, p50: r1(p.p50), p90: r1(p.p90), max: r1(p.max), perRequestMs: r1(p.p50 / size) };
}

export interface ThroughputProbe {
  inFlight: number;
  batch: number;
  seconds: number;
  updates: number;
  holdsPerSecond: number;
  updateMs: Pct;
  errors: number;
  /** Distinct error messages (the gateway retries these), with counts. */
  errorMessages: Record<string, number>;
}

/**
 * What the actor path alone sustains: `inFlight` loops each sending
 * `batch`-request updates back to back (the gateway's shape under a rush:
 * at most 2 updates in flight, batches up to 100), for `seconds`.
 */
export async function probeActorThroughput(
  send: (size: number) => Promise<number>,
  opts: { inFlight: number; batch: number; seconds: number; maxHolds: number },
): Promise<ThroughputProbe> {
  const ms: number[] = [];
  let errors = 0;
  const errorMessages: Record<string, number> = {};
  const t0 = performance.now();
  const end = t0 + opts.seconds * 1000;
  await Promise.all(
    Array.from({ length: opts.inFlight }, async () => {
      while (performance.now() < end && (ms.length + opts.inFlight) * opts.batch <= opts.maxHolds) {
        try {
          ms.push(await send(opts.batch));
        } catch (err) {
          errors += 1;
          const e = err as Error & { cause?: Error };
          const msg = `${e.message}${e.cause?.message ? `: ${e.cause.message}` : ''}`.slice(0, 200);
          errorMessages[msg] = (errorMessages[msg] ?? 0) + 1;
          await sleep(50);
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return {
    ...opts,
    seconds,
    updates: ms.length,
    holdsPerSecond: (ms.length * opts.batch) / seconds,
    updateMs: percentiles(ms),
    errors,
    errorMessages,
  };
}

export interface StartProbe {
  concurrency: number;
  seconds: number;
  starts: number;
  startsPerSecond: number;
  startMs: Pct;
  errors: number;
}

/**
 * How many workflow starts per second this Temporal server takes, with the
 * same search attributes the API sets on a booking workflow. The workflows
 * go to a task queue no worker polls, so only the server's share of a start
 * is measured (persisting the execution, its first task and its visibility
 * record). They are never run; they vanish with the in-memory server.
 */
export async function probeStarts(client: Client, opts: { concurrency: number; seconds: number; tag: string }): Promise<StartProbe> {
  const ms: number[] = [];
  let errors = 0;
  let n = 0;
  const t0 = performance.now();
  const end = t0 + opts.seconds * 1000;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (performance.now() < end) {
        const i = ++n;
        const t = performance.now();
        try {
          await client.workflow.start('benchProbeWorkflow', {
            taskQueue: 'bench-probe-no-worker',
            workflowId: `bench-probe-start-${opts.tag}-${i}`,
            args: [],
            typedSearchAttributes: [
              { key: SA.Pnr, value: String(1_000_000_000 + i) },
              { key: SA.BookingStatus, value: 'held' },
              { key: SA.TrainNumber, value: '00000' },
              { key: SA.TravelDate, value: '2000-01-01' },
              { key: SA.UserId, value: '0' },
              { key: SA.TravelClass, value: 'SL' },
            ],
          });
          ms.push(performance.now() - t);
        } catch {
          errors += 1;
          await sleep(50);
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { ...opts, seconds, starts: ms.length, startsPerSecond: ms.length / seconds, startMs: percentiles(ms), errors };
}

export interface TravellerStep {
  status: number;
  code?: string;
  ms: number;
  bookingStatus?: string;
}

export interface TravellerProbe {
  hold: TravellerStep;
  get: TravellerStep | null;
  pay: TravellerStep | null;
}

function travellerStep(r: HttpResult): TravellerStep {
  const code = errorCode(r.body) ?? (r.status === 0 ? r.error : undefined);
  const bookingStatus = (r.body as { status?: unknown } | null)?.status;
  return {
    status: r.status,
    ms: r1(r.ms),
    ...(code ? { code } : {}),
    ...(typeof bookingStatus === 'string' ? { bookingStatus } : {}),
  };
}

/**
 * One traveller right after a level, while the stack still works through the
 * level's booking workflows: hold, then (see travellerFollowUp) look at the
 * booking and pay. What a user who books at the end of a rush sees.
 */
export async function travellerHold(apiUrl: string, token: string, body: BookingBody): Promise<{ hold: TravellerStep; pnr: string | null }> {
  const http = httpClient(apiUrl, { maxSockets: 1, timeoutMs: 120_000 });
  try {
    const hold = await http.request('POST', '/bookings', body, token);
    return { hold: travellerStep(hold), pnr: hold.status === 201 ? (hold.body as { pnr: string }).pnr : null };
  } finally {
    http.close();
  }
}

/** GET the booking (a query to its workflow), then pay for it. */
export async function travellerFollowUp(apiUrl: string, token: string, pnr: string): Promise<{ get: TravellerStep; pay: TravellerStep }> {
  const http = httpClient(apiUrl, { maxSockets: 1, timeoutMs: 120_000 });
  try {
    const get = await http.request('GET', `/bookings/${pnr}`, undefined, token);
    const pay = await http.request('POST', `/bookings/${pnr}/payment`, { card: CARD_OK }, token);
    return { get: travellerStep(get), pay: travellerStep(pay) };
  } finally {
    http.close();
  }
}
