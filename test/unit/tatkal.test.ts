import fc from 'fast-check';
import { addDays } from '../../domain/calendar';
import { baseFare, FARE_TABLE, FareError, fareQuote } from '../../domain/fares';
import { RAIL_QUOTAS, RailRuleError, TATKAL_CHARGES, type RailQuota } from '../../domain/railwayRules';
import {
  bookingOpensAt,
  bookingWindow,
  bookingWindowRefusal,
  chartTime,
  istInstant,
  istText,
  tatkalCharge,
  tatkalFareQuote,
  tatkalOffered,
  tatkalPassengerRefusal,
  tatkalRefusal,
} from '../../domain/tatkal';
import { CLASS_CODES, type ClassCode } from '../../domain/types';

const H = 60 * 60 * 1000;
const TATKAL_CLASSES = CLASS_CODES.filter((c) => c !== '1A');

describe('IST instants', () => {
  it('is UTC+05:30', () => {
    expect(istInstant('2026-01-01', 8 * 60)).toBe(Date.UTC(2026, 0, 1, 2, 30));
    expect(istInstant('2026-01-01', 0)).toBe(Date.UTC(2025, 11, 31, 18, 30));
    expect(istText(Date.UTC(2025, 11, 31, 18, 30))).toBe('2026-01-01 00:00 IST');
  });

  it.each([
    ['2026-02-30', 0],
    ['26-01-01', 0],
    ['2026-01-01', 1440],
    ['2026-01-01', -1],
    ['2026-01-01', 1.5],
  ])('refuses %p at minute %p', (date, minute) => {
    expect(() => istInstant(date, minute)).toThrow(RailRuleError);
  });
});

describe('when booking opens', () => {
  it('opens general booking at 08:00 IST 60 days before the journey, the journey day not counted', () => {
    expect(istText(bookingOpensAt('GN', 'SL', '2026-03-02'))).toBe('2026-01-01 08:00 IST');
    expect(istText(bookingOpensAt('LD', '3A', '2026-03-02'))).toBe('2026-01-01 08:00 IST');
    expect(istText(bookingOpensAt('SS', '2A', '2026-01-15'))).toBe('2025-11-16 08:00 IST');
    expect(istText(bookingOpensAt('GN', '1A', '2028-02-29'))).toBe('2027-12-31 08:00 IST'); // leap day
  });

  it('opens Tatkal the day before the journey from the origin: 10:00 IST for AC classes, 11:00 IST for SL and 2S', () => {
    const opens = Object.fromEntries(TATKAL_CLASSES.map((c) => [c, istText(bookingOpensAt('TQ', c, '2026-01-01'))]));
    expect(opens).toEqual({
      '2A': '2025-12-31 10:00 IST',
      '3A': '2025-12-31 10:00 IST',
      SL: '2025-12-31 11:00 IST',
      CC: '2025-12-31 10:00 IST',
      EC: '2025-12-31 10:00 IST',
      '2S': '2025-12-31 11:00 IST',
    });
    expect(tatkalOffered('1A')).toBe(false);
    expect(() => bookingOpensAt('TQ', '1A', '2026-01-01')).toThrow(RailRuleError);
  });

  it('counts the days in IST for any journey date (property)', () => {
    const day = fc.integer({ min: 0, max: 365 * 40 }).map((n) => addDays('2000-01-01', n));
    fc.assert(
      fc.property(day, fc.constantFrom(...TATKAL_CLASSES), (journeyDate, classCode) => {
        const gn = istText(bookingOpensAt('GN', classCode, journeyDate));
        expect(gn).toBe(`${addDays(journeyDate, -60)} 08:00 IST`);
        const tq = istText(bookingOpensAt('TQ', classCode, journeyDate));
        expect(tq.slice(0, 10)).toBe(addDays(journeyDate, -1));
      }),
      { seed: 11, numRuns: 500 },
    );
  });
});

