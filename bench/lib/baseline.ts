// The peers' plain-Postgres design, run in the same benchmark as the baseline: the same
// scenario (one hot run, the same random bookings, the same client counts or rate), from
// Node with pg, in schema `baseline` of the bench database, no Temporal, no HTTP.
//
//   berths(run_id, berth)                 one row per berth of the run: the lock unit
//   berth_hop(run_id, berth, hop, state)  one row per berth and hop (stop i → i+1): the unit sold
//   bookings, payments
//
// hold    = ONE transaction: insert the booking, then one UPDATE that claims, for every
//           passenger, a berth free on every hop of the journey (the berths picked with
//           `FOR UPDATE SKIP LOCKED`, lowest first, so concurrent holds take different berths);
//           the hop rows are updated only where still free, and the count must be passengers ×
//           hops, else the transaction is rolled back and retried (5 times, then "no seats").
// confirm = a second transaction: the held hop rows become sold, the booking confirmed, a
//           payment row inserted.
// Every commit is fsynced (the server's default synchronous_commit).
import { performance } from 'node:perf_hooks';
import { Pool, type PoolClient } from 'pg';
import type { BookingBody, Target } from './load';
import { percentiles, r1, steadyRate, type Pct } from './stats';

const SCHEMA = `
create schema if not exists baseline;
create table if not exists baseline.berths (run_id int not null, berth int not null, primary key (run_id, berth));
create table if not exists baseline.berth_hop (
  run_id int not null, berth int not null, hop smallint not null,
  state smallint not null default 0,            -- 0 free, 1 held, 2 sold
  booking_id bigint,
  primary key (run_id, berth, hop)
);
create index if not exists berth_hop_booking on baseline.berth_hop (run_id, booking_id) where booking_id is not null;
create table if not exists baseline.bookings (
  id bigserial primary key, run_id int not null, from_hop smallint not null, to_hop smallint not null,
  passengers smallint not null, status text not null, held_until timestamptz not null, created_at timestamptz not null default now()
);
create table if not exists baseline.payments (
  id bigserial primary key, booking_id bigint not null references baseline.bookings (id), amount_paise bigint not null,
  card_last4 text not null, created_at timestamptz not null default now()
);
`;

const CLAIM = `
with pick as (
  select b.berth from baseline.berths b
   where b.run_id = $1
     and not exists (select 1 from baseline.berth_hop h
                      where h.run_id = $1 and h.berth = b.berth and h.hop >= $2 and h.hop < $3 and h.state <> 0)
   order by b.berth
   limit $4
   for update skip locked
)
update baseline.berth_hop h set state = 1, booking_id = $5
  from pick
 where h.run_id = $1 and h.berth = pick.berth and h.hop >= $2 and h.hop < $3 and h.state = 0
returning h.berth`;

export async function setupBaseline(pool: Pool): Promise<void> {
  await pool.query(SCHEMA);
}

/** A fresh empty run: `berths` berths × (stops − 1) hops, all free. Returns its id. */
export async function createBaselineRun(pool: Pool, target: Target): Promise<number> {
  const r = await pool.query<{ id: number }>('select coalesce(max(run_id), 0)::int + 1 as id from baseline.berths');
  const runId = r.rows[0]!.id;
  await pool.query('insert into baseline.berths (run_id, berth) select $1, g from generate_series(1, $2::int) g', [runId, target.berths]);
  await pool.query(
    'insert into baseline.berth_hop (run_id, berth, hop) select $1, b, h from generate_series(1, $2::int) b, generate_series(0, $3::int - 1) h',
    [runId, target.berths, target.stops.length - 1],
  );
  await pool.query('analyze baseline.berths; analyze baseline.berth_hop');
  return runId;
}

type HoldResult = { ok: true; bookingId: number } | { ok: false; reason: 'no seats' };

