// The audit: what Postgres, the gateway's ledger and Temporal say after the
// run, checked against each other and against what the travellers were told.
// Each check yields a count that must be zero and the PNRs behind it.
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { BOOKING_WORKFLOW_TYPES, inventorySummaryQuery, inventoryWorkflowId, pendingBookingsQuery, seatMapQuery, type InventorySummary } from '../../contracts';
import { SA } from '../../contracts/searchAttributeKeys';
import type { SeatMapView } from '../../domain/allocation';
import { refundQuote } from '../../domain/refunds';
import type { ClassCode } from '../../domain/types';
import type { RequestRecord } from './http';
import type { Hold } from './traffic';

export interface RunKey {
  trainNumber: string;
  runDate: string;
  classCode: string;
}

export interface Violation {
  pnr?: string;
  what: string;
  detail?: unknown;
}

export interface OverdueHold {
  pnr: string;
  where: 'postgres' | 'inventory';
  status: string;
  holdExpiresAt: string;
  /** Seconds past its expiry when seen. */
  overdueSeconds: number;
  seenAt: string;
}

const ISO = (ms: number) => new Date(ms).toISOString();

async function runId(pool: Pool, run: RunKey): Promise<number | null> {
  const r = await pool.query<{ id: number }>('select id from train_runs where train_number = $1 and run_date = $2', [run.trainNumber, run.runDate]);
  return r.rows[0]?.id ?? null;
}

async function seatMap(client: Client, run: RunKey): Promise<SeatMapView> {
  return client.workflow.getHandle(inventoryWorkflowId(run.trainNumber, run.runDate, run.classCode)).query(seatMapQuery);
}

export async function inventorySummary(client: Client, run: RunKey): Promise<InventorySummary> {
  return client.workflow.getHandle(inventoryWorkflowId(run.trainNumber, run.runDate, run.classCode)).query(inventorySummaryQuery);
}

/** Held bookings in the inventory, with the berths' segments, from its seat map. */
function heldInSeatMap(map: SeatMapView): Set<string> {
  const held = new Set<string>();
  for (const c of map.coaches) for (const b of c.berths) for (const o of b.occupied) if (o.status === 'held') held.add(o.bookingId);
  return held;
}

/**
 * Holds still alive more than `slackMs` after their expiry, in Postgres (held / payment_pending rows) and
 * in the inventory's seat map (expiry from Postgres, or from the 201 the traveller got). Run during the
 * load (samples) and once at the end.
 */
export async function overdueHolds(client: Client, pool: Pool, run: RunKey, known: Map<string, Hold>, slackMs: number): Promise<OverdueHold[]> {
  const now = Date.now();
  const out: OverdueHold[] = [];
  const pg = await pool.query<{ pnr: string; status: string; hold_expires_at: Date }>(
    `select pnr, status::text as status, hold_expires_at from bookings
      where status in ('held', 'payment_pending') and hold_expires_at < now() - make_interval(secs => $1)`,
    [slackMs / 1000],
  );
  for (const r of pg.rows) {
    out.push({
      pnr: r.pnr,
      where: 'postgres',
      status: r.status,
      holdExpiresAt: r.hold_expires_at.toISOString(),
      overdueSeconds: Math.round((now - r.hold_expires_at.getTime()) / 1000),
      seenAt: ISO(now),
    });
  }
  let map: SeatMapView;
  try {
    map = await seatMap(client, run);
  } catch {
    return out; // no worker right now (killed): the next sample sees it
  }
  const held = [...heldInSeatMap(map)];
  if (held.length === 0) return out;
  const rows = await pool.query<{ pnr: string; hold_expires_at: Date | null }>('select pnr, hold_expires_at from bookings where pnr = any($1)', [held]);
  const expiry = new Map(rows.rows.map((r) => [r.pnr, r.hold_expires_at?.getTime() ?? null]));
  for (const pnr of held) {
    const exp = expiry.get(pnr) ?? known.get(pnr)?.holdExpiresAt ?? null;
    if (exp === null) continue; // not a PNR anyone was told about, and no record yet
    if (now - exp > slackMs) {
      out.push({ pnr, where: 'inventory', status: 'held', holdExpiresAt: ISO(exp), overdueSeconds: Math.round((now - exp) / 1000), seenAt: ISO(now) });
    }
  }
  return out;
}

