import {
  FLAT_CANCELLATION_PAISE,
  flatCancellationCharge,
  fullRefund,
  refundQuote,
  RefundRuleError,
  type RefundQuoteInput,
} from '../../domain/refunds';
import { CLASS_CODES } from '../../domain/types';

const H = 60 * 60 * 1000;
const DEPARTURE = Date.UTC(2030, 0, 15, 16, 55); // any fixed instant

/** A quote cancelled `hoursBefore` departure (negative: after departure), plus `extraMs`. */
const quote = (hoursBefore: number, patch: Partial<RefundQuoteInput> = {}, extraMs = 0) =>
  refundQuote({
    classCode: '3A',
    fareTotal: 200_000, // ₹2000
    passengers: 1,
    departureAt: DEPARTURE,
    cancelledAt: DEPARTURE - hoursBefore * H - extraMs,
    ...patch,
  });

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof RefundRuleError ? err.code : 'not a RefundRuleError';
  }
  return undefined;
}

describe('flat charge (more than 48 h before departure)', () => {
  it('charges the class flat amount per passenger, with 5% GST on AC classes', () => {
    expect(flatCancellationCharge('1A')).toBe(25_200);
    expect(flatCancellationCharge('EC')).toBe(25_200);
    expect(flatCancellationCharge('2A')).toBe(21_000);
    expect(flatCancellationCharge('3A')).toBe(18_900);
    expect(flatCancellationCharge('CC')).toBe(18_900);
    expect(flatCancellationCharge('SL')).toBe(12_000); // no GST on non-AC
    expect(flatCancellationCharge('2S')).toBe(6_000);
  });

  it('applies just over 48 h before departure', () => {
    const q = quote(48, {}, 1);
    expect(q).toMatchObject({ window: 'flat', cancellationCharge: 18_900, refundAmount: 200_000 - 18_900 });
    expect(q.rule).toMatch(/more than 48 h/);
    expect(q.rule).toMatch(/GST/);
  });

  it('is per passenger', () => {
    const q = quote(100, { classCode: 'SL', fareTotal: 300_000, passengers: 3 });
    expect(q).toMatchObject({ cancellationCharge: 36_000, refundAmount: 264_000 });
    expect(q.rule).not.toMatch(/GST/);
  });

  it('shows GST only for AC classes', () => {
    for (const classCode of CLASS_CODES) {
      const q = quote(72, { classCode, fareTotal: 1_000_000 });
      const gst = q.cancellationCharge - FLAT_CANCELLATION_PAISE[classCode];
      expect(gst).toBe(['SL', '2S'].includes(classCode) ? 0 : FLAT_CANCELLATION_PAISE[classCode] * 0.05);
    }
  });
});

describe('25% window (48 h to 12 h)', () => {
  it('starts at exactly 48 h', () => {
    expect(quote(48)).toMatchObject({ window: 'quarter', cancellationCharge: 50_000, refundAmount: 150_000 });
  });

  it('still applies at exactly 12 h', () => {
    expect(quote(12)).toMatchObject({ window: 'quarter', cancellationCharge: 50_000, refundAmount: 150_000 });
  });

  it('is not less than the flat charge (GST included)', () => {
    // 25% of ₹500 is ₹125 < ₹189 flat 3A charge.
    const q = quote(24, { fareTotal: 50_000 });
    expect(q).toMatchObject({ window: 'quarter', cancellationCharge: 18_900, refundAmount: 31_100 });
    expect(q.rule).toMatch(/minimum flat charge/);
  });

  it('uses the per-passenger minimum for several passengers', () => {
    // 4 SL passengers: flat 4 × ₹120 = ₹480; 25% of ₹1600 = ₹400.
    expect(quote(20, { classCode: 'SL', fareTotal: 160_000, passengers: 4 })).toMatchObject({ cancellationCharge: 48_000 });
  });

  it('rounds the percentage up to the paisa', () => {
    expect(quote(24, { fareTotal: 100_001 }).cancellationCharge).toBe(25_001);
  });
});

