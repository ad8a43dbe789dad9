// Issue 10's stampede, end to end on the real dev server, Postgres and Redis:
// thousands of requests on one many-stop run (12423, 21 stops, one 2A coach)
// from a pool of concurrent clients — random segments and party sizes, holds,
// payments (a few declined), unpaid holds left to expire, and random whole
// and partial cancellations while the rush goes on — sell the class out into
// RAC and the waitlist and keep it churning. Once everything has settled the
// test checks, from the inventory's own state, from Postgres and from the API:
//   1. no berth segment is sold twice;
//   2. no RAC berth carries more than two passengers on any hop;
//   3. the waitlist order is kept (and nobody waiting fits a free berth or RAC place: the fixpoint);
//   4. every cancelled confirmed berth was resold or promoted into, or fits nobody still waiting;
//   5. Postgres counts (and names) the same confirmed, RAC and waitlisted passengers as the inventory,
//      and GET /bookings/:pnr agrees with both.
// The request script comes from a seeded PRNG, printed at the start: STAMPEDE_SEED=<seed> replays it (the
// interleaving of the concurrent clients is the machine's, so a replay repeats the requests, not the timing).
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import {
  inventorySummaryQuery,
  inventoryWorkflowId,
  seatMapQuery,
  waitlistQuery,
  type InventorySummary,
  type WaitlistView,
} from '../../contracts';
import type { SeatMapView } from '../../domain/allocation';
import { addDays } from '../../domain/calendar';
import { RAC_PASSENGERS_PER_BERTH } from '../../domain/railwayRules';
import { api, CARDS, futureDate, registerTraveller, startStack, type ApiResponse, type Stack } from '../helpers/stack';

const TRAIN = '12423'; // Rajdhani, 21 stops
const CLASS = '2A';
/** Booking requests (POST /bookings); payments and cancellations come on top (~2,700 requests in all). */
const HOLDS = 2000;
/** Clients in flight at once. */
const CLIENTS = 20;
/**
 * Travellers the clients book as (a booking is paid and cancelled by its own traveller): ~700 writes each in
 * about a minute and a half, well under RATE_LIMIT_WRITES_PER_USER (6,000 a minute), so no answer is a 429.
 */
const TRAVELLERS = 4;
/**
 * Short holds, so that unpaid ones expire (and promote others) during the rush and all of them are gone
 * soon after it: only then do Postgres and the inventory describe the same sales (an unpaid booking
 * learns of its promotions when it is paid, by design).
 */
const HOLD_TTL_SECONDS = 30;

let stack: Stack;
let travellers: Awaited<ReturnType<typeof registerTraveller>>[];
let route: { stationCode: string; seq: number; departureDay: number | null }[];

