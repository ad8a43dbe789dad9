// A booking as its Postgres records show it, for GET /bookings/:pnr while
// Temporal is down. The records are written by the booking's actor at each
// step (held, confirmed, cancelled…), so they may lag the actor by a moment:
// the answer is marked stale. What only the actor knows (payment attempts,
// last error, emails sent, the step history) is left at its neutral value.
import { eq } from 'drizzle-orm';
import { ticketStatusOfLabels, type BookingStatus, type BookingView } from '../../contracts';
import type { Db } from '../../db/client';
import { findBooking } from '../../db/repositories/bookings';
import { trainRuns } from '../../db/schema';
import { localDateTime } from '../../domain/calendar';
import { isRailQuota } from '../../domain/railwayRules';
import type { JourneyPlanner } from './journeys';

export async function bookingFromRecords(db: Db, journeys: JourneyPlanner, pnr: string): Promise<BookingView | null> {
  const row = await findBooking(db, pnr);
  if (!row) return null;
  const [run] = await db.select({ trainNumber: trainRuns.trainNumber, runDate: trainRuns.runDate }).from(trainRuns).where(eq(trainRuns.id, row.runId));
  if (!run) return null;
  const { train, route } = await journeys.trainInfo(run.trainNumber);
  const stop = (seq: number, code: string, leaving: boolean) => {
    const s = route.find((r) => r.seq === seq);
    const day = (leaving ? s?.departureDay : s?.arrivalDay) ?? 0;
    const min = (leaving ? s?.departureMin : s?.arrivalMin) ?? 0;
    return { code, name: s?.stationName ?? code, seq, time: localDateTime(run.runDate, day, min) };
  };
  // A hold nobody acted on has no actor to record its end: past its deadline it is expired (the inventory marks it so shortly).
  const status: BookingStatus = row.status === 'held' && row.holdExpiresAt && row.holdExpiresAt.getTime() <= Date.now() ? 'expired' : (row.status as BookingStatus);
  return {
    pnr: row.pnr,
    status,
    userId: row.userId,
    trainNumber: run.trainNumber,
    trainName: train.name,
    runDate: run.runDate,
    classCode: row.classCode,
    quota: isRailQuota(row.quota) ? row.quota : 'GN',
    from: stop(row.fromSeq, row.fromStation, true),
    to: stop(row.toSeq, row.toStation, false),
    passengers: row.passengers.map((p) => ({
      name: p.name,
      age: p.age,
      gender: p.gender as 'M' | 'F' | 'T',
      ...(p.berthPreference ? { preference: p.berthPreference } : {}),
      coach: p.coach,
      berthNo: p.berthNo,
      berthType: p.berthType,
      currentStatus: p.currentStatus ?? 'CNF',
      bookingStatus: p.bookingStatus ?? p.currentStatus ?? 'CNF',
    })),
    ticketStatus: ticketStatusOfLabels(row.passengers.map((p) => p.currentStatus)),
    fareTotal: row.fareTotal,
    amountPaid: row.amountPaid,
    amountRefunded: row.amountRefunded,
    holdExpiresAt: status === 'held' && row.holdExpiresAt ? row.holdExpiresAt.getTime() : null,
    paymentAttempts: 0,
    lastError: null,
    ticketSent: false,
    ticketDelivery: 'pending',
    reminderSent: false,
    refundOwed: 0,
    attention: [],
    history: [{ at: row.updatedAt.getTime(), event: status, detail: 'from the booking records' }],
  };
}
