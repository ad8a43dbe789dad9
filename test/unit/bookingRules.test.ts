// Every state the booking actor can be in, against every message it can get:
// the rules that keep a charge from being abandoned (pay vs cancel) hold in all
// of them, whatever order the messages arrive in.
import type { BookingStatus } from '../../contracts/booking';
import {
  actorRefusal,
  cancelRefusal,
  isLive,
  partialCancelRefusal,
  payRefusal,
  paymentFailureOutcome,
  refundFailureNeedsSupport,
  refundResolutionRefusal,
  retryPaymentRefusal,
  type BookingFacts,
} from '../../domain/bookingRules';

const STATUSES: BookingStatus[] = ['held', 'payment_pending', 'confirmed', 'expired', 'payment_failed', 'cancelled', 'failed'];
const NOW = 1_000_000;

/** Every combination of the facts (7 statuses × 2^6 flags), the hold deadline before or after now. */
function* allFacts(): Generator<BookingFacts> {
  for (const status of STATUSES)
    for (let bits = 0; bits < 64; bits++) {
      yield {
        status,
        chargeRequested: (bits & 1) !== 0,
        paymentGiven: (bits & 2) !== 0,
        lastError: (bits & 4) !== 0 ? 'gateway unavailable' : null,
        cancelRequested: (bits & 8) !== 0,
        holdExpiresAt: (bits & 16) !== 0 ? NOW - 1 : NOW + 60_000,
        refundOwed: (bits & 32) !== 0,
      };
    }
}
const every = [...allFacts()];

/** What accepting a pay does to the facts (workflows/booking.ts, payUpdate handler). */
function afterPay(f: BookingFacts): BookingFacts {
  return f.status === 'held' && !f.chargeRequested && !f.paymentGiven ? { ...f, chargeRequested: true, paymentGiven: true } : f;
}
/** What accepting a cancel does (the handler only records the request). */
const afterCancel = (f: BookingFacts): BookingFacts => ({ ...f, cancelRequested: true });

describe('pay vs cancel, in either order', () => {
  it('enumerates all 448 states', () => expect(every).toHaveLength(448));

  it('never accepts a cancel while a charge is requested or running', () => {
    for (const f of every) {
      if (f.chargeRequested || f.status === 'payment_pending') expect(cancelRefusal(f)?.code).toBe('PAYMENT_IN_PROGRESS');
    }
  });

  it('never accepts a pay once a cancellation is under way', () => {
    for (const f of every) if (f.cancelRequested) expect(payRefusal(f, NOW)?.code).toBe('BOOKING_NOT_PAYABLE');
  });

  it('pay then cancel: once a pay that starts a charge is accepted, a cancel is refused until it settles', () => {
    for (const f of every) {
      if (payRefusal(f, NOW) !== null) continue;
      const next = afterPay(f);
      if (next.chargeRequested) expect(cancelRefusal(next)).not.toBeNull();
    }
  });

  it('cancel then pay: once a cancel is accepted, no pay is', () => {
    for (const f of every) {
      if (cancelRefusal(f) !== null) continue;
      expect(payRefusal(afterCancel(f), NOW)).not.toBeNull();
    }
  });

  it('accepts a pay only on a live booking, and a new charge only before the hold expires', () => {
    for (const f of every) {
      if (payRefusal(f, NOW) !== null) continue;
      expect(isLive(f.status)).toBe(true);
      if (afterPay(f) !== f) expect(f.holdExpiresAt).toBeGreaterThan(NOW);
    }
  });

  it('lets a repeated pay join the charge under way, even past the hold deadline', () => {
    const f: BookingFacts = { status: 'held', chargeRequested: true, paymentGiven: true, lastError: null, cancelRequested: false, holdExpiresAt: NOW - 1, refundOwed: false };
    expect(payRefusal(f, NOW)).toBeNull();
    expect(payRefusal({ ...f, status: 'payment_pending' }, NOW)).toBeNull();
    expect(payRefusal({ ...f, status: 'confirmed', chargeRequested: false }, NOW)).toBeNull();
  });

  it('refuses a fresh pay after the hold expired, and a second card after a failed attempt', () => {
    const held: BookingFacts = { status: 'held', chargeRequested: false, paymentGiven: false, lastError: null, cancelRequested: false, holdExpiresAt: NOW + 1, refundOwed: false };
    expect(payRefusal(held, NOW)).toBeNull();
    expect(payRefusal({ ...held, holdExpiresAt: NOW }, NOW)?.code).toBe('HOLD_EXPIRED');
    expect(payRefusal({ ...held, paymentGiven: true, lastError: 'x' }, NOW)?.code).toBe('BOOKING_NOT_PAYABLE');
  });

  it('cancels held, confirmed and (repeated) cancelled bookings only', () => {
    for (const status of STATUSES) {
      const f: BookingFacts = { status, chargeRequested: false, paymentGiven: false, lastError: null, cancelRequested: false, holdExpiresAt: NOW + 1, refundOwed: false };
      const ok = status === 'held' || status === 'confirmed' || status === 'cancelled';
      expect(cancelRefusal(f) === null).toBe(ok);
    }
  });
});