beforeAll(async () => {
  // Past the 60-day advance reservation period: this file's dates are its own (test/helpers/stack.ts futureDate).
  stack = await startStack('stampede', { BOOKING_ADVANCE_DAYS: '200', HOLD_TTL_SECONDS: String(HOLD_TTL_SECONDS) });
  travellers = [];
  for (let i = 0; i < TRAVELLERS; i++) travellers.push(await registerTraveller(stack, `stampede${i}`));
  // One 2A coach, as railway.waitlist and booking.concurrency set it (the same change, so the files agree in
  // any order): 48 berths, of which 3 side-lowers are kept for RAC (6 places) and the waitlist cap is 28.
  await stack.db.db.execute(sql`delete from train_coaches where train_number = ${TRAIN} and class_code = ${CLASS} and coach <> 'A1'`);
  route = (await api(stack).get(`/trains/${TRAIN}`)).body.route;
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

// ---------------------------------------------------------------------------
// Small helpers

/** mulberry32: a tiny seeded PRNG, so a failing run's requests can be replayed. */
function prng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rows = async <T>(q: ReturnType<typeof sql>) => (await stack.db.db.execute(q)).rows as T[];
const sorted = (xs: Iterable<string>) => [...xs].sort();
const overlaps = (a: { fromSeq: number; toSeq: number }, b: { fromSeq: number; toSeq: number }) => a.fromSeq < b.toSeq && b.fromSeq < a.toSeq;
const within = (inner: { fromSeq: number; toSeq: number }, outer: { fromSeq: number; toSeq: number }) =>
  outer.fromSeq <= inner.fromSeq && inner.toSeq <= outer.toSeq;
/** 'GNWL 12' → 'GNWL'; 'RAC 3' → 'RAC'; 'CNF', 'CAN' as they are; null (confirmed the ordinary way) → 'CNF'. */
const kindOf = (label: string | null) => (label === null ? 'CNF' : label.split(' ')[0]!);
const isWaitlistKind = (kind: string) => /^(GN|RL|PQ|TQ)WL$/.test(kind);

// ---------------------------------------------------------------------------
// The stampede

/** One booking as the clients saw it. */
interface Party {
  pnr: string;
  traveller: number;
  fromSeq: number;
  toSeq: number;
  n: number;
  /** performance.now() when the hold was sent and answered: an answer before another's send orders the two. */
  sentAt: number;
  answeredAt: number;
  /** Statuses at the hold (CNF, RAC n, <kind> n). */
  held: string[];
  holdExpiresAt: number;
  paid: boolean;
  wholeCancelled: boolean;
  /** Passengers cancelled alone (0-based). */
  cancelled: number[];
}

interface Outcome {
  parties: Party[];
  /** `<op> <http status> <code or booking status>` → how many. */
  tally: Record<string, number>;
  /** Answers that are not a definite, expected outcome: must stay empty. */
  surprises: string[];
  requests: number;
  ms: number;
  /** Per operation: milliseconds to the answer, for the log. */
  latencies: Record<string, number[]>;
}

async function stampede(runDate: string, seed: number): Promise<Outcome> {
  const parties: Party[] = [];
  const tally: Record<string, number> = {};
  const surprises: string[] = [];
  const latencies: Record<string, number[]> = {};
  /** Paid bookings that are not wholly cancelled and that no client is acting on: the ones to cancel from. */
  const cancellable: Party[] = [];
  let holdsLeft = HOLDS;
  let requests = 0;
  const last = route.length - 1;
  const started = performance.now();

  const count = (op: string, res: ApiResponse) => {
    requests++;
    const what = res.body?.error?.code ?? res.body?.status ?? '';
    const key = `${op} ${res.status} ${what}`;
    tally[key] = (tally[key] ?? 0) + 1;
    return key;
  };
  /** What an answer says, briefly: the error, or the booking's status, last error and passengers' statuses. */
  const gist = ({ body }: ApiResponse) =>
    body?.error
      ? `${body.error.code}: ${body.error.message ?? ''}`
      : `${body?.status} ${JSON.stringify(body?.passengers?.map((p: { currentStatus: string }) => p.currentStatus))} lastError ${body?.lastError}`;
  const surprise = (key: string, res: ApiResponse, detail: string) => surprises.push(`${key} (${detail}): ${gist(res)}`);
  const call = async (op: string, fn: () => Promise<ApiResponse>): Promise<ApiResponse> => {
    const t0 = performance.now();
    try {
      return await fn();
    } catch (err) {
      // A dropped connection or a body that is not JSON: no definite answer either.
      return { status: 0, body: { error: { code: `NO_ANSWER ${String(err)}` } } };
    } finally {
      (latencies[op] ??= []).push(performance.now() - t0);
    }
  };

  /** A random segment: two stops of the route (15% of the requests over the whole route, the GNWL case). */
  const segment = (rand: () => number) => {
    if (rand() < 0.15) return { fromSeq: 0, toSeq: last };
    const a = Math.floor(rand() * (last + 1));
    let b = Math.floor(rand() * last);
    if (b >= a) b++;
    return { fromSeq: Math.min(a, b), toSeq: Math.max(a, b) };
  };

  const book = async (rand: () => number, w: number) => {
    const { fromSeq, toSeq } = segment(rand);
    const r = rand();
    const n = r < 0.35 ? 1 : r < 0.65 ? 2 : r < 0.85 ? 3 : 4;
    const confirmedOnly = rand() < 0.08;
    const traveller = w % TRAVELLERS;
    const from = route[fromSeq]!;
    const passengers = Array.from({ length: n }, (_, i) => ({
      name: `S${w}-${holdsLeft}-${i}`,
      age: 12 + Math.floor(rand() * 64),
      gender: rand() < 0.5 ? 'F' : 'M',
      ...(rand() < 0.15 ? { berthPreference: pick(rand, ['LB', 'MB', 'UB', 'SL', 'SU']) } : {}),
    }));
    const client = api(stack, travellers[traveller]!.token);
    const sentAt = performance.now();
    const held = await call('hold', () =>
      client.post('/bookings', {
        trainNumber: TRAIN,
        date: addDays(runDate, from.departureDay ?? 0),
        classCode: CLASS,
        from: from.stationCode,
        to: route[toSeq]!.stationCode,
        passengers,
        ...(confirmedOnly ? { confirmedOnly: true } : {}),
      }),
    );
    const answeredAt = performance.now();
    const key = count(confirmedOnly ? 'hold(confirmedOnly)' : 'hold', held);
    if (held.status !== 201) {
      const expected = held.status === 409 && (held.body.error.code === 'REGRET' ? !confirmedOnly : held.body.error.code === 'NO_SEATS_AVAILABLE' && confirmedOnly);
      if (!expected) surprise(key, held, `${fromSeq}→${toSeq} ×${n}`);
      return;
    }
    const party: Party = {
      pnr: held.body.pnr,
      traveller,
      fromSeq,
      toSeq,
      n,
      sentAt,
      answeredAt,
      held: held.body.passengers.map((p: { currentStatus: string }) => p.currentStatus),
      holdExpiresAt: Date.parse(held.body.holdExpiresAt),
      paid: false,
      wholeCancelled: false,
      cancelled: [],
    };
    parties.push(party);
    if (confirmedOnly && party.held.some((s) => s !== 'CNF')) surprise(key, held, 'confirmedOnly answered with RAC or waitlist places');

    const choice = rand();
    if (choice < 0.1) return; // left unpaid: it expires in the inventory, which promotes others into what it held
    if (choice < 0.13) {
      const res = await call('cancel', () => client.post(`/bookings/${party.pnr}/cancel`, { reason: 'changed my mind' }));
      const k = count('cancel(held)', res);
      if (res.status !== 200 || res.body.status !== 'cancelled') surprise(k, res, party.pnr);
      return;
    }
    const declined = choice < 0.16;
    const res = await call('pay', () => client.post(`/bookings/${party.pnr}/payment`, { card: declined ? CARDS.declined : CARDS.ok }));
    const k = count(declined ? 'pay(declined)' : 'pay', res);
    if (declined) {
      if (res.status !== 402 || res.body.error.code !== 'PAYMENT_DECLINED') surprise(k, res, party.pnr);
      return;
    }
    if (res.status !== 200 || res.body.status !== 'confirmed') {
      surprise(k, res, `${party.pnr} ${fromSeq}→${toSeq} held ${party.held}, ${Math.round(Date.now() - party.holdExpiresAt + HOLD_TTL_SECONDS * 1000)} ms after the hold`);
      return;
    }
    party.paid = true;
    cancellable.push(party);
  };

  const cancel = async (rand: () => number) => {
    const party = cancellable.splice(Math.floor(rand() * cancellable.length), 1)[0]!;
    const client = api(stack, travellers[party.traveller]!.token);
    const left = Array.from({ length: party.n }, (_, i) => i).filter((i) => !party.cancelled.includes(i));
    if (left.length > 1 && rand() < 0.45) {
      // Some passengers, never all those left (that is a whole cancellation), by their numbers on the ticket.
      const some = left.filter(() => rand() < 0.5).slice(0, left.length - 1);
      if (some.length === 0) some.push(pick(rand, left));
      const res = await call('cancel', () => client.post(`/bookings/${party.pnr}/cancel`, { passengers: some.map((i) => i + 1), reason: 'one cannot travel' }));
      const k = count('cancel(some)', res);
      if (res.status !== 200 || res.body.status !== 'confirmed') surprise(k, res, `${party.pnr} passengers ${some.map((i) => i + 1)}`);
      else {
        party.cancelled.push(...some);
        const shown = res.body.passengers.map((p: { currentStatus: string }) => p.currentStatus);
        if (some.some((i) => shown[i] !== 'CAN')) surprise(k, res, `${party.pnr}: cancelled passengers not shown CAN`);
      }
      cancellable.push(party);
      return;
    }
    const res = await call('cancel', () => client.post(`/bookings/${party.pnr}/cancel`, { reason: 'plans changed' }));
    const k = count('cancel(all)', res);
    if (res.status !== 200 || res.body.status !== 'cancelled') {
      surprise(k, res, party.pnr);
      return;
    }
    party.wholeCancelled = true;
  };

  const client = async (w: number) => {
    const rand = prng(seed + w * 7919);
    for (;;) {
      // About one operation in eight cancels something, once there is something paid to cancel.
      if (cancellable.length > 0 && rand() < 0.12) await cancel(rand);
      else if (holdsLeft > 0) {
        holdsLeft--;
        await book(rand, w);
      } else return;
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, w) => client(w)));
  return { parties, tally, surprises, requests, ms: performance.now() - started, latencies };
}

// ---------------------------------------------------------------------------
// The settled state, from the inventory and from Postgres

interface InventoryView {
  summary: InventorySummary;
  seats: SeatMapView;
  waitlist: WaitlistView;
}

interface PaxRow {
  pnr: string;
  status: string;
  from_seq: number;
  to_seq: number;
  idx: number;
  current_status: string | null;
  booking_status: string | null;
  coach: string | null;
  berth_no: number | null;
}

interface SeatRow {
  id: number;
  pnr: string;
  passenger_idx: number;
  coach: string;
  berth_no: number;
  from_seq: number;
  to_seq: number;
  status: string;
}

interface PgView {
  pax: PaxRow[];
  seats: SeatRow[];
}

async function inventoryView(runDate: string): Promise<InventoryView> {
  const inventory = stack.client.workflow.getHandle(inventoryWorkflowId(TRAIN, runDate, CLASS));
  return {
    summary: await inventory.query(inventorySummaryQuery),
    seats: await inventory.query(seatMapQuery),
    waitlist: await inventory.query(waitlistQuery),
  };
}

async function pgView(runDate: string): Promise<PgView> {
  const [run] = await rows<{ id: number }>(sql`select id from train_runs where train_number = ${TRAIN} and run_date = ${runDate}`);
  return {
    pax: await rows<PaxRow>(sql`
      select b.pnr, b.status::text as status, b.from_seq, b.to_seq, p.idx, p.current_status, p.booking_status, p.coach, p.berth_no
      from bookings b join passengers p on p.pnr = b.pnr
      where b.run_id = ${run!.id} and b.class_code = ${CLASS} order by b.pnr, p.idx`),
    seats: await rows<SeatRow>(sql`
      select id, pnr, passenger_idx, coach, berth_no, from_seq, to_seq, status::text as status
      from seat_allocations where run_id = ${run!.id} and class_code = ${CLASS} order by id`),
  };
}

/** Who is where, in the same words for both sides: confirmed berths per segment, RAC passengers, waitlisted ones by kind. */
interface Places {
  cnf: string[];
  rac: string[];
  wl: string[];
}

function inventoryPlaces(inv: InventoryView): Places {
  const cnf: string[] = [];
  for (const coach of inv.seats.coaches) {
    for (const b of coach.berths) for (const o of b.occupied) cnf.push(`${o.bookingId.split('#')[0]} ${coach.coach}/${b.berthNo} ${o.fromSeq}-${o.toSeq}`);
  }
  const rac = inv.waitlist.racBerths.flatMap((b) => b.passengers.map((p) => `${p.bookingId}#${p.passengerIndex}`));
  const wl = Object.entries(inv.waitlist.waitlists).flatMap(([kind, list]) => list.map((p) => `${p.bookingId}#${p.passengerIndex} ${kind}`));
  return { cnf: sorted(cnf), rac: sorted(rac), wl: sorted(wl) };
}

function pgPlaces(pg: PgView): Places & { paxCnf: string[]; unexplained: string[] } {
  const live = pg.pax.filter((p) => p.status === 'confirmed' && p.current_status !== 'CAN');
  const cnf = pg.seats.filter((s) => s.status === 'confirmed').map((s) => `${s.pnr} ${s.coach}/${s.berth_no} ${s.from_seq}-${s.to_seq}`);
  const paxCnf = live.filter((p) => kindOf(p.current_status) === 'CNF').map((p) => `${p.pnr} ${p.coach}/${p.berth_no} ${p.from_seq}-${p.to_seq}`);
  const rac = live.filter((p) => kindOf(p.current_status) === 'RAC').map((p) => `${p.pnr}#${p.idx}`);
  const wl = live.filter((p) => isWaitlistKind(kindOf(p.current_status))).map((p) => `${p.pnr}#${p.idx} ${kindOf(p.current_status)}`);
  const unexplained = live
    .filter((p) => !['CNF', 'RAC'].includes(kindOf(p.current_status)) && !isWaitlistKind(kindOf(p.current_status)))
    .map((p) => `${p.pnr}#${p.idx} ${p.current_status}`);
  return { cnf: sorted(cnf), paxCnf: sorted(paxCnf), rac: sorted(rac), wl: sorted(wl), unexplained };
}

/**
 * Waits until everything has settled: every unpaid hold has run out (in the inventory and in Postgres), the
 * booking actors have recorded every promotion they were told of (Postgres names the same places as the
 * inventory), and the inventory has not changed for a few seconds. Returns the last views either way: the
 * checks below say what is wrong if it never settled.
 */
async function settle(runDate: string, lastHoldExpiresAt: number, timeoutMs = 90_000) {
  await sleep(Math.max(0, lastHoldExpiresAt - Date.now()));
  const started = Date.now();
  const deadline = started + timeoutMs;
  let previous = '';
  let stableSince = Date.now();
  for (;;) {
    const inv = await inventoryView(runDate);
    const pg = await pgView(runDate);
    const invPlaces = inventoryPlaces(inv);
    const pgSide = pgPlaces(pg);
    const now = JSON.stringify({ seats: inv.seats, waitlist: inv.waitlist, rac: inv.summary.rac, wl: inv.summary.waitlisted });
    if (now !== previous) {
      previous = now;
      stableSince = Date.now();
    }
    const agreed =
      inv.summary.held === 0 &&
      inv.summary.pendingStarts === 0 &&
      pg.pax.every((p) => p.status !== 'held' && p.status !== 'payment_pending') &&
      JSON.stringify(invPlaces) === JSON.stringify({ cnf: pgSide.cnf, rac: pgSide.rac, wl: pgSide.wl });
    if ((agreed && Date.now() - stableSince >= 3000) || Date.now() > deadline) return { inv, pg, settled: agreed, ms: Date.now() - started };
    await sleep(1000);
  }
}

// ---------------------------------------------------------------------------
// The checks

/** Every waiting passenger (RAC and waitlisted) with the segment of their booking. */
function waitingPassengers(inv: InventoryView) {
  const rac = inv.waitlist.racBerths.flatMap((b) => b.passengers.map((p) => ({ ...p, kind: 'RAC' })));
  const wl = Object.entries(inv.waitlist.waitlists).flatMap(([kind, list]) => list.map((p) => ({ ...p, kind })));
  return [...rac, ...wl];
}

/** General-quota berths (the only pool these requests draw from) with their taken segments. */
function generalBerths(inv: InventoryView) {
  return inv.seats.coaches.flatMap((c) => c.berths.filter((b) => b.quota === 'GN').map((b) => ({ key: `${c.coach}/${b.berthNo}`, occupied: b.occupied })));
}

const freeOver = (occupied: readonly { fromSeq: number; toSeq: number }[], seg: { fromSeq: number; toSeq: number }) => !occupied.some((o) => overlaps(o, seg));

/** RAC passengers per hop, all RAC berths together. */
function racLoad(inv: InventoryView): number[] {
  const load = new Array<number>(inv.seats.stopCount - 1).fill(0);
  for (const b of inv.waitlist.racBerths) for (const p of b.passengers) for (let h = p.fromSeq; h < p.toSeq; h++) load[h]!++;
  return load;
}

function checkNoBerthSoldTwice(inv: InventoryView) {
  const doubles: string[] = [];
  for (const coach of inv.seats.coaches) {
    for (const b of coach.berths) {
      const taken = [...b.occupied].sort((x, y) => x.fromSeq - y.fromSeq);
      for (let i = 1; i < taken.length; i++) {
        if (taken[i]!.fromSeq < taken[i - 1]!.toSeq) doubles.push(`${coach.coach}/${b.berthNo}: ${JSON.stringify([taken[i - 1], taken[i]])}`);
      }
      // RAC berths are shared by RAC passengers, never sold whole.
      if (b.quota === 'RAC' && b.occupied.length > 0) doubles.push(`RAC berth ${coach.coach}/${b.berthNo} sold: ${JSON.stringify(b.occupied)}`);
      if (b.occupied.some((o) => o.status !== 'sold')) doubles.push(`${coach.coach}/${b.berthNo} still held after every hold ran out`);
    }
  }
  return doubles;
}

function checkRacBerths(inv: InventoryView) {
  const over: string[] = [];
  for (const b of inv.waitlist.racBerths) {
    for (let h = 0; h < inv.seats.stopCount - 1; h++) {
      const on = b.passengers.filter((p) => p.fromSeq <= h && h < p.toSeq);
      if (on.length > RAC_PASSENGERS_PER_BERTH) over.push(`${b.coach}/${b.berthNo} hop ${h}: ${on.map((p) => `${p.bookingId}#${p.passengerIndex}`)}`);
    }
  }
  return over;
}

/** The fixpoint: nobody waiting fits a free confirmed berth over their journey; nobody waitlisted fits an RAC place. */
function checkFixpoint(inv: InventoryView) {
  const berths = generalBerths(inv);
  const load = racLoad(inv);
  const racPlaces = RAC_PASSENGERS_PER_BERTH * inv.waitlist.racBerths.length;
  const missed: string[] = [];
  for (const p of waitingPassengers(inv)) {
    const free = berths.find((b) => freeOver(b.occupied, p));
    if (free) missed.push(`${p.kind} ${p.bookingId}#${p.passengerIndex} ${p.fromSeq}→${p.toSeq} fits ${free.key}, free`);
    const hops = load.slice(p.fromSeq, p.toSeq);
    if (p.kind !== 'RAC' && hops.every((n) => n < racPlaces)) missed.push(`${p.kind} ${p.bookingId}#${p.passengerIndex} ${p.fromSeq}→${p.toSeq} fits an RAC place`);
  }
  return missed;
}

/**
 * Waitlist order, per kind: the list is in the order passengers joined (as far as the clients can tell: one
 * whose hold was answered before another's was sent joined first; passengers of one booking in their order);
 * and nobody still waitlisted was passed over by a later passenger of their list promoted onto a journey
 * that contains theirs (whatever fitted the later one's journey fitted theirs, and they were offered it first).
 */
function checkWaitlistOrder(inv: InventoryView, pg: PgView, byPnr: Map<string, Party>) {
  const wrong: string[] = [];
  const before = (a: { bookingId: string; passengerIndex: number }, b: { bookingId: string; passengerIndex: number }) => {
    if (a.bookingId === b.bookingId) return a.passengerIndex < b.passengerIndex;
    return byPnr.get(a.bookingId)!.answeredAt < byPnr.get(b.bookingId)!.sentAt;
  };
  for (const [kind, list] of Object.entries(inv.waitlist.waitlists)) {
    list.forEach((p, i) => {
      if (p.number !== i + 1) wrong.push(`${kind} numbers: ${p.number} at position ${i + 1}`);
      for (const later of list.slice(i + 1)) {
        if (before(later, p)) wrong.push(`${kind}: ${later.bookingId}#${later.passengerIndex} joined before ${p.bookingId}#${p.passengerIndex} but is behind`);
      }
    });
    const promoted = pg.pax.filter(
      (q) => q.status === 'confirmed' && kindOf(q.booking_status) === kind && ['CNF', 'RAC'].includes(kindOf(q.current_status)),
    );
    for (const p of list) {
      for (const q of promoted) {
        const seg = { fromSeq: q.from_seq, toSeq: q.to_seq };
        if (within(p, seg) && before(p, { bookingId: q.pnr, passengerIndex: q.idx })) {
          wrong.push(`${kind}: ${q.pnr}#${q.idx} (${seg.fromSeq}→${seg.toSeq}) promoted to ${q.current_status} over ${p.bookingId}#${p.passengerIndex} (${p.fromSeq}→${p.toSeq}), still waiting`);
        }
      }
    }
  }
  return wrong;
}

/**
 * Every confirmed berth cancelled in Postgres (a whole or a partial cancellation) was resold or promoted into,
 * or is of no use to anyone still waiting: nobody waiting whose journey meets the cancelled one could sit on
 * that berth over their whole journey. Also says how much of it was taken again, and by whom.
 */
function checkCancelledBerths(inv: InventoryView, pg: PgView) {
  const berths = new Map(generalBerths(inv).map((b) => [b.key, b.occupied]));
  const waiting = waitingPassengers(inv);
  const promotedPnrs = new Set(pg.pax.filter((p) => p.status === 'confirmed' && kindOf(p.booking_status) !== 'CNF' && kindOf(p.current_status) === 'CNF').map((p) => p.pnr));
  const unused: string[] = [];
  let reused = 0;
  let reusedByPromotion = 0;
  const cancelled = pg.seats.filter((s) => s.status === 'cancelled');
  for (const s of cancelled) {
    const key = `${s.coach}/${s.berth_no}`;
    const seg = { fromSeq: s.from_seq, toSeq: s.to_seq };
    const occupied = berths.get(key) ?? [];
    const takers = occupied.filter((o) => overlaps(o, seg) && o.bookingId.split('#')[0] !== s.pnr);
    if (takers.length > 0) reused++;
    if (takers.some((o) => promotedPnrs.has(o.bookingId.split('#')[0]!))) reusedByPromotion++;
    for (const w of waiting) {
      if (overlaps(w, seg) && freeOver(occupied, w)) unused.push(`${key} (cancelled ${s.pnr} ${seg.fromSeq}→${seg.toSeq}) is free for ${w.kind} ${w.bookingId}#${w.passengerIndex} ${w.fromSeq}→${w.toSeq}`);
    }
  }
  return { unused, cancelled: cancelled.length, reused, reusedByPromotion };
}

/** What one side has that the other has not (as multisets), in words. */
function differences(what: string, postgres: readonly string[], inventory: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const x of inventory) left.set(x, (left.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of postgres) {
    const n = left.get(x) ?? 0;
    if (n > 0) left.set(x, n - 1);
    else out.push(`${what} only in Postgres: ${x}`);
  }
  for (const [x, n] of left) for (let i = 0; i < n; i++) out.push(`${what} only in the inventory: ${x}`);
  return out;
}

/**
 * GET /bookings/:pnr of paid bookings (every one that waited, and a seeded sample of the others): the status
 * Postgres records, nothing for support to look at, and per passenger the same kind of place and berth.
 */
async function apiDisagreements(out: Outcome, pg: PgView, seed: number): Promise<string[]> {
  const rand = prng(seed ^ 0x5eed);
  const paid = out.parties.filter((p) => p.paid);
  const sample = paid.filter((p) => p.held.some((s) => s !== 'CNF') || rand() < 0.25);
  const paxOf = new Map<string, PaxRow[]>();
  for (const p of pg.pax) paxOf.set(p.pnr, [...(paxOf.get(p.pnr) ?? []), p]);
  const disagreements: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let party = sample[next++]; party; party = sample[next++]) {
        const res = await api(stack, travellers[party.traveller]!.token).get(`/bookings/${party.pnr}`);
        const rowsOf = paxOf.get(party.pnr) ?? [];
        if (res.status !== 200 || res.body.status !== rowsOf[0]?.status || res.body.attention.length > 0) {
          disagreements.push(`${party.pnr}: GET ${res.status} ${res.body.status} attention ${JSON.stringify(res.body.attention)}, Postgres ${rowsOf[0]?.status}`);
          continue;
        }
        if (res.body.status !== 'confirmed') continue;
        res.body.passengers.forEach((p: { currentStatus: string; coach: string | null; berthNo: number | null }, i: number) => {
          const row = rowsOf[i]!;
          // RAC and waitlist numbers close up without the booking being told (domain/railInventory.ts
          // changesOf): the kind of place is compared, and the berth of a confirmed passenger.
          const shown = `${kindOf(p.currentStatus)} ${kindOf(p.currentStatus) === 'CNF' ? `${p.coach}/${p.berthNo}` : ''}`;
          const recorded = `${kindOf(row.current_status)} ${kindOf(row.current_status) === 'CNF' ? `${row.coach}/${row.berth_no}` : ''}`;
          if (shown !== recorded) disagreements.push(`${party.pnr}#${i}: GET shows ${shown}, Postgres ${recorded}`);
        });
      }
    }),
  );
  process.stderr.write(`[stampede] GET /bookings/:pnr read for ${sample.length} of ${paid.length} paid bookings\n`);
  return disagreements;
}

