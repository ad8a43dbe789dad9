// The booking actor's rules: which message it may accept in which state, and
// what a failure means. Pure (no I/O, no SDK), so the workflow only routes
// messages, timers and activities to these decisions and every combination of
// state is unit-tested (test/unit/bookingRules.test.ts).
//
// The money invariant rests on two of these rules:
//   - a cancellation is refused while a charge is requested or running, so a
//     payment is never abandoned half-way (it ends in a sale or a refund first);
//   - a payment is refused once a cancellation is under way.
import type { BookingStatus } from '../contracts/booking';
import type { FailureType } from '../contracts/failures';

/** What the actor knows when a message arrives. */
export interface BookingFacts {
  status: BookingStatus;
  /** A pay (or retryPayment) was accepted and its charge has not settled yet. */
  chargeRequested: boolean;
  /** The traveller gave a card (a charge was attempted at least once). */
  paymentGiven: boolean;
  /** Why the last charge attempt failed, if it did. */
  lastError: string | null;
  cancelRequested: boolean;
  /** Epoch ms. */
  holdExpiresAt: number;
  /** A refund the gateway rejected is waiting for support (retryRefund / recordManualRefund). */
  refundOwed: boolean;
}

/** A refusal: the API turns the code into its error code (api/routes/bookings.ts). */
export interface Refusal {
  code: 'BOOKING_NOT_PAYABLE' | 'HOLD_EXPIRED' | 'BOOKING_NOT_CANCELLABLE' | 'PAYMENT_IN_PROGRESS' | 'INVALID_REQUEST' | 'REFUND_NOT_OWED';
  message: string;
}

const refuse = (code: Refusal['code'], message: string): Refusal => ({ code, message });

/** The states in which the actor still owns a live booking. */
export const isLive = (status: BookingStatus): boolean => status === 'held' || status === 'payment_pending' || status === 'confirmed';

/** Who acts must be named (audit log); the same check for every support action. */
export function actorRefusal(by: unknown): Refusal | null {
  const ok = typeof by === 'string' && by.trim().length > 0 && by.length <= 100;
  return ok ? null : refuse('INVALID_REQUEST', '`by` must name who acts');
}

/** May the traveller pay now? A repeated pay for a payment under way, or for a confirmed booking, is accepted (it joins). */
export function payRefusal(f: BookingFacts, now: number): Refusal | null {
  if (f.cancelRequested) return refuse('BOOKING_NOT_PAYABLE', 'booking is being cancelled');
  if (f.status === 'held' && !f.chargeRequested) {
    if (now >= f.holdExpiresAt) return refuse('HOLD_EXPIRED', 'the hold has expired');
    if (f.paymentGiven) return refuse('BOOKING_NOT_PAYABLE', 'a payment failed; support can retry it (retryPayment)');
  }
  if (!isLive(f.status)) return refuse('BOOKING_NOT_PAYABLE', `booking is ${f.status}`);
  return null;
}

/** May support charge again with the card already given? Only after a transient failure, while the hold lasts. */
export function retryPaymentRefusal(f: BookingFacts, now: number): Refusal | null {
  if (f.cancelRequested) return refuse('BOOKING_NOT_PAYABLE', 'booking is being cancelled');
  if (f.status !== 'held' || !f.paymentGiven || f.chargeRequested || f.lastError === null) {
    return refuse('BOOKING_NOT_PAYABLE', 'only a held booking whose last payment attempt failed can be retried');
  }
  if (now >= f.holdExpiresAt) return refuse('HOLD_EXPIRED', 'the hold has expired');
  return null;
}

/**
 * May the booking be cancelled now? Never while a charge is requested or
 * running: the charge must settle first (then the booking is confirmed and
 * cancellable with a refund, or the payment failed and the hold is released).
 * A repeated cancel of a cancelled booking is accepted (it joins).
 */
export function cancelRefusal(f: BookingFacts): Refusal | null {
  if (f.chargeRequested || f.status === 'payment_pending') {
    return refuse('PAYMENT_IN_PROGRESS', 'retry when the payment has completed');
  }
  if (f.status === 'cancelled' || f.status === 'held' || f.status === 'confirmed') return null;
  return refuse('BOOKING_NOT_CANCELLABLE', `booking is ${f.status}`);
}

/**
 * May these passengers (0-based positions) of the booking be cancelled alone? Only on a paid, confirmed booking
 * with no other cancellation under way, each passenger once, at least one passenger left (cancelling everyone
 * left is a whole cancellation).
 */
export function partialCancelRefusal(f: BookingFacts, passengerCount: number, cancelled: readonly number[], wanted: unknown): Refusal | null {
  if (!Array.isArray(wanted) || wanted.length === 0 || wanted.some((i) => !Number.isInteger(i) || i < 0 || i >= passengerCount)) {
    return refuse('INVALID_REQUEST', `name the passengers to cancel by position (0 to ${passengerCount - 1})`);
  }
  if (new Set(wanted).size !== wanted.length) return refuse('INVALID_REQUEST', 'a passenger is named twice');
  if (f.status !== 'confirmed') return (f.chargeRequested ? cancelRefusal(f) : null) ?? refuse('BOOKING_NOT_CANCELLABLE', `booking is ${f.status}`);
  if (f.cancelRequested) return refuse('BOOKING_NOT_CANCELLABLE', 'the booking is being cancelled');
  const again = wanted.filter((i: number) => cancelled.includes(i));
  if (again.length > 0) return refuse('BOOKING_NOT_CANCELLABLE', `passenger ${again.map((i: number) => i + 1).join(', ')} already cancelled`);
  if (cancelled.length + wanted.length >= passengerCount) return refuse('INVALID_REQUEST', 'that is every passenger left: cancel the booking instead');
  return null;
}

/** May support resolve a refund the gateway rejected? */
export function refundResolutionRefusal(f: BookingFacts): Refusal | null {
  return f.refundOwed ? null : refuse('REFUND_NOT_OWED', 'no rejected refund is waiting for support');
}

/** Charge failures after which charging again with the same card cannot help. */
export const FINAL_PAYMENT_FAILURES: readonly string[] = ['PaymentDeclined', 'PaymentConflict', 'InvalidInput'] satisfies FailureType[];

/**
 * What a failed charge means: `final` releases the hold (after a refund
 * check); `retryable` keeps the hold so the traveller or support can retry
 * before it expires (the gateway kept failing, or its answer was lost).
 */
export function paymentFailureOutcome(failureType: string | undefined): 'final' | 'retryable' {
  return failureType !== undefined && FINAL_PAYMENT_FAILURES.includes(failureType) ? 'final' : 'retryable';
}

/** Refund failures that no retry by the activity can fix: a person must act (the support queue). */
const REFUND_NEEDS_SUPPORT: readonly string[] = ['RefundRejected', 'PaymentConflict', 'InvalidInput'] satisfies FailureType[];

export function refundFailureNeedsSupport(failureType: string | undefined): boolean {
  return failureType !== undefined && REFUND_NEEDS_SUPPORT.includes(failureType);
}

/** Why support must look at a booking: the values of the NeedsAttention search attribute. */
export type Attention = 'ticket_delivery_failed' | 'notice_delivery_failed' | 'refund_rejected';