async function hold(c: PoolClient, runId: number, fromHop: number, toHop: number, pax: number): Promise<HoldResult> {
  for (let attempt = 0; attempt < 5; attempt++) {
    await c.query('begin');
    try {
      const b = await c.query<{ id: string }>(
        "insert into baseline.bookings (run_id, from_hop, to_hop, passengers, status, held_until) values ($1, $2, $3, $4, 'held', now() + interval '15 minutes') returning id",
        [runId, fromHop, toHop, pax],
      );
      const id = Number(b.rows[0]!.id);
      const claimed = await c.query(CLAIM, [runId, fromHop, toHop, pax, id]);
      if (claimed.rowCount === pax * (toHop - fromHop)) {
        await c.query('commit');
        return { ok: true, bookingId: id };
      }
      await c.query('rollback');
    } catch (err) {
      await c.query('rollback').catch(() => undefined);
      throw err;
    }
  }
  return { ok: false, reason: 'no seats' };
}

async function confirm(c: PoolClient, runId: number, bookingId: number, hopRows: number): Promise<boolean> {
  await c.query('begin');
  try {
    const sold = await c.query('update baseline.berth_hop set state = 2 where run_id = $1 and booking_id = $2 and state = 1', [runId, bookingId]);
    const b = await c.query("update baseline.bookings set status = 'confirmed' where id = $1 and status = 'held'", [bookingId]);
    if (sold.rowCount !== hopRows || b.rowCount !== 1) {
      await c.query('rollback');
      return false;
    }
    await c.query("insert into baseline.payments (booking_id, amount_paise, card_last4) values ($1, $2, '1111')", [bookingId, 50_000 + hopRows * 100]);
    await c.query('commit');
    return true;
  } catch (err) {
    await c.query('rollback').catch(() => undefined);
    throw err;
  }
}

export interface BaselineLevel {
  name: string;
  kind: 'hold' | 'e2e';
  clients: number;
  rate: number | null;
  runId: number;
  sent: number;
  holds: number;
  confirmed: number;
  noSeats: number;
  errors: number;
  firstErrors: string[];
  elapsedSeconds: number;
  holdsPerSecond: number;
  confirmedPerSecond: number;
  steadyPerSecond: number;
  latency: { hold: Pct; confirm: Pct | null; total: Pct | null };
  checks: BaselineChecks;
}

export interface BaselineChecks {
  /** Bookings held or confirmed = hold commits seen by the client. */
  bookingRows: number;
  confirmedRows: number;
  paymentRows: number;
  /** Hop rows not free = Σ passengers × hops over the bookings (each sold or held exactly once). */
  claimedHopRows: number;
  expectedHopRows: number;
  ok: boolean;
}

/**
 * One level of the baseline: `clients` closed-loop clients (or an open loop at `rate`/s,
 * latency from the scheduled send), each doing a hold and, for e2e, its confirm.
 */
export async function runBaselineLevel(o: {
  name: string;
  kind: 'hold' | 'e2e';
  clients: number;
  rate?: number;
  requests: number;
  maxSeconds: number;
  databaseUrl: string;
  target: Target;
  makeBody: () => BookingBody;
  runId: number;
}): Promise<BaselineLevel> {
  const seqOf = new Map(o.target.stops.map((s, i) => [s.code, i]));
  // One connection per client, as a pooled app server would use at this concurrency (capped: the
  // Postgres server is shared with the stack and with other people's tests).
  const pool = new Pool({ connectionString: o.databaseUrl, max: Math.min(o.clients, 50), application_name: 'railbook-bench-baseline' });
  pool.on('error', () => undefined);
  const holdMs: number[] = [];
  const confirmMs: number[] = [];
  const totalMs: number[] = [];
  const ends: number[] = [];
  let issued = 0;
  let holds = 0;
  let confirmed = 0;
  let noSeats = 0;
  let errors = 0;
  const firstErrors: string[] = [];
  const t0 = performance.now();
  const deadline = t0 + o.maxSeconds * 1000;
  const client = async () => {
    for (;;) {
      if (issued >= o.requests || performance.now() >= deadline) return;
      const seq = issued++;
      let start = performance.now();
      if (o.rate) {
        start = t0 + (seq / o.rate) * 1000;
        if (start > performance.now()) await new Promise((r) => setTimeout(r, start - performance.now()));
      }
      const body = o.makeBody();
      const fromHop = seqOf.get(body.from)!;
      const toHop = seqOf.get(body.to)!;
      const pax = body.passengers.length;
      try {
        const c = await pool.connect();
        try {
          const h = await hold(c, o.runId, fromHop, toHop, pax);
          const afterHold = performance.now();
          holdMs.push(afterHold - start);
          if (!h.ok) {
            noSeats += 1;
          } else {
            holds += 1;
            if (o.kind === 'e2e') {
              if (await confirm(c, o.runId, h.bookingId, pax * (toHop - fromHop))) {
                confirmed += 1;
                confirmMs.push(performance.now() - afterHold);
              } else {
                errors += 1;
                if (firstErrors.length < 10) firstErrors.push(`confirm of booking ${h.bookingId} changed nothing`);
              }
            }
          }
        } finally {
          c.release();
        }
      } catch (err) {
        errors += 1;
        if (firstErrors.length < 10) firstErrors.push((err as Error).message);
      }
      const end = performance.now();
      totalMs.push(end - start);
      ends.push(end);
    }
  };
  await Promise.all(Array.from({ length: o.clients }, () => client()));
  const elapsed = (performance.now() - t0) / 1000;
  await pool.end().catch(() => undefined);
  return {
    name: o.name,
    kind: o.kind,
    clients: o.clients,
    rate: o.rate ?? null,
    runId: o.runId,
    sent: issued,
    holds,
    confirmed,
    noSeats,
    errors,
    firstErrors,
    elapsedSeconds: elapsed,
    holdsPerSecond: holds / elapsed,
    confirmedPerSecond: confirmed / elapsed,
    steadyPerSecond: steadyRate(ends),
    latency: {
      hold: percentiles(holdMs),
      confirm: o.kind === 'e2e' ? percentiles(confirmMs) : null,
      total: o.kind === 'e2e' ? percentiles(totalMs) : null,
    },
    checks: { bookingRows: 0, confirmedRows: 0, paymentRows: 0, claimedHopRows: 0, expectedHopRows: 0, ok: false },
  };
}

