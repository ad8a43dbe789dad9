// Reads an inventory actor needs from the final records: when its train
// leaves the last stop where anyone can board, and every sale and recorded
// hold of its run and class (to rebuild its state after a terminated actor).
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../client';

export interface LastBoarding {
  /** Day offset from the run date and minute of day of the departure from the second-to-last stop. */
  departureDay: number;
  departureMin: number;
  /** The run's reported delay (0 when none or no run row yet). */
  delayMin: number;
}

/** The departure from the second-to-last stop (the last one where anyone can board); undefined without a route. */
export async function lastBoardingDeparture(db: DbOrTx, trainNumber: string, runDate: string): Promise<LastBoarding | undefined> {
  const { rows } = await db.execute<{ departure_day: number | null; departure_min: number | null; delay_min: number | null }>(sql`
    select s.departure_day, s.departure_min,
           (select r.delay_min from train_runs r where r.train_number = ${trainNumber} and r.run_date = ${runDate}) as delay_min
    from train_stops s
    where s.train_number = ${trainNumber} and s.departure_min is not null
    order by s.seq desc
    limit 1`);
  const row = rows[0];
  if (!row || row.departure_day === null || row.departure_min === null) return undefined;
  return { departureDay: row.departure_day, departureMin: row.departure_min, delayMin: row.delay_min ?? 0 };
}

/** The train's scheduled departure from its origin (the first stop with a departure), for the chart time. */
export async function originDeparture(db: DbOrTx, trainNumber: string): Promise<{ departureDay: number; departureMin: number } | undefined> {
  const { rows } = await db.execute<{ departure_day: number | null; departure_min: number | null }>(sql`
    select s.departure_day, s.departure_min from train_stops s
    where s.train_number = ${trainNumber} and s.departure_min is not null
    order by s.seq asc
    limit 1`);
  const row = rows[0];
  if (!row || row.departure_day === null || row.departure_min === null) return undefined;
  return { departureDay: row.departure_day, departureMin: row.departure_min };
}

export interface PersistedSeatRow {
  pnr: string;
  status: 'sold' | 'held';
  fromSeq: number;
  toSeq: number;
  /** Epoch ms of the booking's hold deadline; null for a sale. */
  holdExpiresAt: number | null;
  passengerIdx: number;
  coach: string | null;
  berthNo: number | null;
}

/**
 * One row per passenger seat of the run and class: confirmed allocations
 * (seat_allocations, status confirmed) and the passengers of live holds
 * (bookings in held or payment_pending; coach/berth null if never recorded).
 */
export async function persistedSeats(db: DbOrTx, trainNumber: string, runDate: string, classCode: string): Promise<PersistedSeatRow[]> {
  const { rows } = await db.execute<{
    pnr: string;
    status: 'sold' | 'held';
    from_seq: number;
    to_seq: number;
    hold_expires_ms: string | null;
    passenger_idx: number;
    coach: string | null;
    berth_no: number | null;
  }>(sql`
    with run as (select id from train_runs where train_number = ${trainNumber} and run_date = ${runDate})
    select a.pnr, 'sold' as status, a.from_seq, a.to_seq, null::text as hold_expires_ms, a.passenger_idx, a.coach, a.berth_no
    from seat_allocations a
    where a.run_id = (select id from run) and a.class_code = ${classCode} and a.status = 'confirmed'
    union all
    select b.pnr, 'held', b.from_seq, b.to_seq, (extract(epoch from b.hold_expires_at) * 1000)::bigint::text, p.idx, p.coach, p.berth_no
    from bookings b
    join passengers p on p.pnr = b.pnr
    where b.run_id = (select id from run) and b.class_code = ${classCode} and b.status in ('held', 'payment_pending')
    order by 1, 6`);
  return rows.map((r) => ({
    pnr: r.pnr,
    status: r.status,
    fromSeq: r.from_seq,
    toSeq: r.to_seq,
    holdExpiresAt: r.hold_expires_ms === null ? null : Number(r.hold_expires_ms),
    passengerIdx: r.passenger_idx,
    coach: r.coach,
    berthNo: r.berth_no,
  }));
}

export interface PersistedWaitingRow {
  pnr: string;
  status: 'sold' | 'held';
  quota: string;
  fromSeq: number;
  toSeq: number;
  holdExpiresAt: number | null;
  passengers: { idx: number; name: string; age: number; gender: string; preference: string | null; current: string | null; booked: string | null }[];
}

/**
 * Bookings of the run and class with an RAC or waitlisted passenger (passengers.current_status), paid or on a live
 * hold, in booking order, with every passenger's recorded statuses: the waiting lists, for an actor rebuilt after
 * a terminated one.
 */
export async function persistedWaiting(db: DbOrTx, trainNumber: string, runDate: string, classCode: string): Promise<PersistedWaitingRow[]> {
  const { rows } = await db.execute<{
    pnr: string;
    status: string;
    quota: string;
    from_seq: number;
    to_seq: number;
    hold_expires_ms: string | null;
    passengers: PersistedWaitingRow['passengers'];
  }>(sql`
    select b.pnr, b.status, b.quota, b.from_seq, b.to_seq, (extract(epoch from b.hold_expires_at) * 1000)::bigint::text as hold_expires_ms,
           json_agg(json_build_object('idx', p.idx, 'name', p.name, 'age', p.age, 'gender', p.gender, 'preference', p.berth_preference,
                                      'current', p.current_status, 'booked', p.booking_status) order by p.idx) as passengers
    from bookings b
    join train_runs r on r.id = b.run_id
    join passengers p on p.pnr = b.pnr
    where r.train_number = ${trainNumber} and r.run_date = ${runDate} and b.class_code = ${classCode}
      and b.status in ('confirmed', 'held', 'payment_pending')
    group by b.pnr
    having bool_or(p.current_status ~ '^(RAC|[A-Z]{2}WL) [0-9]+$')
    order by min(b.created_at), b.pnr`);
  return rows.map((r) => ({
    pnr: r.pnr,
    status: r.status === 'confirmed' ? 'sold' : 'held',
    quota: r.quota,
    fromSeq: r.from_seq,
    toSeq: r.to_seq,
    holdExpiresAt: r.hold_expires_ms === null ? null : Number(r.hold_expires_ms),
    passengers: r.passengers,
  }));
}

/** True when the audit log already has this action for this entity (makes a retried final write idempotent). */
export async function hasAuditEntry(db: DbOrTx, entity: string, action: string): Promise<boolean> {
  const { rows } = await db.execute<{ found: boolean }>(
    sql`select exists (select 1 from audit_log where entity = ${entity} and action = ${action}) as found`,
  );
  return rows[0]?.found === true;
}