export interface SettleState {
  pgOpen: number;
  inventoryHeld: number | null;
  pendingStarts: number | null;
  holdsWithoutRow: number;
  unsettledCharges: number;
  runningNotConfirmed: number | null;
}

/** What still has to happen before the audit means anything (all zero: the system has settled). */
export async function settleState(client: Client, pool: Pool, run: RunKey, pnrs: string[]): Promise<SettleState> {
  const open = await pool.query<{ n: number }>(`select count(*)::int as n from bookings where status in ('held', 'payment_pending')`);
  const rows = await pool.query<{ n: number }>('select count(*)::int as n from bookings where pnr = any($1)', [pnrs]);
  const charges = (await moneyViolations(pool)).violations.length;
  let summary: InventorySummary | null = null;
  try {
    summary = await inventorySummary(client, run);
  } catch {
    summary = null;
  }
  let running: number | null = null;
  try {
    running = (await workflowsThatShouldHaveEnded(client)).length;
  } catch {
    running = null;
  }
  return {
    pgOpen: open.rows[0]?.n ?? 0,
    inventoryHeld: summary?.held ?? null,
    pendingStarts: summary?.pendingStarts ?? null,
    holdsWithoutRow: pnrs.length - (rows.rows[0]?.n ?? 0),
    unsettledCharges: charges,
    runningNotConfirmed: running,
  };
}

export function settled(s: SettleState): boolean {
  return s.pgOpen === 0 && s.inventoryHeld === 0 && s.pendingStarts === 0 && s.holdsWithoutRow === 0 && s.unsettledCharges === 0 && s.runningNotConfirmed === 0;
}

/**
 * Every succeeded charge must end as a confirmed, seated booking or be refunded (in the gateway's own ledger).
 * One exception, by the product's rules: a ticket the traveller cancelled whose cancellation charge is the
 * whole fare (short cheap journeys) refunds nothing; such charges are checked against domain/refunds.ts
 * and listed, not counted.
 */
async function moneyViolations(pool: Pool): Promise<{ violations: Violation[]; keptByCancellationRules: Violation[] }> {
  const r = await pool.query<{
    key: string;
    charge_id: string;
    amount: number;
    refunds: number;
    pnr: string | null;
    status: string | null;
    class_code: string | null;
    run_date: string | null;
    passengers: number;
    seated: boolean;
    ticketed: boolean;
  }>(
    `select c.idempotency_key as key, c.id as charge_id, c.amount,
            (select count(*)::int from payment_sandbox.refunds r where r.charge_id = c.id) as refunds,
            b.pnr, b.status::text as status, b.class_code, tr.run_date::text as run_date,
            (select count(*)::int from passengers p where p.pnr = b.pnr) as passengers,
            exists (select 1 from seat_allocations s where s.pnr = b.pnr and s.status = 'confirmed') as seated,
            exists (select 1 from seat_allocations s where s.pnr = b.pnr) as ticketed
       from payment_sandbox.charges c
       left join bookings b on 'charge:' || b.pnr = c.idempotency_key
       left join train_runs tr on tr.id = b.run_id
      where c.status = 'succeeded'`,
  );
  const violations: Violation[] = [];
  const keptByCancellationRules: Violation[] = [];
  for (const c of r.rows) {
    if ((c.status === 'confirmed' && c.seated) || c.refunds > 0) continue;
    const detail = { chargeId: c.charge_id, key: c.key, amount: c.amount, bookingStatus: c.status, seated: c.seated, passengers: c.passengers };
    if (c.status === 'cancelled' && c.ticketed && c.class_code && c.run_date && c.passengers > 0) {
      // The run is days ahead (the CLI allows no less than 3), so the >48 h rule applies: any time before works.
      const quote = refundQuote({
        classCode: c.class_code as ClassCode,
        fareTotal: c.amount,
        passengers: c.passengers,
        departureAt: Date.parse(`${c.run_date}T00:00:00Z`),
        cancelledAt: Date.now(),
      });
      if (quote.refundAmount === 0) {
        keptByCancellationRules.push({ ...(c.pnr ? { pnr: c.pnr } : {}), what: 'cancelled ticket; the cancellation charge is the whole fare', detail: { ...detail, rule: quote.rule } });
        continue;
      }
    }
    violations.push({ ...(c.pnr ? { pnr: c.pnr } : {}), what: 'succeeded charge with neither a confirmed ticket nor a refund', detail });
  }
  return { violations, keptByCancellationRules };
}

