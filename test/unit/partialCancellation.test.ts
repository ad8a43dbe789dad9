import fc from 'fast-check';
import {
  clerkageCharge,
  partialCancellationQuote,
  type CancelledPassenger,
  type PartialCancellationInput,
  type TicketStatus,
} from '../../domain/partialCancellation';
import { RAIL_QUOTAS, RailRuleError } from '../../domain/railwayRules';
import { refundQuote } from '../../domain/refunds';
import { CLASS_CODES } from '../../domain/types';

const H = 60 * 60 * 1000;
const MIN = 60 * 1000;
const DEPARTURE = Date.UTC(2030, 0, 15, 16, 55);

const quote = (passengers: CancelledPassenger[], patch: Partial<PartialCancellationInput> = {}) =>
  partialCancellationQuote({ classCode: '3A', quota: 'GN', passengers, departureAt: DEPARTURE, cancelledAt: DEPARTURE - 72 * H, ...patch });

describe('clerkage', () => {
  it('is ₹60 per passenger, plus 5% GST on AC classes', () => {
    expect(Object.fromEntries(CLASS_CODES.map((c) => [c, clerkageCharge(c)]))).toEqual({
      '1A': 6_300,
      '2A': 6_300,
      '3A': 6_300,
      SL: 6_000,
      CC: 6_300,
      EC: 6_300,
      '2S': 6_000,
    });
  });
});

