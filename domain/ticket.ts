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
