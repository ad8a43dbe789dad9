// An e-ticket from the booking's Postgres record: the API's
// GET /bookings/:pnr/ticket.pdf and the ticket email's attachment
// (activities/notifications.ts) both come through here, so they are the same.
//
// The fare breakdown is not recorded per component (the record keeps each
// passenger's total): it is quoted again from the fare rules and the train's
// route, and shown only when that quote adds up to the fare the booking was
// charged; otherwise the ticket shows the total alone.
import type { BookingView } from '../contracts/booking';
import type { Db } from '../db/client';
import { bookingFromRecords } from '../api/services/bookingRecords';
import { JourneyPlanner } from '../api/services/journeys';
import { fareBreakdown, ticketQuota, type FareBreakdown, formatSeatStatus, seatStatusOf } from '../domain/eticket';
import { fareQuote } from '../domain/fares';
import { tatkalFareQuote } from '../domain/tatkal';
import { ticketQrPayload } from '../domain/ticketQr';
import type { ClassCode } from '../domain/types';
import { renderTicketPdf, type TicketDocument } from './pdf';
import { signTicketQr, type TicketKeys } from './signing';

/** Only a confirmed booking is a ticket. */
export const isTicketed = (view: Pick<BookingView, 'status'>) => view.status === 'confirmed';

/** The fare by component, if the fare rules still give the amount the booking was charged. */
export async function recordedFareBreakdown(journeys: JourneyPlanner, view: BookingView): Promise<FareBreakdown | null> {
  try {
    const { train, route } = await journeys.trainInfo(view.trainNumber);
    const from = route.find((s) => s.seq === view.from.seq);
    const to = route.find((s) => s.seq === view.to.seq);
    if (!from || !to) return null;
    const input = {
      classCode: view.classCode as ClassCode,
      distanceKm: to.kmFromOrigin - from.kmFromOrigin,
      superfast: train.superfast,
      passengers: view.passengers.map((p) => ({ age: p.age })),
    };
    // A Tatkal fare carries the Tatkal charge per passenger, which the breakdown shows.
    const quote = view.quota === 'TQ' ? tatkalFareQuote(input) : fareQuote(input);
    return quote.total === view.fareTotal ? fareBreakdown(quote.perPassenger) : null;
  } catch {
    // A train since removed or changed so that no quote can be made: the total alone.
    return null;
  }
}

export async function ticketDocument(journeys: JourneyPlanner, keys: TicketKeys, view: BookingView, now = Date.now()): Promise<TicketDocument> {
  const quota = ticketQuota(view.quota);
  return {
    pnr: view.pnr,
    trainNumber: view.trainNumber,
    trainName: view.trainName,
    runDate: view.runDate,
    classCode: view.classCode,
    quota,
    from: view.from,
    to: view.to,
    passengers: view.passengers.map((p) => ({ name: p.name, age: p.age, gender: p.gender, status: formatSeatStatus(seatStatusOf(p)) })),
    fare: await recordedFareBreakdown(journeys, view),
    fareTotal: view.fareTotal,
    amountPaid: view.amountPaid,
    issuedAt: now,
    qr: signTicketQr(ticketQrPayload({ ...view, quota }, now), keys.current),
  };
}

export interface TicketSource {
  db: Db;
  journeys: JourneyPlanner;
  keys: TicketKeys;
}

/** For a process without the API's services (the worker): its own route cache over the database. */
export function ticketSource(db: Db, keys: TicketKeys, advanceDays: number): TicketSource {
  return { db, keys, journeys: new JourneyPlanner(db, advanceDays) };
}

/** The PDF of a confirmed booking's ticket, from its record; null when there is no record or it is not confirmed. */
export async function ticketPdfFromRecords(src: TicketSource, pnr: string, now = Date.now()): Promise<Buffer | null> {
  const view = await bookingFromRecords(src.db, src.journeys, pnr);
  if (!view || !isTicketed(view)) return null;
  return renderTicketPdf(await ticketDocument(src.journeys, src.keys, view, now));
}