describe('50% window (12 h to 4 h)', () => {
  it('starts just under 12 h', () => {
    expect(quote(12, {}, -1)).toMatchObject({ window: 'half', cancellationCharge: 100_000, refundAmount: 100_000 });
  });

  it('still applies at exactly 4 h', () => {
    expect(quote(4)).toMatchObject({ window: 'half', cancellationCharge: 100_000, refundAmount: 100_000 });
  });

  it('is not less than the flat charge', () => {
    // 50% of ₹300 is ₹150 < ₹252 flat 1A charge.
    expect(quote(6, { classCode: '1A', fareTotal: 30_000 })).toMatchObject({ cancellationCharge: 25_200, refundAmount: 4_800 });
  });
});

describe('no refund (less than 4 h, or after departure)', () => {
  it('refunds nothing just under 4 h before departure', () => {
    const q = quote(4, {}, -1);
    expect(q).toMatchObject({ window: 'none', cancellationCharge: 200_000, refundAmount: 0 });
    expect(q.rule).toMatch(/less than 4 h/);
  });

  it('refunds nothing at or after departure', () => {
    expect(quote(0)).toMatchObject({ window: 'none', refundAmount: 0 });
    const q = quote(-5);
    expect(q).toMatchObject({ window: 'none', refundAmount: 0, cancellationCharge: 200_000 });
    expect(q.rule).toMatch(/after departure/);
  });
});

describe('bounds', () => {
  it('never refunds a negative amount when the flat charge exceeds the fare', () => {
    const q = quote(72, { classCode: '1A', fareTotal: 10_000, passengers: 2 });
    expect(q).toMatchObject({ refundAmount: 0, cancellationCharge: 10_000 });
    expect(q.rule).toMatch(/capped/);
    expect(quote(24, { fareTotal: 0 })).toMatchObject({ refundAmount: 0, cancellationCharge: 0 });
  });

  it('never refunds more than was paid, and charge + refund = paid', () => {
    for (const hours of [200, 48.5, 48, 30, 12, 11.99, 4, 3.99, 0, -1]) {
      for (const fareTotal of [0, 1, 5_000, 18_899, 18_900, 18_901, 123_457, 2_000_000]) {
        for (const passengers of [1, 2, 6]) {
          const q = quote(hours, { fareTotal, passengers });
          expect(q.refundAmount).toBeGreaterThanOrEqual(0);
          expect(q.refundAmount).toBeLessThanOrEqual(fareTotal);
          expect(q.refundAmount + q.cancellationCharge).toBe(fareTotal);
          expect(Number.isInteger(q.refundAmount)).toBe(true);
        }
      }
    }
  });

  it('never refunds more for cancelling later', () => {
    let previous = Infinity;
    for (const hours of [100, 48.01, 48, 24, 12, 11.99, 6, 4, 3.99, 0, -3]) {
      const { refundAmount } = quote(hours, { fareTotal: 60_000, passengers: 2 });
      expect(refundAmount).toBeLessThanOrEqual(previous);
      previous = refundAmount;
    }
  });

  it('rejects invalid input', () => {
    expect(errorCode(() => quote(10, { classCode: 'XX' as never }))).toBe('UNKNOWN_CLASS');
    expect(errorCode(() => quote(10, { fareTotal: -1 }))).toBe('INVALID_FARE');
    expect(errorCode(() => quote(10, { fareTotal: 10.5 }))).toBe('INVALID_FARE');
    expect(errorCode(() => quote(10, { passengers: 0 }))).toBe('INVALID_PASSENGERS');
    expect(errorCode(() => quote(10, { departureAt: Number.NaN }))).toBe('INVALID_TIME');
  });
});

describe('fullRefund (the railway cancels)', () => {
  it('refunds everything paid', () => {
    expect(fullRefund(123_455)).toEqual({
      refundAmount: 123_455,
      cancellationCharge: 0,
      rule: 'cancelled by the railway: full refund',
      window: 'full',
    });
    expect(fullRefund(0).refundAmount).toBe(0);
    expect(errorCode(() => fullRefund(-5))).toBe('INVALID_FARE');
  });
});