/** Confirmed bookings whose money never arrived (a ticket for free is a violation too). */
async function ticketsWithoutCharge(pool: Pool): Promise<Violation[]> {
  const r = await pool.query<{ pnr: string; amount_paid: number }>(
    `select b.pnr, b.amount_paid from bookings b
      where b.status = 'confirmed'
        and not exists (select 1 from payment_sandbox.charges c where c.idempotency_key = 'charge:' || b.pnr and c.status = 'succeeded')`,
  );
  return r.rows.map((x) => ({ pnr: x.pnr, what: 'confirmed booking without a succeeded charge', detail: { amountPaid: x.amount_paid } }));
}

/** Two confirmed rows on one berth over overlapping stops (the exclusion constraint should make this impossible). */
async function pgDoubleSales(pool: Pool): Promise<Violation[]> {
  const r = await pool.query<{ a: string; b: string; coach: string; berth_no: number; af: number; at: number; bf: number; bt: number }>(
    `select a.pnr as a, b.pnr as b, a.coach, a.berth_no, a.from_seq as af, a.to_seq as at, b.from_seq as bf, b.to_seq as bt
       from seat_allocations a
       join seat_allocations b on a.run_id = b.run_id and a.class_code = b.class_code and a.coach = b.coach
                              and a.berth_no = b.berth_no and a.id < b.id
      where a.status = 'confirmed' and b.status = 'confirmed'
        and int4range(a.from_seq, a.to_seq) && int4range(b.from_seq, b.to_seq)`,
  );
  return r.rows.map((x) => ({
    pnr: x.a,
    what: 'berth sold twice in Postgres',
    detail: { other: x.b, berth: `${x.coach}/${x.berth_no}`, segments: [[x.af, x.at], [x.bf, x.bt]] },
  }));
}

interface SeatCheck {
  soldTwice: Violation[];
  mismatches: Violation[];
}

/** The inventory's seat map against itself and against Postgres' confirmed allocations. */
async function seatMapVsPostgres(client: Client, pool: Pool, run: RunKey): Promise<SeatCheck> {
  const out: SeatCheck = { soldTwice: [], mismatches: [] };
  const id = await runId(pool, run);
  const map = await seatMap(client, run);
  type Occ = SeatMapView['coaches'][number]['berths'][number]['occupied'][number];
  const berths = new Map<string, Occ[]>();
  for (const c of map.coaches) for (const b of c.berths) berths.set(`${c.coach}/${b.berthNo}`, b.occupied);
  for (const [berth, occ] of berths) {
    const sorted = [...occ].sort((x, y) => x.fromSeq - y.fromSeq);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]!.fromSeq < sorted[i - 1]!.toSeq) {
        out.soldTwice.push({ pnr: sorted[i]!.bookingId, what: 'overlapping segments on one berth in the inventory', detail: { berth, other: sorted[i - 1]!.bookingId } });
      }
    }
  }
  const pg = await pool.query<{ pnr: string; coach: string; berth_no: number; from_seq: number; to_seq: number }>(
    `select pnr, coach, berth_no, from_seq, to_seq from seat_allocations where run_id = $1 and class_code = $2 and status = 'confirmed'`,
    [id ?? -1, run.classCode],
  );
  const pgSeats = new Set<string>();
  for (const a of pg.rows) {
    const berth = `${a.coach}/${a.berth_no}`;
    pgSeats.add(`${a.pnr}|${berth}`);
    const occ = berths.get(berth) ?? [];
    const mine = occ.find((o) => o.bookingId === a.pnr && o.fromSeq === a.from_seq && o.toSeq === a.to_seq && o.status === 'sold');
    if (mine) continue;
    const other = occ.find((o) => o.bookingId !== a.pnr && o.fromSeq < a.to_seq && a.from_seq < o.toSeq);
    if (other) {
      out.soldTwice.push({
        pnr: a.pnr,
        what: 'berth confirmed in Postgres is given to another booking in the inventory',
        detail: { berth, segment: [a.from_seq, a.to_seq], inventory: other },
      });
    } else {
      out.mismatches.push({ pnr: a.pnr, what: 'confirmed in Postgres, not sold in the inventory (the berth could be sold again)', detail: { berth, segment: [a.from_seq, a.to_seq] } });
    }
  }
  for (const [berth, occ] of berths) {
    for (const o of occ) {
      if (o.status === 'sold' && !pgSeats.has(`${o.bookingId}|${berth}`)) {
        out.mismatches.push({ pnr: o.bookingId, what: 'sold in the inventory, no confirmed allocation in Postgres (a berth lost to sale)', detail: { berth, segment: [o.fromSeq, o.toSeq] } });
      }
    }
  }
  return out;
}

