// How a booking actor is started, and what a booking looks like before its
// actor has run. Shared by the inventory's start activity and the API, which
// both may start the same actor: the workflow ID makes the second start a no-op.
import { passengersWithBerths, ticketStatusOf, type BookingInput, type BookingView } from './booking';
import { SA } from './searchAttributeKeys';
import { bookingWorkflowId } from './workflowIds';

export function bookingStartOptions(input: BookingInput, taskQueue: string) {
  return {
    workflowId: bookingWorkflowId(input.pnr),
    taskQueue,
    args: [input] as [BookingInput],
    // A PNR names one booking forever: never a second actor, even after the first ended.
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    typedSearchAttributes: [
      { key: SA.Pnr, value: input.pnr },
      { key: SA.BookingStatus, value: 'held' },
      { key: SA.TrainNumber, value: input.trainNumber },
      { key: SA.TravelDate, value: input.runDate },
      { key: SA.UserId, value: String(input.userId) },
      { key: SA.TravelClass, value: input.classCode },
      // Only on bookings with RAC or waitlisted passengers: support filters on TicketStatus = 'WL'.
      ...(input.statuses ? [{ key: SA.TicketStatus, value: ticketStatusOf(input.statuses) }] : []),
    ],
    staticSummary: `PNR ${input.pnr} · ${input.trainNumber} ${input.from.code}→${input.to.code} · ${input.from.time.slice(0, 10)} · ${input.classCode} · ${input.passengers.length} pax`,
    staticDetails: input.passengers.map((p, i) => `${i + 1}. ${p.name} (${p.age}${p.gender})`).join('\n'),
  };
}

/** A held booking as its actor will first show it. */
export function heldBookingView(input: BookingInput, heldAt: number): BookingView {
  return {
    pnr: input.pnr,
    status: 'held',
    userId: input.userId,
    trainNumber: input.trainNumber,
    trainName: input.trainName,
    runDate: input.runDate,
    classCode: input.classCode,
    quota: input.quota ?? 'GN',
    from: input.from,
    to: input.to,
    passengers: passengersWithBerths(input.passengers, input.seats, input.statuses),
    ticketStatus: ticketStatusOf(input.statuses),
    fareTotal: input.fare.total,
    amountPaid: 0,
    amountRefunded: 0,
    holdExpiresAt: input.holdExpiresAt,
    paymentAttempts: 0,
    lastError: null,
    ticketSent: false,
    ticketDelivery: 'pending',
    reminderSent: false,
    refundOwed: 0,
    attention: [],
    history: [{ at: heldAt, event: 'held', detail: `${input.seats.length} berth(s)` }],
  };
}
