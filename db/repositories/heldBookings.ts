// The held record of a booking: its row, passengers and berths (status
// 'held'), an audit entry, and the booking actor's input kept with the PNR.
// Written by the API in the hold request, since a booking has no actor until
// it is paid, cancelled or acted on (docs/architecture.md, "Booking actors
// start on the first message"); written by the actor itself for bookings held
// before that change. Idempotent by PNR.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { BookingInput } from '../../contracts/booking';
import type { Db, DbOrTx } from '../client';
import { pgCode } from '../errors';
import { auditLog, bookings, pnrs } from '../schema';
import { ensureTrainRun } from './bookings';
import { railStatusLabel } from '../../domain/railInventory';

/**
 * Returns the input kept: the first one written for the PNR (a retry of the
 * hold request, same PNR, keeps the first attempt's record and deadline).
 *
 * One statement, committed on its own: the hold request waits for it before
 * its 201, and a transaction of six statements kept a pooled connection for
 * six round trips (answered holds/s at 50 clients fell from 227 to 130 when
 * the API began writing this record; bench/README.md). Nothing is written
 * when the booking's row exists (a retry), as before. The run's id comes from
 * a per-process cache (runs are created once and never renumbered); a run
 * deleted since (its train removed) is looked up again.
 */
export async function recordHeldBooking(db: Db, input: BookingInput, opts: { keepInput: boolean }): Promise<BookingInput> {
  try {
    return await writeHeld(db, input, await runId(db, input.trainNumber, input.runDate), opts.keepInput);
  } catch (err) {
    if (pgCode(err) !== '23503') throw err; // a foreign key: the cached run is gone
    runIds.delete(runKey(input.trainNumber, input.runDate));
    return writeHeld(db, input, await runId(db, input.trainNumber, input.runDate), opts.keepInput);
  }
}

const runIds = new Map<string, number>();
const RUN_ID_CACHE_MAX = 10_000;
const runKey = (trainNumber: string, runDate: string) => `${trainNumber}|${runDate}`;

async function runId(db: Db, trainNumber: string, runDate: string): Promise<number> {
  const key = runKey(trainNumber, runDate);
  const cached = runIds.get(key);
  if (cached !== undefined) return cached;
  const id = await ensureTrainRun(db, trainNumber, runDate);
  if (runIds.size >= RUN_ID_CACHE_MAX) runIds.clear();
  runIds.set(key, id);
  return id;
}

async function writeHeld(db: Db, input: BookingInput, run: number, keepInput: boolean): Promise<BookingInput> {
  const pax = input.passengers.map((p, i) => {
    const seat = input.seats.find((s) => s.passengerIndex === i);
    return {
      idx: i,
      name: p.name,
      age: p.age,
      gender: p.gender,
      berth_preference: p.preference ?? null,
      coach: seat?.coach ?? null,
      berth_no: seat?.berthNo ?? null,
      berth_type: seat?.type ?? null,
      fare: input.fare.perPassenger[i]?.total ?? 0,
      status: input.statuses?.[i] ? railStatusLabel(input.statuses[i]) : null,
    };
  });
  // The passengers and the audit entry hang off the booking's insert, so a retry (row already there) writes neither.
  const result = await db.execute<{ kept: boolean; first: BookingInput | null }>(sql`
    WITH b AS (
      INSERT INTO bookings (pnr, user_id, run_id, class_code, quota, from_seq, to_seq, from_station, to_station, status,
                            fare_total, hold_expires_at, workflow_id)
      VALUES (${input.pnr}, ${input.userId}, ${run}, ${input.classCode}, ${input.quota ?? 'GN'}, ${input.from.seq}, ${input.to.seq},
              ${input.from.code}, ${input.to.code}, 'held', ${input.fare.total}, ${new Date(input.holdExpiresAt).toISOString()}::timestamptz,
              ${`booking-${input.pnr}`})
      ON CONFLICT DO NOTHING
      RETURNING pnr
    ), p AS (
      INSERT INTO passengers (pnr, idx, name, age, gender, berth_preference, coach, berth_no, berth_type, fare, current_status, booking_status)
      SELECT b.pnr, x.idx, x.name, x.age, x.gender, x.berth_preference, x.coach, x.berth_no, x.berth_type, x.fare, x.status, x.status
      FROM b, jsonb_to_recordset(${JSON.stringify(pax)}::jsonb) AS x(idx smallint, name text, age smallint, gender text,
           berth_preference berth_type, coach text, berth_no smallint, berth_type berth_type, fare integer, status text)
    ), a AS (
      INSERT INTO audit_log (actor, action, entity)
      SELECT ${`user:${input.userId}`}, 'booking.held', ${`booking:${input.pnr}`} FROM b
    ), k AS (
      UPDATE pnrs SET booking = ${JSON.stringify(input)}::jsonb
      WHERE ${keepInput} AND pnr = ${input.pnr} AND booking IS NULL
      RETURNING pnr
    )
    SELECT EXISTS (SELECT 1 FROM k) AS kept, (SELECT booking FROM pnrs WHERE pnr = ${input.pnr}) AS first`);
  const row = result.rows[0];
  if (!keepInput || row?.kept) return input;
  if (row?.first) return row.first;
  // Kept by a concurrent attempt that committed after this statement's snapshot: read it now.
  const [first] = await db.select({ booking: pnrs.booking }).from(pnrs).where(eq(pnrs.pnr, input.pnr));
  return (first?.booking as BookingInput | null) ?? input;
}

export interface BookingStartInfo {
  inventoryWorkflowId: string;
  userId: number;
  /** The actor's input, for PNRs held since inputs are kept here. */
  input: BookingInput | null;
  /** The record's status and hold deadline; null before the record is written. */
  status: string | null;
  holdExpiresAt: Date | null;
}

/** What it takes to start a booking's actor, and whether its record says it may be: one read. */
export async function findBookingStart(db: DbOrTx, pnr: string): Promise<BookingStartInfo | null> {
  const [row] = await db
    .select({
      inventoryWorkflowId: pnrs.inventoryWorkflowId,
      userId: pnrs.userId,
      input: pnrs.booking,
      status: bookings.status,
      holdExpiresAt: bookings.holdExpiresAt,
    })
    .from(pnrs)
    .leftJoin(bookings, eq(bookings.pnr, pnrs.pnr))
    .where(eq(pnrs.pnr, pnr));
  if (!row) return null;
  return { ...row, input: (row.input as BookingInput | null) ?? null };
}

/**
 * Marks held records whose hold the inventory let expire, unless something
 * else (the booking's actor) has moved them on meanwhile. The inventory's
 * word decides, not the record's deadline: a record written by a retry of the
 * hold request carried a later deadline than the hold (chaos: 77 rows left
 * `held`). Returns how many changed.
 */
export async function markHoldsExpired(db: Db, pnrList: string[]): Promise<number> {
  if (pnrList.length === 0) return 0;
  return db.transaction(async (tx) => {
    const changed = await tx
      .update(bookings)
      .set({ status: 'expired', updatedAt: sql`now()` })
      .where(and(inArray(bookings.pnr, pnrList), eq(bookings.status, 'held')))
      .returning({ pnr: bookings.pnr });
    if (changed.length > 0) {
      await tx.insert(auditLog).values(
        changed.map((c) => ({ actor: 'workflow:inventory', action: 'booking.expired', entity: `booking:${c.pnr}`, details: { by: 'inventory hold timer' } })),
      );
    }
    return changed.length;
  });
}
