import { baseFare, FARE_TABLE, FareError, fareQuote, type FareQuoteInput } from '../../domain/fares';
import { CLASS_CODES } from '../../domain/types';

const quote = (patch: Partial<FareQuoteInput>) =>
  fareQuote({ classCode: 'SL', distanceKm: 400, superfast: false, passengers: [{ age: 30 }], ...patch });

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof FareError ? err.code : 'not a FareError';
  }
  return undefined;
}

describe('telescopic base fare', () => {
  const sl = FARE_TABLE.SL; // 45 / 38 / 32 paise per km

  it('charges the first-slab rate up to 500 km', () => {
    expect(baseFare(sl, 400)).toBe(400 * 45);
    expect(baseFare(sl, 500)).toBe(500 * 45);
  });

  it('charges less per km from 501 km and less again beyond 1000 km', () => {
    expect(baseFare(sl, 501)).toBe(500 * 45 + 38);
    expect(baseFare(sl, 1000)).toBe(500 * 45 + 500 * 38);
    expect(baseFare(sl, 1500)).toBe(500 * 45 + 500 * 38 + 500 * 32);
    expect(baseFare(sl, 1500) / 1500).toBeLessThan(baseFare(sl, 500) / 500);
  });

  it('has rates near the Indian Railways 2025 levels, dearer by class', () => {
    const firstSlab = (c: keyof typeof FARE_TABLE) => FARE_TABLE[c].paisePerKm[0];
    expect([firstSlab('2S'), firstSlab('SL'), firstSlab('CC'), firstSlab('3A'), firstSlab('2A'), firstSlab('EC'), firstSlab('1A')]).toEqual([
      25, 45, 100, 120, 175, 210, 300,
    ]);
    for (const c of CLASS_CODES) {
      const [a, b, d] = FARE_TABLE[c].paisePerKm;
      expect(a).toBeGreaterThan(b);
      expect(b).toBeGreaterThan(d);
    }
  });
});

describe('fareQuote', () => {
  it('prices a sleeper adult: base + reservation, no GST, rounded up to ₹5', () => {
    // 400 km × 45 = ₹180 + ₹20 reservation = ₹200, already a multiple of ₹5.
    expect(quote({})).toEqual({
      classCode: 'SL',
      chargeableKm: 400,
      perPassenger: [{ base: 18_000, reservation: 2_000, superfast: 0, gst: 0, rounding: 0, total: 20_000 }],
      total: 20_000,
    });
  });

  it('rounds the total up to the next ₹5 and reports the rounding', () => {
    // 401 km × 45 = ₹180.45 + ₹20 = ₹200.45 → ₹205.
    const [fare] = quote({ distanceKm: 401 }).perPassenger;
    expect(fare).toEqual({ base: 18_045, reservation: 2_000, superfast: 0, gst: 0, rounding: 455, total: 20_500 });
  });

  it('charges the class minimum distance for short journeys', () => {
    expect(quote({ distanceKm: 50 }).chargeableKm).toBe(200);
    expect(quote({ distanceKm: 50 }).perPassenger[0]!.base).toBe(200 * 45);
    expect(quote({ classCode: '3A', distanceKm: 120 }).chargeableKm).toBe(300);
    expect(quote({ distanceKm: 250.2 }).chargeableKm).toBe(251);
  });

  it('adds the superfast surcharge only on superfast trains', () => {
    expect(quote({ superfast: true }).perPassenger[0]!.superfast).toBe(3_000);
    expect(quote({ superfast: false }).perPassenger[0]!.superfast).toBe(0);
  });

  it('adds 5% GST on AC classes over base, reservation and superfast charges', () => {
    // 3A, 1384 km: 500×120 + 500×102 + 384×84 = 143 256 paise; + ₹40 + ₹45 = 151 756; GST 7 587.8 → 7 588.
    const [fare] = quote({ classCode: '3A', distanceKm: 1384, superfast: true }).perPassenger;
    expect(fare).toEqual({ base: 143_256, reservation: 4_000, superfast: 4_500, gst: 7_588, rounding: 156, total: 159_500 });
    for (const c of ['1A', '2A', '3A', 'CC', 'EC'] as const) expect(quote({ classCode: c }).perPassenger[0]!.gst).toBeGreaterThan(0);
    for (const c of ['SL', '2S'] as const) expect(quote({ classCode: c }).perPassenger[0]!.gst).toBe(0);
  });

  it('charges children aged 5–11 half the base fare but full charges, seniors the adult fare', () => {
    const { perPassenger, total } = quote({ classCode: '2A', distanceKm: 777, superfast: true, passengers: [{ age: 35 }, { age: 11 }, { age: 5 }, { age: 12 }, { age: 80 }] });
    const [adult, child, youngest, twelve, senior] = perPassenger;
    expect(child!.base).toBe(Math.ceil(adult!.base / 2));
    expect(youngest).toEqual(child);
    expect(twelve).toEqual(adult);
    expect(senior).toEqual(adult);
    expect(child!.reservation).toBe(adult!.reservation);
    expect(child!.superfast).toBe(adult!.superfast);
    expect(total).toBe(perPassenger.reduce((sum, p) => sum + p.total, 0));
  });

  it('always totals whole ₹5 amounts whose parts add up', () => {
    for (const classCode of CLASS_CODES) {
      for (const distanceKm of [1, 199, 333, 500, 501, 999, 1000, 1001, 2345]) {
        for (const superfast of [false, true]) {
          for (const p of quote({ classCode, distanceKm, superfast, passengers: [{ age: 40 }, { age: 7 }] }).perPassenger) {
            expect(p.total % 500).toBe(0);
            expect(p.base + p.reservation + p.superfast + p.gst + p.rounding).toBe(p.total);
            expect(p.rounding).toBeGreaterThanOrEqual(0);
            expect(p.rounding).toBeLessThan(500);
          }
        }
      }
    }
  });

  it('rejects children under 5 (they travel free, without a berth) and bad input', () => {
    expect(errorCode(() => quote({ passengers: [{ age: 30 }, { age: 4 }] }))).toBe('INFANT_NO_FARE');
    expect(errorCode(() => quote({ passengers: [{ age: -1 }] }))).toBe('INVALID_AGE');
    expect(errorCode(() => quote({ passengers: [{ age: 30.5 }] }))).toBe('INVALID_AGE');
    expect(errorCode(() => quote({ passengers: [] }))).toBe('NO_PASSENGERS');
    expect(errorCode(() => quote({ distanceKm: 0 }))).toBe('INVALID_DISTANCE');
    expect(errorCode(() => quote({ distanceKm: Number.NaN }))).toBe('INVALID_DISTANCE');
    expect(errorCode(() => quote({ classCode: 'XX' as never }))).toBe('UNKNOWN_CLASS');
  });
});
