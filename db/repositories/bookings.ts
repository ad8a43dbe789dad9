import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client';
import { bookings, passengers, seatAllocations, trainRuns, type Booking, type Passenger } from '../schema';

/** The run row of a train on a date, created the first time anyone books it. */
export async function ensureTrainRun(db: DbOrTx, trainNumber: string, runDate: string): Promise<number> {
  const [inserted] = await db
    .insert(trainRuns)
    .values({ trainNumber, runDate })
    .onConflictDoNothing()
    .returning({ id: trainRuns.id });
  if (inserted) return inserted.id;
  const [row] = await db
    .select({ id: trainRuns.id })
    .from(trainRuns)
    .where(and(eq(trainRuns.trainNumber, trainNumber), eq(trainRuns.runDate, runDate)));
  if (!row) throw new Error(`train run ${trainNumber} ${runDate} vanished`);
  return row.id;
}

export async function setBookingStatus(
  db: DbOrTx,
  pnr: string,
  status: Booking['status'],
  extra: Partial<Pick<Booking, 'holdExpiresAt' | 'amountPaid' | 'amountRefunded'>> = {},
): Promise<void> {
  await db
    .update(bookings)
    .set({ status, ...extra, updatedAt: sql`now()` })
    .where(eq(bookings.pnr, pnr));
}

export async function setRefundedAmount(db: DbOrTx, pnr: string, amountRefunded: number): Promise<void> {
  await db.update(bookings).set({ amountRefunded, updatedAt: sql`now()` }).where(eq(bookings.pnr, pnr));
}

export interface SeatRow {
  passengerIdx: number;
  coach: string;
  berthNo: number;
  berthType: NonNullable<Passenger['berthType']>;
}

/** Writes the final seat records of a confirmed booking; safe to repeat. */
/** Each passenger's status label now (CNF, RAC 2, GNWL 5), in passenger order; the status at booking is kept. */
export async function setPassengerStatuses(db: DbOrTx, pnr: string, statuses: readonly string[]): Promise<void> {
  if (statuses.length === 0) return;
  await db.execute(sql`
    UPDATE passengers p SET current_status = x.status, booking_status = coalesce(p.booking_status, x.status)
    FROM jsonb_to_recordset(${JSON.stringify(statuses.map((status, idx) => ({ idx, status })))}::jsonb) AS x(idx smallint, status text)
    WHERE p.pnr = ${pnr} AND p.idx = x.idx`);
}

export async function insertConfirmedSeats(
  db: DbOrTx,
  b: { pnr: string; runId: number; classCode: string; fromSeq: number; toSeq: number; seats: SeatRow[] },
): Promise<void> {
  // A booking whose passengers are all RAC or waitlisted has no berth to record.
  if (b.seats.length === 0) return;
  for (const s of b.seats) {
    await db
      .update(passengers)
      .set({ coach: s.coach, berthNo: s.berthNo, berthType: s.berthType })
      .where(and(eq(passengers.pnr, b.pnr), eq(passengers.idx, s.passengerIdx)));
  }
  await db
    .insert(seatAllocations)
    .values(
      b.seats.map((s) => ({
        pnr: b.pnr,
        passengerIdx: s.passengerIdx,
        runId: b.runId,
        classCode: b.classCode,
        coach: s.coach,
        berthNo: s.berthNo,
        fromSeq: b.fromSeq,
        toSeq: b.toSeq,
        status: 'confirmed' as const,
      })),
    )
    .onConflictDoNothing({
      target: [seatAllocations.pnr, seatAllocations.passengerIdx, seatAllocations.coach, seatAllocations.berthNo, seatAllocations.fromSeq],
    });
}

export async function cancelSeats(db: DbOrTx, pnr: string): Promise<void> {
  await db.update(seatAllocations).set({ status: 'cancelled' }).where(eq(seatAllocations.pnr, pnr));
}

/** Partial cancellation: these passengers' berths are no longer sold, and they read CAN. */
export async function cancelPassengers(db: DbOrTx, pnr: string, passengerIndexes: readonly number[]): Promise<void> {
  if (passengerIndexes.length === 0) return;
  await db
    .update(seatAllocations)
    .set({ status: 'cancelled' })
    .where(and(eq(seatAllocations.pnr, pnr), inArray(seatAllocations.passengerIdx, [...passengerIndexes])));
  await db
    .update(passengers)
    .set({ currentStatus: 'CAN', bookingStatus: sql`coalesce(${passengers.bookingStatus}, ${passengers.currentStatus}, 'CNF')` })
    .where(and(eq(passengers.pnr, pnr), inArray(passengers.idx, [...passengerIndexes])));
}

export async function findBooking(db: DbOrTx, pnr: string): Promise<(Booking & { passengers: Passenger[] }) | undefined> {
  const [row] = await db.select().from(bookings).where(eq(bookings.pnr, pnr));
  if (!row) return undefined;
  const pax = await db.select().from(passengers).where(eq(passengers.pnr, pnr)).orderBy(passengers.idx);
  return { ...row, passengers: pax };
}

export async function listUserBookings(db: DbOrTx, userId: number, limit: number, offset: number) {
  return db
    .select({
      pnr: bookings.pnr,
      status: bookings.status,
      trainNumber: trainRuns.trainNumber,
      runDate: trainRuns.runDate,
      classCode: bookings.classCode,
      fromStation: bookings.fromStation,
      toStation: bookings.toStation,
      fareTotal: bookings.fareTotal,
      amountPaid: bookings.amountPaid,
      amountRefunded: bookings.amountRefunded,
      createdAt: bookings.createdAt,
    })
    .from(bookings)
    .innerJoin(trainRuns, eq(trainRuns.id, bookings.runId))
    .where(eq(bookings.userId, userId))
    .orderBy(desc(bookings.createdAt), desc(bookings.pnr))
    .limit(limit)
    .offset(offset);
}

export async function runIdOf(db: DbOrTx, pnr: string): Promise<number> {
  const [row] = await db.select({ runId: bookings.runId }).from(bookings).where(eq(bookings.pnr, pnr));
  if (!row) throw new Error(`booking ${pnr} not recorded`);
  return row.runId;
}