describe('booking windows', () => {
  const journeyDate = '2026-03-10';
  const departure = istInstant(journeyDate, 6 * 60 + 15); // leaves the origin 06:15 IST
  const chartAt = chartTime(departure);

  it('prepares the chart 4 hours before departure from the origin by default, or as configured', () => {
    expect(chartAt).toBe(departure - 4 * H);
    expect(chartTime(departure, 8)).toBe(departure - 8 * H);
    expect(() => chartTime(Number.NaN)).toThrow(RailRuleError);
    expect(() => chartTime(departure, -1)).toThrow(RailRuleError);
  });

  const cases = CLASS_CODES.flatMap((classCode) => RAIL_QUOTAS.map((quota) => [classCode, quota] as [ClassCode, RailQuota]));
  it.each(cases.filter(([c, q]) => q !== 'TQ' || c !== '1A'))('%s %s: closed before it opens, open until the chart, closed from it', (classCode, quota) => {
    const opensAt = bookingOpensAt(quota, classCode, journeyDate);
    const at = (now: number) => bookingWindow({ quota, classCode, journeyDate, now, chartAt }).state;
    expect([at(opensAt - 1), at(opensAt), at(chartAt - 1), at(chartAt)]).toEqual(['not_open', 'open', 'open', 'closed']);
    expect(bookingWindow({ quota, classCode, journeyDate, now: chartAt + H })).toEqual({ state: 'open', opensAt, closesAt: null });
  });

  it('answers a refusal with a stable code', () => {
    const window = (quota: RailQuota, classCode: ClassCode, now: number) => bookingWindowRefusal({ quota, classCode, journeyDate, now, chartAt });
    expect(window('TQ', 'SL', istInstant('2026-03-09', 10 * 60 + 59))).toEqual({
      code: 'BOOKING_NOT_OPEN',
      message: 'booking in this quota opens at 2026-03-09 11:00 IST',
    });
    expect(window('TQ', '3A', istInstant('2026-03-09', 10 * 60))).toBeNull();
    expect(window('GN', 'SL', chartAt)?.code).toBe('BOOKING_CLOSED');
    expect(window('TQ', '1A', chartAt - H)).toEqual({ code: 'TATKAL_NOT_OFFERED', message: '1A has no Tatkal quota' });
    expect(() => bookingWindow({ quota: 'GN', classCode: 'SL', journeyDate, now: Number.NaN })).toThrow(RailRuleError);
  });

  it('limits a Tatkal PNR to 4 passengers', () => {
    expect(tatkalPassengerRefusal(4)).toBeNull();
    expect(tatkalPassengerRefusal(5)).toEqual({ code: 'TOO_MANY_PASSENGERS', message: 'at most 4 passengers per Tatkal PNR' });
  });
});

describe('Tatkal charge', () => {
  it.each([
    ['SL', 500, 10_000], // 30% of ₹225 is ₹67.50: raised to the minimum ₹100
    ['SL', 1500, 17_250], // 30% of ₹575
    ['SL', 3000, 20_000], // capped at ₹200
    ['SL', 100, 10_000], // charged as 500 km
    ['2S', 100, 1_000], // 10% of ₹25: the minimum ₹10
    ['2S', 700, 1_500], // 10% of ₹164.50 = ₹16.45: the maximum ₹15
    ['3A', 900, 30_240], // 30% of ₹1008 (500 km at ₹1.20, 400 km at ₹1.02)
    ['CC', 333, 12_500], // 30% of ₹333: the minimum ₹125
    ['CC', 701, 20_126], // 30% of ₹670.85 (500 km at ₹1, 201 km at ₹0.85) = ₹201.255, rounded up to the paisa
    ['2A', 2000, 50_000],
  ] as const)('%s over %p km is %p paise', (classCode, km, paise) => {
    expect(tatkalCharge(classCode, km)).toBe(paise);
  });

  it('is the class percentage of the basic fare for at least the minimum distance, within the minimum and maximum (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TATKAL_CLASSES), fc.integer({ min: 1, max: 5000 }), (classCode, km) => {
        const rule = TATKAL_CHARGES[classCode]!;
        const charge = tatkalCharge(classCode, km);
        const raw = Math.ceil((baseFare(FARE_TABLE[classCode], Math.max(km, rule.minKm)) * rule.percent) / 100);
        expect(charge).toBe(Math.min(rule.maxPaise, Math.max(rule.minPaise, raw)));
        expect(charge).toBeLessThanOrEqual(tatkalCharge(classCode, km + 1));
      }),
      { seed: 3, numRuns: 1000 },
    );
  });

  it('refuses a class without Tatkal and a bad distance', () => {
    expect(() => tatkalCharge('1A', 500)).toThrow(RailRuleError);
    expect(() => tatkalCharge('SL', 0)).toThrow(RailRuleError);
  });
});

