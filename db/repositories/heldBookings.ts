// The held record of a booking: its row, passengers and berths (status
// 'held'), an audit entry, and the booking actor's input kept with the PNR.
// Written by the API in the hold request, since a booking has no actor until
// it is paid, cancelled or acted on (docs/architecture.md, "Booking actors
// start on the first message"); written by the actor itself for bookings held
// before that change. Idempotent by PNR.
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { BookingInput } from '../../contracts/booking';
import type { Db, DbOrTx } from '../client';
import { auditLog, bookings, pnrs } from '../schema';
import { ensureTrainRun, insertHeldBooking } from './bookings';

/**
 * Returns the input kept: the first one written for the PNR (a retry of the
 * hold request, same PNR, keeps the first attempt's record and deadline).
 */
export async function recordHeldBooking(db: Db, input: BookingInput, opts: { keepInput: boolean }): Promise<BookingInput> {
  return db.transaction(async (tx) => {
    const runId = await ensureTrainRun(tx, input.trainNumber, input.runDate);
    await insertHeldBooking(tx, {
      pnr: input.pnr,
      userId: input.userId,
      runId,
      classCode: input.classCode,
      fromSeq: input.from.seq,
      toSeq: input.to.seq,
      fromStation: input.from.code,
      toStation: input.to.code,
      fareTotal: input.fare.total,
      holdExpiresAt: new Date(input.holdExpiresAt),
      workflowId: `booking-${input.pnr}`,
      passengers: input.passengers.map((p, i) => {
        const seat = input.seats.find((s) => s.passengerIndex === i);
        return {
          name: p.name,
          age: p.age,
          gender: p.gender,
          berthPreference: p.preference ?? null,
          coach: seat?.coach ?? null,
          berthNo: seat?.berthNo ?? null,
          berthType: seat?.type ?? null,
          fare: input.fare.perPassenger[i]?.total ?? 0,
        };
      }),
    });
    await tx.insert(auditLog).values({ actor: `user:${input.userId}`, action: 'booking.held', entity: `booking:${input.pnr}` });
    if (!opts.keepInput) return input;
    const [kept] = await tx.update(pnrs).set({ booking: input }).where(and(eq(pnrs.pnr, input.pnr), isNull(pnrs.booking))).returning({ pnr: pnrs.pnr });
    if (kept) return input;
    const [first] = await tx.select({ booking: pnrs.booking }).from(pnrs).where(eq(pnrs.pnr, input.pnr));
    return (first?.booking as BookingInput | null) ?? input;
  });
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
