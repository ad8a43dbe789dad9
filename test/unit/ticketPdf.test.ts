// The e-ticket PDF as a reader and a scanner see it: parsed with pdf-parse, its QR code decoded from the
// embedded PNG with jsQR, and that code's signature verified. Also what the ticket shows: statuses, fare
// lines (the breakdown only when the fare rules still give the amount charged), quota.
import type { BookingView } from '../../contracts/booking';
import type { JourneyPlanner } from '../../api/services/journeys';
import { fareBreakdown, fareLines, formatRupees, formatSeatStatus, seatStatusOf, ticketQuota } from '../../domain/eticket';
import { fareQuote } from '../../domain/fares';
import { ticketDocument } from '../../tickets/issue';
import { pdfSafe, renderTicketPdf, showIst, showLocal } from '../../tickets/pdf';
import { verifyTicketQr } from '../../tickets/signing';
import { qrOf, readPdf } from '../helpers/pdf';

const keys = { current: 'unit-test-ticket-key-0123456789abcdefgh', previous: [] };

const route = [
  { seq: 1, stationCode: 'MMCT', stationName: 'Mumbai Central', kmFromOrigin: 0, arrivalDay: null, arrivalMin: null, departureDay: 0, departureMin: 995 },
  { seq: 2, stationCode: 'BRC', stationName: 'Vadodara Jn', kmFromOrigin: 392, arrivalDay: 0, arrivalMin: 1215, departureDay: 0, departureMin: 1225 },
  { seq: 3, stationCode: 'NDLS', stationName: 'New Delhi', kmFromOrigin: 1384, arrivalDay: 1, arrivalMin: 515, departureDay: null, departureMin: null },
];
/** Only trainInfo is used by the ticket: the train's route and whether it is superfast. */
const journeys = {
  trainInfo: async () => ({ train: { number: '12951', name: 'Mumbai Rajdhani', superfast: true }, route, classes: ['3A'], at: 0 }),
} as unknown as JourneyPlanner;

const quote = fareQuote({ classCode: '3A', distanceKm: 1384, superfast: true, passengers: [{ age: 34 }, { age: 8 }] });

const view: BookingView = {
  pnr: '4821093756',
  status: 'confirmed',
  userId: 7,
  trainNumber: '12951',
  trainName: 'Mumbai Rajdhani',
  runDate: '2027-04-12',
  classCode: '3A',
  quota: 'GN',
  from: { code: 'MMCT', name: 'Mumbai Central', seq: 1, time: '2027-04-12T16:35+05:30' },
  to: { code: 'NDLS', name: 'New Delhi', seq: 3, time: '2027-04-13T08:35+05:30' },
  passengers: [
    { name: 'Asha Rao', age: 34, gender: 'F', coach: 'B1', berthNo: 23, berthType: 'LB', currentStatus: 'CNF', bookingStatus: 'CNF' },
    { name: 'अमित', age: 8, gender: 'M', coach: 'B1', berthNo: 24, berthType: 'MB', currentStatus: 'CNF', bookingStatus: 'GNWL 3' },
  ],
  ticketStatus: 'CNF',
  fareTotal: quote.total,
  amountPaid: quote.total,
  amountRefunded: 0,
  holdExpiresAt: null,
  paymentAttempts: 1,
  lastError: null,
  ticketSent: true,
  ticketDelivery: 'sent',
  reminderSent: false,
  refundOwed: 0,
  attention: [],
  history: [],
};
const issuedAt = Date.parse('2026-12-02T10:00:00Z');