/** What Postgres holds for the run, against what the clients were told. */
export async function checkBaseline(pool: Pool, level: BaselineLevel): Promise<BaselineChecks> {
  const r = await pool.query<{ bookings: number; confirmed: number; payments: number; expected: number; claimed: number; bad: number }>(
    `select
       (select count(*)::int from baseline.bookings where run_id = $1) as bookings,
       (select count(*)::int from baseline.bookings where run_id = $1 and status = 'confirmed') as confirmed,
       (select count(*)::int from baseline.payments p join baseline.bookings b on b.id = p.booking_id where b.run_id = $1) as payments,
       (select coalesce(sum(passengers * (to_hop - from_hop)), 0)::int from baseline.bookings where run_id = $1) as expected,
       (select count(*)::int from baseline.berth_hop where run_id = $1 and state <> 0) as claimed,
       (select count(*)::int from (
          select b.id from baseline.bookings b left join baseline.berth_hop h on h.run_id = b.run_id and h.booking_id = b.id
           where b.run_id = $1 group by b.id, b.passengers, b.to_hop, b.from_hop, b.status
          having count(h.*) <> b.passengers * (b.to_hop - b.from_hop)
              or count(h.*) filter (where h.state = 2) <> case when b.status = 'confirmed' then count(h.*) else 0 end) x) as bad`,
    [level.runId],
  );
  const x = r.rows[0]!;
  return {
    bookingRows: x.bookings,
    confirmedRows: x.confirmed,
    paymentRows: x.payments,
    claimedHopRows: x.claimed,
    expectedHopRows: x.expected,
    ok:
      x.bad === 0 &&
      x.bookings === level.holds &&
      x.confirmed === level.confirmed &&
      x.payments === level.confirmed &&
      x.claimed === x.expected &&
      level.errors === 0,
  };
}

export const baselineSummary = (l: BaselineLevel): string =>
  `${l.holds} holds, ${l.confirmed} confirmed, ${l.noSeats} no seats, ${l.errors} errors in ${r1(l.elapsedSeconds)} s: ` +
  `${r1(l.holdsPerSecond)} holds/s, ${r1(l.confirmedPerSecond)} confirmed/s; hold p50 ${r1(l.latency.hold.p50)} / p99 ${r1(l.latency.hold.p99)} ms` +
  (l.latency.confirm ? `, confirm p50 ${r1(l.latency.confirm.p50)} / p99 ${r1(l.latency.confirm.p99)} ms` : '') +
  `; checks ${l.checks.ok ? 'ok' : `NOT OK ${JSON.stringify(l.checks)}`}`;