describe('partial cancellation', () => {
  it('charges each cancelled passenger by status, one line each, in the order given', () => {
    const q = quote([
      { passengerIndex: 2, status: 'WL', fare: 150_000 },
      { passengerIndex: 0, status: 'CNF', fare: 150_000 },
      { passengerIndex: 1, status: 'RAC', fare: 75_000 },
    ]);
    expect(q.lines.map(({ passengerIndex, charge, refund }) => [passengerIndex, charge, refund])).toEqual([
      [2, 6_300, 143_700],
      [0, 18_900, 131_100], // the flat 3A charge of refunds.ts, more than 48 h before departure
      [1, 6_300, 68_700],
    ]);
    expect(q.lines.map((l) => l.rule)).toEqual([
      'waitlisted: fare less clerkage ₹63',
      'more than 48 h before departure: flat 3A charge ₹189 incl. 5% GST × 1 passenger',
      'RAC: fare less clerkage ₹63',
    ]);
    expect(q).toMatchObject({ refundTotal: 143_700 + 131_100 + 68_700, chargeTotal: 6_300 + 18_900 + 6_300 });
  });

  it('refunds nothing for a confirmed Tatkal passenger, and Tatkal RAC or waitlist less clerkage', () => {
    const q = quote(
      [
        { passengerIndex: 0, status: 'CNF', fare: 200_000 },
        { passengerIndex: 1, status: 'RAC', fare: 200_000 },
        { passengerIndex: 2, status: 'WL', fare: 200_000 },
      ],
      { quota: 'TQ', classCode: 'SL' },
    );
    expect(q.lines.map((l) => [l.charge, l.refund, l.rule])).toEqual([
      [200_000, 0, 'confirmed Tatkal: no refund'],
      [6_000, 194_000, 'RAC: fare less clerkage ₹60'],
      [6_000, 194_000, 'waitlisted: fare less clerkage ₹60'],
    ]);
  });

  it('refunds RAC and waitlisted passengers less clerkage up to 30 min before departure, nothing after', () => {
    const wl = [{ passengerIndex: 0, status: 'WL' as const, fare: 50_000 }];
    expect(quote(wl, { cancelledAt: DEPARTURE - 30 * MIN }).refundTotal).toBe(43_700);
    expect(quote(wl, { cancelledAt: DEPARTURE - 30 * MIN + 1 }).lines[0]).toMatchObject({
      charge: 50_000,
      refund: 0,
      rule: 'waitlisted, cancelled less than 30 min before departure: no refund',
    });
    expect(quote(wl, { cancelledAt: DEPARTURE + H }).refundTotal).toBe(0);
  });

  it('refunds a waitlisted passenger the chart dropped less clerkage, and only waitlisted ones', () => {
    const dropped = quote([{ passengerIndex: 1, status: 'WL', fare: 90_000 }], { by: 'chart', quota: 'TQ', cancelledAt: DEPARTURE - 4 * H });
    expect(dropped.lines[0]).toMatchObject({ charge: 6_300, refund: 83_700, rule: 'left waitlisted at the chart: fare less clerkage ₹63' });
    expect(() => quote([{ passengerIndex: 0, status: 'RAC', fare: 90_000 }], { by: 'chart' })).toThrow(/only waitlisted/);
  });

  it('refunds nothing for a confirmed berth cancelled after the chart, and RAC by its own rule', () => {
    const chartedAt = DEPARTURE - 8 * H; // prepared early
    const after = quote([{ passengerIndex: 0, status: 'CNF', fare: 90_000 }], { chartedAt, cancelledAt: chartedAt + 1 });
    expect(after.lines[0]).toMatchObject({ charge: 90_000, refund: 0, rule: 'confirmed, cancelled after the chart: no refund' });
    const before = quote([{ passengerIndex: 0, status: 'CNF', fare: 90_000 }], { chartedAt, cancelledAt: chartedAt - 1 });
    expect(before.lines[0]!.refund).toBeGreaterThan(0);
    const rac = quote([{ passengerIndex: 0, status: 'RAC', fare: 90_000 }], { chartedAt, cancelledAt: chartedAt + 1 });
    expect(rac.lines[0]).toMatchObject({ refund: 90_000 - 6_300 });
  });

  it('never charges more clerkage than was paid', () => {
    expect(quote([{ passengerIndex: 0, status: 'RAC', fare: 4_000 }]).lines[0]).toMatchObject({ charge: 4_000, refund: 0, rule: 'RAC: fare less clerkage ₹40' });
  });

  it('charges a confirmed passenger exactly as refunds.ts charges a one-passenger booking (property)', () => {
    const status = fc.constantFrom<TicketStatus>('CNF', 'RAC', 'WL');
    const passenger = fc.record({ status, fare: fc.integer({ min: 0, max: 1_000_000 }) });
    fc.assert(
      fc.property(
        fc.constantFrom(...CLASS_CODES),
        fc.constantFrom(...RAIL_QUOTAS),
        fc.array(passenger, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: -10 * H, max: 100 * H }),
        (classCode, quota, people, before) => {
          const passengers = people.map((p, passengerIndex) => ({ ...p, passengerIndex }));
          const cancelledAt = DEPARTURE - before;
          const q = partialCancellationQuote({ classCode, quota, passengers, departureAt: DEPARTURE, cancelledAt });
          q.lines.forEach((line, i) => {
            const p = passengers[i]!;
            expect(line).toMatchObject({ passengerIndex: i, status: p.status, fare: p.fare });
            expect(line.charge + line.refund).toBe(p.fare);
            expect(line.refund).toBeGreaterThanOrEqual(0);
            if (p.status === 'CNF' && quota !== 'TQ') {
              const single = refundQuote({ classCode, fareTotal: p.fare, passengers: 1, departureAt: DEPARTURE, cancelledAt });
              expect([line.charge, line.rule]).toEqual([single.cancellationCharge, single.rule]);
            } else if (p.status === 'CNF') {
              expect(line.refund).toBe(0);
            } else {
              expect(line.charge).toBe(before >= 30 * MIN ? Math.min(p.fare, clerkageCharge(classCode)) : p.fare);
            }
          });
          expect(q.refundTotal).toBe(q.lines.reduce((sum, l) => sum + l.refund, 0));
          expect(q.chargeTotal + q.refundTotal).toBe(passengers.reduce((sum, p) => sum + p.fare, 0));
        },
      ),
      { seed: 10, numRuns: 500 },
    );
  });

  it.each([
    [{ passengers: [] }],
    [{ passengers: [{ passengerIndex: 0, status: 'CNF', fare: 1 }, { passengerIndex: 0, status: 'WL', fare: 1 }] }],
    [{ passengers: [{ passengerIndex: -1, status: 'CNF', fare: 1 }] }],
    [{ passengers: [{ passengerIndex: 0, status: 'XX', fare: 1 }] }],
    [{ passengers: [{ passengerIndex: 0, status: 'CNF', fare: 1.5 }] }],
    [{ passengers: [{ passengerIndex: 0, status: 'CNF', fare: 1 }], cancelledAt: Number.NaN }],
    [{ passengers: [{ passengerIndex: 0, status: 'CNF', fare: 1 }], by: 'support' }],
    [{ passengers: [{ passengerIndex: 0, status: 'CNF', fare: 1 }], quota: 'XX' }],
  ])('throws RailRuleError on malformed input %p', (patch) => {
    expect(() => quote([], patch as never)).toThrow(RailRuleError);
  });
});