/** Pay answers of 200 confirmed (or confirmed seen by polling after 202) without a confirmed record in Postgres. */
async function lostConfirmations(pool: Pool, holds: Hold[]): Promise<Violation[]> {
  const told = holds.filter((h) => h.confirmedAnswer || h.confirmedByPoll);
  if (told.length === 0) return [];
  const r = await pool.query<{ pnr: string; status: string; amount_paid: number; seats: number }>(
    `select b.pnr, b.status::text as status, b.amount_paid,
            (select count(*)::int from seat_allocations s where s.pnr = b.pnr) as seats
       from bookings b where b.pnr = any($1)`,
    [told.map((h) => h.pnr)],
  );
  const rows = new Map(r.rows.map((x) => [x.pnr, x]));
  const out: Violation[] = [];
  for (const h of told) {
    const row = rows.get(h.pnr);
    const confirmed = row?.status === 'confirmed' && row.seats > 0 && row.amount_paid > 0;
    // A traveller who cancelled after the confirmation: the record was confirmed, then cancelled.
    const cancelledAfter =
      row?.status === 'cancelled' && (h.cancelOutcome === 'cancelled' || h.cancelOutcome === 'accepted (202)') && row.seats > 0 && row.amount_paid > 0;
    if (confirmed || cancelledAfter) continue;
    out.push({
      pnr: h.pnr,
      what: h.confirmedAnswer ? 'pay answered 200 confirmed, no confirmed record in Postgres' : 'GET showed confirmed after a 202, no confirmed record in Postgres',
      detail: row ? { status: row.status, amountPaid: row.amount_paid, seatRows: row.seats } : 'no bookings row',
    });
  }
  return out;
}

/**
 * 201 answers whose booking never got a record and is not waiting to be started either: a hold lost
 * between the inventory and Postgres. Those still in the inventory's queue of actors to start are late,
 * not lost: returned apart (the run did not settle).
 */
async function lostHolds(client: Client, pool: Pool, run: RunKey, holds: Hold[]): Promise<{ lost: Violation[]; notStartedYet: string[] }> {
  const r = await pool.query<{ pnr: string }>('select pnr from bookings where pnr = any($1)', [holds.map((h) => h.pnr)]);
  const have = new Set(r.rows.map((x) => x.pnr));
  const missing = holds.filter((h) => !have.has(h.pnr));
  let pending = new Set<string>();
  if (missing.length > 0) {
    const handle = client.workflow.getHandle(inventoryWorkflowId(run.trainNumber, run.runDate, run.classCode));
    try {
      pending = new Set((await handle.query(pendingBookingsQuery, missing.map((h) => h.pnr))).map((b) => b.pnr));
    } catch {
      pending = new Set(); // the inventory does not answer: every missing record counts
    }
  }
  return {
    lost: missing
      .filter((h) => !pending.has(h.pnr))
      .map((h) => ({ pnr: h.pnr, what: '201 hold with no bookings row, not waiting in the inventory either', detail: { fate: h.fate, heldAt: ISO(h.heldAt) } })),
    notStartedYet: missing.filter((h) => pending.has(h.pnr)).map((h) => h.pnr),
  };
}

