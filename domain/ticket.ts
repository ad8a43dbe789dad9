// The texts of booking emails: pure, so workflows can build them and tests can read them.
import type { BookingView } from '../contracts/booking';

export function rupees(paise: number): string {
  return `₹${(paise / 100).toFixed(2)}`;
}

function passengerLines(view: BookingView): string[] {
  return view.passengers.map((p, i) => {
    // RAC and waitlisted passengers have no berth of their own yet: their status says where they stand.
    const where = p.currentStatus && p.currentStatus !== 'CNF' ? p.currentStatus : `${p.coach ?? '-'}/${p.berthNo ?? '-'} ${p.berthType ?? ''}`;
    const booked = p.bookingStatus && p.bookingStatus !== p.currentStatus ? `  (booked ${p.bookingStatus})` : '';
    return `  ${i + 1}. ${p.name} (${p.age}, ${p.gender})  ${where}${booked}`.trimEnd();
  });
}

/** What the traveller is told at booking: confirmed, or RAC / waitlisted with the chart's rule. */
function statusSentence(view: BookingView): string {
  if (view.ticketStatus === 'CNF') return 'Your booking is confirmed.';
  return view.ticketStatus === 'RAC'
    ? 'Your ticket is booked; some passengers are RAC (they share a side-lower berth) and move up as berths free.'
    : 'Your ticket is booked; some passengers are waitlisted and move up as berths free. Passengers still waitlisted when the chart is prepared are cancelled and refunded.';
}

/** Some passengers cancelled: the refund, and who is still booked. */
export function partialCancellationEmail(view: BookingView, who: string, refund: number, rule: string): { subject: string; text: string } {
  return {
    subject: `Partially cancelled PNR ${view.pnr}: ${who}; refund ${rupees(refund)}`,
    text: [
      `On PNR ${view.pnr} (${view.trainNumber} ${view.from.code}→${view.to.code}, ${view.from.time.slice(0, 10)}) you cancelled ${who}.`,
      '',
      `Refund:     ${rupees(refund)}`,
      `Rule:       ${rule}`,
      '',
      'Still booked (CAN: cancelled):',
      ...passengerLines(view),
    ].join('\n'),
  };
}

/** A paid booking's passengers moved up: the new statuses. */
export function statusChangeEmail(view: BookingView): { subject: string; text: string } {
  const now = view.passengers.map((p) => p.currentStatus).join(', ');
  return {
    subject: `Status update PNR ${view.pnr}: ${now}`,
    text: [
      `Good news: passengers on PNR ${view.pnr} (${view.trainNumber} ${view.from.code}→${view.to.code}, ${view.from.time.slice(0, 10)}) have moved up.`,
      '',
      'Passengers (status now):',
      ...passengerLines(view),
      '',
      statusSentence(view),
    ].join('\n'),
  };
}

/**
 * The chart is prepared: every passenger's final status. `dropped` names passengers the chart took off the
 * waitlist (refunded less clerkage), empty when none were.
 */
export function chartEmail(view: BookingView, dropped: string, refund: number, rule: string): { subject: string; text: string } {
  const now = view.passengers.map((p) => p.currentStatus).join(', ');
  const lines = [
    `The chart of ${view.trainNumber} ${view.from.code}→${view.to.code} on ${view.from.time.slice(0, 10)} is prepared. Final status of PNR ${view.pnr}:`,
    '',
    ...passengerLines(view),
  ];
  if (dropped !== '') {
    lines.push('', `Still waitlisted when the chart was prepared, so cancelled: ${dropped}.`, `Refund:     ${rupees(refund)}`, `Rule:       ${rule}`);
  }
  if (view.status !== 'cancelled') lines.push('', statusSentence(view));
  return { subject: `Chart prepared PNR ${view.pnr}: ${now}`, text: lines.join('\n') };
}

export function ticketEmail(view: BookingView): { subject: string; text: string } {
  return {
    subject: `Ticket PNR ${view.pnr}: ${view.trainNumber} ${view.from.code}→${view.to.code} on ${view.from.time.slice(0, 10)}`,
    text: [
      statusSentence(view),
      '',
      `PNR:        ${view.pnr}`,
      `Train:      ${view.trainNumber} ${view.trainName}`,
      `Class:      ${view.classCode}`,
      `From:       ${view.from.name} (${view.from.code}) departs ${view.from.time}`,
      `To:         ${view.to.name} (${view.to.code}) arrives ${view.to.time}`,
      `Run date:   ${view.runDate}`,
      '',
      'Passengers (coach/berth or status):',
      ...passengerLines(view),
      '',
      `Fare paid:  ${rupees(view.amountPaid)}`,
      '',
      'Happy journey!',
    ].join('\n'),
  };
}

export function cancellationEmail(view: BookingView, rule: string): { subject: string; text: string } {
  return {
    subject: `Cancelled PNR ${view.pnr}: refund ${rupees(view.amountRefunded)}`,
    text: [
      `Your booking PNR ${view.pnr} (${view.trainNumber} ${view.from.code}→${view.to.code}, ${view.from.time.slice(0, 10)}) is cancelled.`,
      '',
      `Paid:       ${rupees(view.amountPaid)}`,
      `Refund:     ${rupees(view.amountRefunded)}`,
      `Rule:       ${rule}`,
    ].join('\n'),
  };
}

export function reminderEmail(view: BookingView): { subject: string; text: string } {
  return {
    subject: `Reminder PNR ${view.pnr}: ${view.trainNumber} departs ${view.from.time.replace('T', ' ')}`,
    text: [
      `Your train ${view.trainNumber} ${view.trainName} leaves ${view.from.name} (${view.from.code}) at ${view.from.time}.`,
      '',
      'Passengers (coach/berth):',
      ...passengerLines(view),
      '',
      'Happy journey!',
    ].join('\n'),
  };
}

export function delayEmail(b: {
  pnr: string;
  name: string;
  trainNumber: string;
  runDate: string;
  fromStation: string;
  toStation: string;
  delayMinutes: number;
}): { subject: string; text: string } {
  const h = Math.floor(b.delayMinutes / 60);
  const m = b.delayMinutes % 60;
  const late = h > 0 ? `${h} h ${m} min` : `${m} min`;
  return {
    subject: `Delay: train ${b.trainNumber} of ${b.runDate} is running ${late} late (PNR ${b.pnr})`,
    text: [
      `Dear ${b.name},`,
      '',
      `Train ${b.trainNumber} that left its origin on ${b.runDate} is running about ${late} late.`,
      `Your journey ${b.fromStation}→${b.toStation} (PNR ${b.pnr}) will leave later than scheduled.`,
      '',
      'We are sorry for the inconvenience.',
    ].join('\n'),
  };
}
