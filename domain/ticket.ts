// The texts of booking emails: pure, so workflows can build them and tests can read them.
import type { BookingView } from '../contracts/booking';

export function rupees(paise: number): string {
  return `₹${(paise / 100).toFixed(2)}`;
}

function passengerLines(view: BookingView): string[] {
  return view.passengers.map(
    (p, i) =>
      `  ${i + 1}. ${p.name} (${p.age}, ${p.gender})  ${p.coach ?? '-'}/${p.berthNo ?? '-'} ${p.berthType ?? ''}`.trimEnd(),
  );
}

export function ticketEmail(view: BookingView): { subject: string; text: string } {
  return {
    subject: `Ticket PNR ${view.pnr}: ${view.trainNumber} ${view.from.code}→${view.to.code} on ${view.from.time.slice(0, 10)}`,
    text: [
      `Your booking is confirmed.`,
      '',
      `PNR:        ${view.pnr}`,
      `Train:      ${view.trainNumber} ${view.trainName}`,
      `Class:      ${view.classCode}`,
      `From:       ${view.from.name} (${view.from.code}) departs ${view.from.time}`,
      `To:         ${view.to.name} (${view.to.code}) arrives ${view.to.time}`,
      `Run date:   ${view.runDate}`,
      '',
      'Passengers (coach/berth):',
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