describe('what the e-ticket shows', () => {
  it('formats statuses: CNF coach/berth, RAC n, WL n', () => {
    expect(formatSeatStatus(seatStatusOf({ name: 'A', age: 30, gender: 'F', coach: 'S4', berthNo: 7, berthType: 'SU' }))).toBe('CNF S4/7 SU');
    expect(formatSeatStatus(seatStatusOf({ name: 'A', age: 30, gender: 'F', coach: 'C2', berthNo: 41, berthType: null }))).toBe('CNF C2/41');
    const none = { name: 'A', age: 30, gender: 'F', coach: null, berthNo: null, berthType: null };
    expect(formatSeatStatus(seatStatusOf({ ...none, status: { kind: 'RAC', position: 3 } }))).toBe('RAC 3');
    expect(formatSeatStatus(seatStatusOf({ ...none, status: { kind: 'WL', position: 17 } }))).toBe('WL 17');
    expect(formatSeatStatus(seatStatusOf(none))).toBe('NOT ALLOTTED');
  });

  it('lists the fare by component, with a Tatkal surcharge line when one is charged, adding up to the total', () => {
    const b = fareBreakdown(quote.perPassenger);
    const lines = fareLines(b);
    expect(lines.map((l) => l.label)).toEqual(['Base fare', 'Reservation charge', 'Superfast charge', 'GST', ...(b.rounding > 0 ? ['Rounding'] : []), 'Total fare']);
    expect(lines.slice(0, -1).reduce((n, l) => n + l.paise, 0)).toBe(quote.total);
    expect(lines.at(-1)).toEqual({ label: 'Total fare', paise: quote.total });
    const tatkal = fareLines({ ...b, tatkal: 40000, total: b.total + 40000 });
    expect(tatkal.map((l) => l.label)).toContain('Tatkal surcharge');
    expect(fareLines({ base: 10000, reservation: 2000, superfast: 0, gst: 0, rounding: 0, total: 12000 }).map((l) => l.label)).toEqual([
      'Base fare',
      'Reservation charge',
      'GST',
      'Total fare',
    ]);
  });

  it('prints amounts in rupees with Indian grouping, and times as they are read in India', () => {
    expect([formatRupees(0), formatRupees(5), formatRupees(478500), formatRupees(123456789)]).toEqual(['Rs 0.00', 'Rs 0.05', 'Rs 4,785.00', 'Rs 12,34,567.89']);
    expect(showLocal('2027-04-12T16:35+05:30')).toBe('12 Apr 2027 16:35');
    expect(showLocal('2027-04-12')).toBe('12 Apr 2027');
    expect(showIst(Date.parse('2026-12-02T20:00:00Z'))).toBe('3 Dec 2026 01:30 IST');
  });

  it('shows the general quota unless the booking names another', () => {
    expect([ticketQuota(undefined), ticketQuota(null), ticketQuota('TQ'), ticketQuota('LD'), ticketQuota('ZZ')]).toEqual(['GN', 'GN', 'TQ', 'LD', 'GN']);
  });

  it('replaces what the standard PDF fonts cannot draw', () => {
    expect(pdfSafe('Zoë “Rao” – अमित')).toBe('Zoë “Rao” – ????');
  });

  it('shows the breakdown only when the fare rules still give the amount charged', async () => {
    expect((await ticketDocument(journeys, keys, view, issuedAt)).fare).toEqual(fareBreakdown(quote.perPassenger));
    expect((await ticketDocument(journeys, keys, { ...view, fareTotal: quote.total + 500 }, issuedAt)).fare).toBeNull();
    const gone = { trainInfo: async () => Promise.reject(new Error('no train')) } as unknown as JourneyPlanner;
    expect((await ticketDocument(gone, keys, view, issuedAt)).fare).toBeNull();
  });
});

describe('the e-ticket PDF', () => {
  it('parses, shows the PNR, train, date, class, quota, each status and the fare, and its QR code verifies', async () => {
    const doc = await ticketDocument(journeys, keys, view, issuedAt);
    const pdf = await renderTicketPdf(doc);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const read = await readPdf(pdf);
    expect(read.pages).toBe(1);
    expect(read.title).toBe('Railbook e-ticket PNR 4821093756');
    for (const shown of [
      '4821093756',
      '12951 Mumbai Rajdhani',
      '12 Apr 2027',
      '3A',
      'GN (General)',
      'Mumbai Central (MMCT)',
      'New Delhi (NDLS)',
      'departs 12 Apr 2027 16:35',
      'Asha Rao',
      'CNF B1/23 LB',
      'CNF B1/24 MB',
      'Base fare',
      'Superfast charge',
      'GST',
      formatRupees(quote.total),
      'Issued 2 Dec 2026 15:30 IST',
    ]) {
      expect(read.text).toContain(shown);
    }
    expect(read.text).not.toContain('Tatkal');

    const qr = qrOf(read);
    expect(qr).toBe(doc.qr);
    const checked = verifyTicketQr(qr ?? '', keys);
    expect(checked).toMatchObject({ valid: true, payload: { pnr: '4821093756', passengers: [{ status: 'CNF B1/23 LB' }, { name: 'अमित', status: 'CNF B1/24 MB' }] } });
  }, 30_000);

  it('shows the Tatkal surcharge, RAC and waitlist statuses and six passengers on one page', async () => {
    const doc = await ticketDocument(journeys, keys, view, issuedAt);
    const pdf = await renderTicketPdf({
      ...doc,
      quota: 'TQ',
      fare: { ...doc.fare!, tatkal: 80000, total: doc.fare!.total + 80000 },
      passengers: [
        ...['CNF B1/1 LB', 'RAC 2', 'WL 14', 'WL 15', 'CNF B2/64 SU'].map((status, i) => ({ name: `Passenger ${i + 1}`, age: 30 + i, gender: 'F', status })),
        { name: 'A'.repeat(60), age: 70, gender: 'M', status: 'CNF B1/2' },
      ],
    });
    const read = await readPdf(pdf);
    expect(read.pages).toBe(1);
    for (const shown of ['TQ (Tatkal)', 'Tatkal surcharge', 'Rs 800.00', 'RAC 2', 'WL 14', 'CNF B2/64 SU', 'Passenger 5']) expect(read.text).toContain(shown);
    expect(qrOf(read)).toBe(doc.qr);
  }, 30_000);

  it('shows the total alone when there is no breakdown', async () => {
    const doc = await ticketDocument(journeys, keys, { ...view, fareTotal: 123400, amountPaid: 123400 }, issuedAt);
    const read = await readPdf(await renderTicketPdf(doc));
    expect(read.text).toContain('Breakdown not available');
    expect(read.text).toContain('Rs 1,234.00');
    expect(read.text).not.toContain('Base fare');
  }, 30_000);
});