/** Runs each check on a copy of the settled state broken the way it looks for: true when it reports it. */
function checksBite(inv: InventoryView, pg: PgView, byPnr: Map<string, Party>) {
  const copy = (): InventoryView => structuredClone(inv);
  const general = (v: InventoryView) => v.seats.coaches.flatMap((c) => c.berths.filter((b) => b.quota === 'GN'));

  const doubled = copy();
  const sold = general(doubled).find((b) => b.occupied.length > 0)!;
  sold.occupied.push({ ...sold.occupied[0]!, bookingId: 'doubled' });

  const crowded = copy();
  crowded.waitlist.racBerths[0]!.passengers.push(...[0, 1, 2].map((i) => ({ bookingId: 'crowd', passengerIndex: i, fromSeq: 0, toSeq: 1 })));

  // Every general berth emptied: everyone waiting fits one, and every cancelled berth is free for them.
  const emptied = copy();
  for (const b of general(emptied)) b.occupied = [];

  // The RAC berths emptied: every waitlisted passenger fits an RAC place.
  const racFreed = copy();
  for (const b of racFreed.waitlist.racBerths) b.passengers = [];

  // Two passengers of a list swapped where the clients know which joined first.
  const swapped = copy();
  const lists = Object.values(swapped.waitlist.waitlists);
  const before = (a: { bookingId: string; passengerIndex: number }, b: { bookingId: string; passengerIndex: number }) =>
    a.bookingId === b.bookingId ? a.passengerIndex < b.passengerIndex : byPnr.get(a.bookingId)!.answeredAt < byPnr.get(b.bookingId)!.sentAt;
  const list = lists.find((l) => l.some((p, i) => i > 0 && before(l[0]!, p)));
  if (list) {
    const j = list.findIndex((p, i) => i > 0 && before(list[0]!, p));
    [list[0], list[j]] = [{ ...list[j]!, number: 1 }, { ...list[0]!, number: j + 1 }];
  }
  const waitlisted = Object.values(inv.waitlist.waitlists).some((l) => l.length > 0);
  return {
    doubleSale: checkNoBerthSoldTwice(doubled).length > 0,
    racOverload: checkRacBerths(crowded).length > 0,
    freeBerth: checkFixpoint(emptied).length > 0,
    freeRacPlace: !waitlisted || checkFixpoint(racFreed).some((m) => m.endsWith('fits an RAC place')),
    cancelledBerth: checkCancelledBerths(emptied, pg).unused.length > 0,
    order: !list || checkWaitlistOrder(swapped, pg, byPnr).length > 0,
  };
}