describe('Tatkal fare', () => {
  it('adds the Tatkal charge (with GST on AC classes) to the ordinary fare, rounded up to ₹5', () => {
    const q = tatkalFareQuote({ classCode: '3A', distanceKm: 900, superfast: true, passengers: [{ age: 30 }] });
    const p = q.perPassenger[0]!;
    expect(p).toMatchObject({ base: 100_800, reservation: 4_000, superfast: 4_500, tatkal: 30_240 });
    expect(p.gst).toBe(6_977); // 5% of ₹1395.40
    expect(p.total).toBe(147_000); // ₹1465.17 rounded up to ₹1470
    expect(q.rule).toBe('Tatkal charge ₹302.40 per passenger: 30% of the basic fare, between ₹300 and ₹400');
  });

  it('charges children of 5–11 as adults and still refuses children under 5', () => {
    const q = tatkalFareQuote({ classCode: 'SL', distanceKm: 800, superfast: false, passengers: [{ age: 40 }, { age: 6 }] });
    expect(q.perPassenger[1]).toEqual(q.perPassenger[0]);
    expect(() => tatkalFareQuote({ classCode: 'SL', distanceKm: 800, superfast: false, passengers: [{ age: 4 }] })).toThrow(FareError);
    expect(() => tatkalFareQuote({ classCode: '1A', distanceKm: 800, superfast: false, passengers: [{ age: 40 }] })).toThrow(RailRuleError);
  });

  it('always adds up, and costs the ordinary adult fare plus at least the Tatkal charge (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TATKAL_CLASSES),
        fc.integer({ min: 1, max: 4000 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 5, max: 100 }), { minLength: 1, maxLength: 4 }),
        (classCode, distanceKm, superfast, ages) => {
          const q = tatkalFareQuote({ classCode, distanceKm, superfast, passengers: ages.map((age) => ({ age })) });
          const adult = fareQuote({ classCode, distanceKm, superfast, passengers: [{ age: 30 }] }).perPassenger[0]!;
          for (const p of q.perPassenger) {
            expect(p.base + p.reservation + p.superfast + p.tatkal + p.gst + p.rounding).toBe(p.total);
            expect(p.total % 500).toBe(0);
            expect(p.rounding).toBeGreaterThanOrEqual(0);
            expect(p.rounding).toBeLessThan(500);
            expect(p.tatkal).toBe(tatkalCharge(classCode, q.chargeableKm));
            expect(p.total).toBeGreaterThanOrEqual(adult.total - adult.rounding + p.tatkal);
            if (!FARE_TABLE[classCode].gst) expect(p.gst).toBe(0);
          }
          expect(q.total).toBe(q.perPassenger.reduce((sum, p) => sum + p.total, 0));
        },
      ),
      { seed: 5, numRuns: 500 },
    );
  });
});

describe('tatkalRefusal (the inventory actor\'s check, by its clock)', () => {
  const opens = (classCode: ClassCode, runDate: string) => bookingOpensAt('TQ', classCode, runDate);

  it('refuses before the window with its opening time, and accepts from the opening minute on', () => {
    const runDate = '2027-03-10';
    const at = opens('3A', runDate);
    expect(at).toBe(Date.UTC(2027, 2, 9, 4, 30)); // 10:00 IST the day before
    expect(tatkalRefusal('3A', runDate, at - 1)).toEqual({ reason: 'TATKAL_NOT_OPEN', opensAt: at });
    expect(tatkalRefusal('3A', runDate, at)).toBeNull();
    expect(tatkalRefusal('SL', runDate, at)).toEqual({ reason: 'TATKAL_NOT_OPEN', opensAt: at + 3600_000 }); // non-AC: an hour later
  });

  it('answers QUOTA_NOT_OFFERED in a class without Tatkal or one the tables do not know', () => {
    expect(tatkalRefusal('1A', '2027-03-10', Date.UTC(2027, 2, 10))).toEqual({ reason: 'QUOTA_NOT_OFFERED' });
    expect(tatkalRefusal('XX', '2027-03-10', Date.UTC(2027, 2, 10))).toEqual({ reason: 'QUOTA_NOT_OFFERED' });
  });
});

describe('bookingOpensAt with a configured advance period', () => {
  it('opens the general quota at 08:00 IST that many days before the origin date, not counting it', () => {
    expect(bookingOpensAt('GN', '2A', '2027-03-10')).toBe(Date.UTC(2027, 0, 9, 2, 30)); // 60 days before
    expect(bookingOpensAt('GN', '2A', '2027-03-10', 120)).toBe(Date.UTC(2026, 10, 10, 2, 30));
    expect(() => bookingOpensAt('GN', '2A', '2027-03-10', 0)).toThrow(RailRuleError);
  });
});