describe('partial cancellation', () => {
  it('is accepted only on a confirmed booking with no cancellation under way, in every state', () => {
    for (const f of every) {
      const r = partialCancelRefusal(f, 3, [], [1]);
      const ok = f.status === 'confirmed' && !f.cancelRequested;
      expect(r === null).toBe(ok);
      if (f.status === 'held' && f.chargeRequested) expect(r?.code).toBe('PAYMENT_IN_PROGRESS');
    }
  });

  it('names each passenger once, never one cancelled before, and leaves someone', () => {
    const f: BookingFacts = { status: 'confirmed', chargeRequested: false, paymentGiven: true, lastError: null, cancelRequested: false, holdExpiresAt: NOW, refundOwed: false };
    for (const bad of [[], [3], [-1], [0.5], ['1'], [1, 1], 'x', null]) expect(partialCancelRefusal(f, 3, [], bad)?.code).toBe('INVALID_REQUEST');
    expect(partialCancelRefusal(f, 3, [1], [1])?.code).toBe('BOOKING_NOT_CANCELLABLE');
    expect(partialCancelRefusal(f, 3, [1], [0, 2])?.code).toBe('INVALID_REQUEST'); // everyone left: cancel the booking
    expect(partialCancelRefusal(f, 3, [], [0, 1, 2])?.code).toBe('INVALID_REQUEST');
    expect(partialCancelRefusal(f, 3, [1], [2])).toBeNull();
    expect(partialCancelRefusal(f, 1, [], [0])?.code).toBe('INVALID_REQUEST');
  });
});

describe('support actions', () => {
  it('retries a payment only for a held booking whose last attempt failed, before the deadline, nothing else under way', () => {
    for (const f of every) {
      const ok =
        f.status === 'held' && f.paymentGiven && !f.chargeRequested && f.lastError !== null && !f.cancelRequested && f.holdExpiresAt > NOW;
      expect(retryPaymentRefusal(f, NOW) === null).toBe(ok);
    }
  });

  it('resolves a refund only when one is owed', () => {
    for (const f of every) expect(refundResolutionRefusal(f) === null).toBe(f.refundOwed);
  });

  it('requires a named actor', () => {
    expect(actorRefusal('support:asha')).toBeNull();
    for (const bad of ['', '   ', 'x'.repeat(101), undefined, 42]) expect(actorRefusal(bad)?.code).toBe('INVALID_REQUEST');
  });
});

describe('failure outcomes', () => {
  it('ends the payment on a decline, a conflict or bad input, and keeps the hold on anything else', () => {
    expect(paymentFailureOutcome('PaymentDeclined')).toBe('final');
    expect(paymentFailureOutcome('PaymentConflict')).toBe('final');
    expect(paymentFailureOutcome('InvalidInput')).toBe('final');
    expect(paymentFailureOutcome('GatewayUnavailable')).toBe('retryable');
    expect(paymentFailureOutcome(undefined)).toBe('retryable');
  });

  it('sends rejected refunds to support, never transient ones', () => {
    expect(refundFailureNeedsSupport('RefundRejected')).toBe(true);
    expect(refundFailureNeedsSupport('PaymentConflict')).toBe(true);
    expect(refundFailureNeedsSupport('GatewayUnavailable')).toBe(false);
    expect(refundFailureNeedsSupport(undefined)).toBe(false);
  });
});