/** The clients' own record against Postgres: every hold is there, with the outcome the clients were given. */
function checkLedger(out: Outcome, pg: PgView) {
  const wrong: string[] = [];
  const byPnr = new Map<string, PaxRow[]>();
  for (const p of pg.pax) byPnr.set(p.pnr, [...(byPnr.get(p.pnr) ?? []), p]);
  if (byPnr.size !== out.parties.length) wrong.push(`${byPnr.size} bookings in Postgres for ${out.parties.length} holds answered 201`);
  for (const party of out.parties) {
    const pax = byPnr.get(party.pnr) ?? [];
    const status = pax[0]?.status;
    const want = party.wholeCancelled ? ['cancelled'] : party.paid ? ['confirmed'] : ['expired', 'cancelled', 'payment_failed'];
    if (!status || !want.includes(status)) wrong.push(`${party.pnr}: ${status} in Postgres, expected ${want.join(' or ')}`);
    if (pax.length !== party.n) wrong.push(`${party.pnr}: ${pax.length} passengers in Postgres, ${party.n} booked`);
    if (party.paid && !party.wholeCancelled) {
      for (const p of pax) {
        if (party.cancelled.includes(p.idx) !== (p.current_status === 'CAN')) wrong.push(`${party.pnr}#${p.idx}: ${p.current_status} in Postgres, cancelled: ${party.cancelled}`);
      }
    }
  }
  return wrong;
}