/** Running workflows that should have ended: booking actors that are not confirmed, and anything but inventories and confirmed bookings. */
async function workflowsThatShouldHaveEnded(client: Client): Promise<Violation[]> {
  const out: Violation[] = [];
  for await (const wf of client.workflow.list({ query: `ExecutionStatus = 'Running'` })) {
    if (wf.type === 'inventoryWorkflow') continue;
    const status = wf.typedSearchAttributes.get(SA.BookingStatus);
    if ((BOOKING_WORKFLOW_TYPES as readonly string[]).includes(wf.type) && status === 'confirmed') continue;
    out.push({ pnr: wf.typedSearchAttributes.get(SA.Pnr), what: `${wf.type} still running`, detail: { workflowId: wf.workflowId, bookingStatus: status } });
  }
  return out;
}

async function closedBadly(client: Client): Promise<Violation[]> {
  const out: Violation[] = [];
  for await (const wf of client.workflow.list({ query: `ExecutionStatus = 'Failed' OR ExecutionStatus = 'TimedOut' OR ExecutionStatus = 'Terminated'` })) {
    out.push({ pnr: wf.typedSearchAttributes.get(SA.Pnr), what: `${wf.type} ${wf.status.name}`, detail: { workflowId: wf.workflowId, runId: wf.runId } });
  }
  return out;
}

