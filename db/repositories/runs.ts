import { and, eq, inArray, sql } from 'drizzle-orm';
import type { RunBookingRef } from '../../contracts/runs';
import type { DbOrTx } from '../client';
import { bookings, trainRuns, users, type Booking, type TrainRun } from '../schema';

export async function findRun(db: DbOrTx, trainNumber: string, runDate: string): Promise<TrainRun | undefined> {
  const [row] = await db.select().from(trainRuns).where(and(eq(trainRuns.trainNumber, trainNumber), eq(trainRuns.runDate, runDate)));
  return row;
}

/** Opens (or re-opens) a run for booking; returns it. */
export async function openRun(db: DbOrTx, trainNumber: string, runDate: string): Promise<TrainRun> {
  const [row] = await db
    .insert(trainRuns)
    .values({ trainNumber, runDate, status: 'open' })
    .onConflictDoUpdate({ target: [trainRuns.trainNumber, trainRuns.runDate], set: { status: 'open' } })
    .returning();
  if (!row) throw new Error('run upsert returned no row');
  return row;
}

export async function setRunDelay(db: DbOrTx, trainNumber: string, runDate: string, delayMin: number): Promise<TrainRun> {
  const [row] = await db
    .insert(trainRuns)
    .values({ trainNumber, runDate, delayMin })
    .onConflictDoUpdate({ target: [trainRuns.trainNumber, trainRuns.runDate], set: { delayMin } })
    .returning();
  if (!row) throw new Error('run upsert returned no row');
  return row;
}

export async function cancelRun(db: DbOrTx, trainNumber: string, runDate: string): Promise<{ run: TrainRun; changed: boolean }> {
  const before = await findRun(db, trainNumber, runDate);
  const [row] = await db
    .insert(trainRuns)
    .values({ trainNumber, runDate, status: 'cancelled' })
    .onConflictDoUpdate({ target: [trainRuns.trainNumber, trainRuns.runDate], set: { status: 'cancelled' } })
    .returning();
  if (!row) throw new Error('run upsert returned no row');
  return { run: row, changed: before?.status !== 'cancelled' };
}

export async function listRunBookings(db: DbOrTx, trainNumber: string, runDate: string, statuses: string[]): Promise<RunBookingRef[]> {
  return db
    .select({
      pnr: bookings.pnr,
      userId: bookings.userId,
      email: users.email,
      name: users.name,
      fromStation: bookings.fromStation,
      toStation: bookings.toStation,
      status: bookings.status,
    })
    .from(bookings)
    .innerJoin(trainRuns, eq(trainRuns.id, bookings.runId))
    .innerJoin(users, eq(users.id, bookings.userId))
    .where(
      and(
        eq(trainRuns.trainNumber, trainNumber),
        eq(trainRuns.runDate, runDate),
        inArray(bookings.status, statuses as Booking['status'][]),
      ),
    )
    .orderBy(sql`${bookings.pnr}`);
}

/** Bookings still alive on runs of this train from `fromDate` on (changing its stops would corrupt them). */
export async function activeBookingsOfTrain(db: DbOrTx, trainNumber: string, fromDate: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(bookings)
    .innerJoin(trainRuns, eq(trainRuns.id, bookings.runId))
    .where(
      and(
        eq(trainRuns.trainNumber, trainNumber),
        sql`${trainRuns.runDate} >= ${fromDate}`,
        inArray(bookings.status, ['held', 'payment_pending', 'confirmed']),
      ),
    );
  return row?.n ?? 0;
}