it(
  `${HOLDS} requests on one many-stop run sell it out into RAC and the waitlist, with cancellations, and every invariant holds`,
  async () => {
    const seed = Number(process.env.STAMPEDE_SEED ?? Math.floor(Math.random() * 2 ** 31));
    process.stderr.write(`[stampede] seed ${seed} (replay the requests with STAMPEDE_SEED=${seed})\n`);
    const runDate = futureDate(137);

    const out = await stampede(runDate, seed);
    const lastHoldExpiresAt = Math.max(...out.parties.map((p) => p.holdExpiresAt));
    const { inv, pg, settled, ms: settleMs } = await settle(runDate, lastHoldExpiresAt);
    const percentiles = Object.entries(out.latencies).map(([op, ms]) => {
      const at = (q: number) => Math.round([...ms].sort((a, b) => a - b)[Math.min(ms.length - 1, Math.floor(q * ms.length))]!);
      return `${op} p50 ${at(0.5)} p99 ${at(0.99)} max ${at(1)} ms`;
    });
    process.stderr.write(
      `[stampede] ${out.requests} requests in ${Math.round(out.ms)} ms (${percentiles.join('; ')}); ` +
        `settled ${settled} ${settleMs} ms after the last hold ran out\n` +
        `[stampede] answers ${JSON.stringify(out.tally)}\n` +
        `[stampede] inventory ${JSON.stringify({ ...inv.summary, stats: undefined })} stats ${JSON.stringify(inv.summary.stats)}\n`,
    );

    // The rush did what it is for: sold out into RAC and the waitlist (REGRET once the waitlist was full),
    // with whole and partial cancellations, expiries and promotions along the way.
    expect(out.requests).toBeGreaterThanOrEqual(2000);
    expect(out.tally['hold 409 REGRET'] ?? 0).toBeGreaterThan(0);
    expect(out.parties.some((p) => p.held.some((s) => s.startsWith('RAC')))).toBe(true);
    expect(out.parties.some((p) => p.held.some((s) => isWaitlistKind(kindOf(s))))).toBe(true);
    expect(out.tally['cancel(all) 200 cancelled'] ?? 0).toBeGreaterThan(0);
    expect(out.tally['cancel(some) 200 confirmed'] ?? 0).toBeGreaterThan(0);
    expect(inv.summary.stats.promotions ?? 0).toBeGreaterThan(0);
    expect(inv.summary.stats.expiries).toBeGreaterThan(0);

    // Everything below is gathered first and asserted at once, so that a failing run reports every problem.
    const [run] = await rows<{ id: number }>(sql`select id from train_runs where train_number = ${TRAIN} and run_date = ${runDate}`);
    const pgDoubles = await rows<Record<string, unknown>>(sql`
      select a.pnr, a.coach, a.berth_no, a.from_seq, a.to_seq, b.pnr as other, b.from_seq as other_from, b.to_seq as other_to
      from seat_allocations a join seat_allocations b
        on b.run_id = a.run_id and b.class_code = a.class_code and b.coach = a.coach and b.berth_no = a.berth_no and b.id > a.id
      where a.run_id = ${run!.id} and a.class_code = ${CLASS} and a.status = 'confirmed' and b.status = 'confirmed'
        and a.from_seq < b.to_seq and b.from_seq < a.to_seq`);
    const byPnr = new Map(out.parties.map((p) => [p.pnr, p]));
    const freed = checkCancelledBerths(inv, pg);
    process.stderr.write(
      `[stampede] ${freed.cancelled} confirmed berths cancelled: ${freed.reused} taken again, ${freed.reusedByPromotion} of them by promoted passengers\n`,
    );
    const invPlaces = inventoryPlaces(inv);
    const pgSide = pgPlaces(pg);
    const soldRecords = new Set(inv.seats.coaches.flatMap((c) => c.berths.flatMap((b) => b.occupied.map((o) => o.bookingId))));
    const summary = { held: inv.summary.held, sold: inv.summary.sold, rac: inv.summary.rac, waitlisted: inv.summary.waitlisted };
    const counted = { held: 0, sold: soldRecords.size, rac: invPlaces.rac.length, waitlisted: invPlaces.wl.length };
    const disagreements = await apiDisagreements(out, pg, seed);

    expect({
      // Every request had a definite, expected answer.
      surprises: out.surprises,
      // 1. No berth segment sold twice: in the inventory, and in Postgres (the exclusion constraint guards it too).
      soldTwice: checkNoBerthSoldTwice(inv),
      soldTwiceInPostgres: pgDoubles.map((r) => JSON.stringify(r)),
      // 2. No RAC berth over two passengers on any hop.
      racBerthsOverTwo: checkRacBerths(inv),
      // 3. Waitlist order, and the fixpoint: nobody waiting fits a free berth or an RAC place.
      waitlistOrder: checkWaitlistOrder(inv, pg, byPnr),
      fixpoint: checkFixpoint(inv),
      // 4. Every cancelled confirmed berth resold or promoted into, or of use to nobody waiting.
      cancelledBerthsUnused: freed.unused,
      // 5. The same passengers, so the same counts, in Postgres as in the inventory; the inventory's summary
      //    counts what it holds; the clients' record and GET /bookings/:pnr agree with Postgres.
      statusesUnexplained: pgSide.unexplained,
      seatRowsVsInventory: differences('confirmed berth', pgSide.cnf, invPlaces.cnf),
      passengerBerthsVsInventory: differences('confirmed passenger', pgSide.paxCnf, invPlaces.cnf),
      racVsInventory: differences('RAC passenger', pgSide.rac, invPlaces.rac),
      waitlistVsInventory: differences('waitlisted passenger', pgSide.wl, invPlaces.wl),
      summaryCounts: JSON.stringify(summary) === JSON.stringify(counted) ? [] : [`summary ${JSON.stringify(summary)}, counted ${JSON.stringify(counted)}`],
      ledger: checkLedger(out, pg),
      api: disagreements,
    }).toEqual({
      surprises: [],
      soldTwice: [],
      soldTwiceInPostgres: [],
      racBerthsOverTwo: [],
      waitlistOrder: [],
      fixpoint: [],
      cancelledBerthsUnused: [],
      statusesUnexplained: [],
      seatRowsVsInventory: [],
      passengerBerthsVsInventory: [],
      racVsInventory: [],
      waitlistVsInventory: [],
      summaryCounts: [],
      ledger: [],
      api: [],
    });
    expect(freed.reused).toBeGreaterThan(0);

    // The checks are not vacuous: each reports a copy of the settled state doctored to break its rule.
    expect(waitingPassengers(inv).length).toBeGreaterThan(0); // the run ended sold out, with passengers still waiting
    expect(checksBite(inv, pg, byPnr)).toEqual({ doubleSale: true, racOverload: true, freeBerth: true, freeRacPlace: true, cancelledBerth: true, order: true });
  },
  420_000,
);