export interface HttpSummary {
  total: number;
  byRoute: Record<string, Record<string, number>>;
  unanswered: RequestRecord[];
  serverErrors: { total: number; byStatusAndCode: Record<string, number>; withoutRetryAfter503: number; first: RequestRecord[] };
  latencyMs: Record<string, { p50: number; p99: number; max: number }>;
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function summarizeHttp(records: RequestRecord[]): HttpSummary {
  const byRoute: HttpSummary['byRoute'] = {};
  const lat: Record<string, number[]> = {};
  const fivexx: RequestRecord[] = [];
  const byStatusAndCode: Record<string, number> = {};
  for (const r of records) {
    const label = r.status === 0 ? 'no answer' : r.code ? `${r.status} ${r.code}` : String(r.status);
    (byRoute[r.route] ??= {})[label] = (byRoute[r.route]![label] ?? 0) + 1;
    (lat[r.route] ??= []).push(r.ms);
    if (r.status >= 500) {
      fivexx.push(r);
      byStatusAndCode[label] = (byStatusAndCode[label] ?? 0) + 1;
    }
  }
  const latencyMs: HttpSummary['latencyMs'] = {};
  for (const [route, ms] of Object.entries(lat)) {
    ms.sort((a, b) => a - b);
    latencyMs[route] = { p50: pct(ms, 50), p99: pct(ms, 99), max: ms.at(-1) ?? 0 };
  }
  return {
    total: records.length,
    byRoute,
    unanswered: records.filter((r) => r.status === 0),
    serverErrors: {
      total: fivexx.length,
      byStatusAndCode,
      withoutRetryAfter503: fivexx.filter((r) => r.status === 503 && r.retryAfter === undefined).length,
      first: fivexx.slice(0, 20),
    },
    latencyMs,
  };
}

export interface Audit {
  zeros: {
    berthsSoldTwice: number;
    seatMapMismatches: number;
    chargesWithoutTicketOrRefund: number;
    ticketsWithoutCharge: number;
    lostConfirmations: number;
    lostHolds: number;
    holdsPastTtl: number;
    failedWorkflows: number;
    workflowsThatShouldHaveEnded: number;
    requestsWithoutAnswer: number;
  };
  violations: Record<string, Violation[] | OverdueHold[] | RequestRecord[]>;
  /** Charges kept, rightly, because the traveller cancelled and the cancellation charge is the whole fare. */
  keptByCancellationRules: { count: number; first: Violation[] };
  /** 201 holds whose actor the inventory still had to start when the audit ran (late, not lost). */
  holdsNotStartedYet: { count: number; first: string[] };
  http: Omit<HttpSummary, 'unanswered'>;
  inventory: InventorySummary | null;
  postgres: { bookingsByStatus: Record<string, number>; charges: Record<string, number>; refunds: number; refundedPaise: number; notificationsByStatus: Record<string, number> };
}

export async function audit(
  client: Client,
  pool: Pool,
  run: RunKey,
  holds: Hold[],
  records: RequestRecord[],
  overdueSeen: OverdueHold[],
  slackMs: number,
): Promise<Audit> {
  const known = new Map(holds.map((h) => [h.pnr, h]));
  const finalOverdue = await overdueHolds(client, pool, run, known, slackMs);
  // One entry per PNR and place: the worst overstay seen.
  const worst = new Map<string, OverdueHold>();
  for (const o of [...overdueSeen, ...finalOverdue]) {
    const k = `${o.where}|${o.pnr}`;
    if ((worst.get(k)?.overdueSeconds ?? -1) < o.overdueSeconds) worst.set(k, o);
  }
  const pgDouble = await pgDoubleSales(pool);
  let seats: SeatCheck;
  try {
    seats = await seatMapVsPostgres(client, pool, run);
  } catch (err) {
    seats = { soldTwice: [], mismatches: [{ what: `could not read the inventory's seat map: ${(err as Error).message}` }] };
  }
  const { violations: money, keptByCancellationRules } = await moneyViolations(pool);
  const free = await ticketsWithoutCharge(pool);
  const lost = await lostConfirmations(pool, holds);
  const { lost: lostH, notStartedYet } = await lostHolds(client, pool, run, holds);
  const failed = await closedBadly(client);
  const open = await workflowsThatShouldHaveEnded(client);
  const http = summarizeHttp(records);
  let inventory: InventorySummary | null = null;
  try {
    inventory = await inventorySummary(client, run);
  } catch {
    inventory = null;
  }
  const count = async (sql: string) =>
    Object.fromEntries((await pool.query<{ k: string; n: number }>(sql)).rows.map((r) => [r.k, r.n])) as Record<string, number>;
  const refundsRow = (await pool.query<{ n: number; paise: number }>('select count(*)::int as n, coalesce(sum(amount), 0)::int as paise from payment_sandbox.refunds')).rows[0];
  const holdsPastTtl = [...worst.values()];
  return {
    zeros: {
      berthsSoldTwice: pgDouble.length + seats.soldTwice.length,
      seatMapMismatches: seats.mismatches.length,
      chargesWithoutTicketOrRefund: money.length,
      ticketsWithoutCharge: free.length,
      lostConfirmations: lost.length,
      lostHolds: lostH.length,
      holdsPastTtl: holdsPastTtl.length,
      failedWorkflows: failed.length,
      workflowsThatShouldHaveEnded: open.length,
      requestsWithoutAnswer: http.unanswered.length,
    },
    violations: {
      berthsSoldTwice: [...pgDouble, ...seats.soldTwice].slice(0, 50),
      seatMapMismatches: seats.mismatches.slice(0, 50),
      chargesWithoutTicketOrRefund: money.slice(0, 50),
      ticketsWithoutCharge: free.slice(0, 50),
      lostConfirmations: lost.slice(0, 50),
      lostHolds: lostH.slice(0, 50),
      holdsPastTtl: holdsPastTtl.sort((a, b) => b.overdueSeconds - a.overdueSeconds).slice(0, 50),
      failedWorkflows: failed.slice(0, 50),
      workflowsThatShouldHaveEnded: open.slice(0, 50),
      requestsWithoutAnswer: http.unanswered.slice(0, 50),
    },
    holdsNotStartedYet: { count: notStartedYet.length, first: notStartedYet.slice(0, 20) },
    keptByCancellationRules: { count: keptByCancellationRules.length, first: keptByCancellationRules.slice(0, 10) },
    http: { total: http.total, byRoute: http.byRoute, serverErrors: http.serverErrors, latencyMs: http.latencyMs },
    inventory,
    postgres: {
      bookingsByStatus: await count(`select status::text as k, count(*)::int as n from bookings group by 1`),
      charges: await count(`select status as k, count(*)::int as n from payment_sandbox.charges group by 1`),
      refunds: refundsRow?.n ?? 0,
      refundedPaise: refundsRow?.paise ?? 0,
      notificationsByStatus: await count(`select status::text as k, count(*)::int as n from notifications group by 1`),
    },
  };
}
