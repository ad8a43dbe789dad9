// Cancellation refund rules (pure; amounts are integers in paise, times are
// epoch milliseconds passed in by the caller, so this is safe in workflow code).
//
// Modelled on Indian Railways' rules for confirmed tickets. With
// `remaining` = departure from the boarding station − time of cancellation:
//
//   remaining > 48 h         flat charge per passenger by class:
//                              1A, EC ₹240 · 2A ₹200 · 3A, CC ₹180 · SL ₹120 · 2S ₹60
//                            plus 5% GST on that charge for AC classes (1A, 2A, 3A, CC, EC),
//                            so e.g. 3A costs ₹189 per passenger
//   12 h ≤ remaining ≤ 48 h  25% of the fare paid, but not less than the flat charge
//   4 h ≤ remaining < 12 h   50% of the fare paid, but not less than the flat charge
//   remaining < 4 h          no refund (this includes cancelling after departure)
//
// "The flat charge" in the minimum is the whole >48 h charge including its
// GST, so cancelling later never costs less than cancelling earlier.
// Percentages are of `fareTotal` (what was paid for all passengers) and are
// rounded up to the paisa. The charge is capped at what was paid, so the
// refund is never negative and never more than was paid.
//
// When the railway itself cancels (the run is cancelled, or seats could not
// be confirmed after payment) there is no charge: `fullRefund`.
import { CLASS_CODES, type ClassCode } from './types';

const HOUR_MS = 60 * 60 * 1000;

/** Flat cancellation charge per passenger, before GST, in paise. */
export const FLAT_CANCELLATION_PAISE: Readonly<Record<ClassCode, number>> = {
  '1A': 24000,
  EC: 24000,
  '2A': 20000,
  '3A': 18000,
  CC: 18000,
  SL: 12000,
  '2S': 6000,
};

/** Classes whose cancellation charge attracts GST. */
export const GST_ON_CANCELLATION: Readonly<Record<ClassCode, boolean>> = {
  '1A': true,
  EC: true,
  '2A': true,
  '3A': true,
  CC: true,
  SL: false,
  '2S': false,
};

export const CANCELLATION_GST_PERCENT = 5;

/** Window limits, in hours before departure. */
export const REFUND_WINDOWS_H = { flat: 48, quarter: 12, half: 4 } as const;

export type RefundWindow = 'flat' | 'quarter' | 'half' | 'none' | 'full';

export interface RefundQuoteInput {
  classCode: ClassCode;
  /** Paise: what was paid for the booking. */
  fareTotal: number;
  /** Passengers on the booking (the flat charge is per passenger). */
  passengers: number;
  /** Epoch ms of departure from the boarding station. */
  departureAt: number;
  /** Epoch ms of the cancellation. */
  cancelledAt: number;
}

export interface RefundQuote {
  refundAmount: number;
  cancellationCharge: number;
  /** Human-readable rule applied. */
  rule: string;
  /** Which window applied, for code that needs to branch on it. */
  window: RefundWindow;
}

export type RefundErrorCode = 'UNKNOWN_CLASS' | 'INVALID_FARE' | 'INVALID_PASSENGERS' | 'INVALID_TIME';

export class RefundRuleError extends Error {
  constructor(
    readonly code: RefundErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RefundRuleError';
  }
}

const rupees = (paise: number): string => {
  const whole = Math.floor(paise / 100);
  const rest = paise % 100;
  return rest === 0 ? `₹${whole}` : `₹${whole}.${String(rest).padStart(2, '0')}`;
};

/** The >48 h charge for one passenger of this class, GST included, in paise. */
export function flatCancellationCharge(classCode: ClassCode): number {
  if (!CLASS_CODES.includes(classCode)) throw new RefundRuleError('UNKNOWN_CLASS', `unknown class ${String(classCode)}`);
  const base = FLAT_CANCELLATION_PAISE[classCode];
  return GST_ON_CANCELLATION[classCode] ? base + Math.round((base * CANCELLATION_GST_PERCENT) / 100) : base;
}

/** What a passenger-initiated cancellation refunds. Throws RefundRuleError on invalid input. */
export function refundQuote(input: RefundQuoteInput): RefundQuote {
  const { classCode, fareTotal, passengers, departureAt, cancelledAt } = input;
  const flatEach = flatCancellationCharge(classCode);
  if (!Number.isInteger(fareTotal) || fareTotal < 0) {
    throw new RefundRuleError('INVALID_FARE', `fareTotal must be a non-negative integer (paise), got ${fareTotal}`);
  }
  if (!Number.isInteger(passengers) || passengers < 1) {
    throw new RefundRuleError('INVALID_PASSENGERS', `passengers must be a positive integer, got ${passengers}`);
  }
  if (!Number.isFinite(departureAt) || !Number.isFinite(cancelledAt)) {
    throw new RefundRuleError('INVALID_TIME', 'departureAt and cancelledAt must be epoch milliseconds');
  }

  const remaining = departureAt - cancelledAt;
  const flat = flatEach * passengers;
  const gstNote = GST_ON_CANCELLATION[classCode] ? ` incl. ${CANCELLATION_GST_PERCENT}% GST` : '';
  const flatText = `${rupees(flatEach)}${gstNote} × ${passengers} passenger${passengers === 1 ? '' : 's'}`;

  let window: RefundWindow;
  let charge: number;
  let rule: string;
  if (remaining > REFUND_WINDOWS_H.flat * HOUR_MS) {
    window = 'flat';
    charge = flat;
    rule = `more than 48 h before departure: flat ${classCode} charge ${flatText}`;
  } else if (remaining >= REFUND_WINDOWS_H.quarter * HOUR_MS) {
    window = 'quarter';
    const pct = Math.ceil(fareTotal / 4);
    charge = Math.max(pct, flat);
    rule =
      pct >= flat
        ? '48 h to 12 h before departure: 25% of the fare'
        : `48 h to 12 h before departure: 25% of the fare, raised to the minimum flat charge ${flatText}`;
  } else if (remaining >= REFUND_WINDOWS_H.half * HOUR_MS) {
    window = 'half';
    const pct = Math.ceil(fareTotal / 2);
    charge = Math.max(pct, flat);
    rule =
      pct >= flat
        ? '12 h to 4 h before departure: 50% of the fare'
        : `12 h to 4 h before departure: 50% of the fare, raised to the minimum flat charge ${flatText}`;
  } else {
    window = 'none';
    charge = fareTotal;
    rule = remaining > 0 ? 'less than 4 h before departure: no refund' : 'at or after departure: no refund';
  }

  const cancellationCharge = Math.min(charge, fareTotal);
  if (cancellationCharge < charge && window !== 'none') rule += ' (capped at the fare paid)';
  return { refundAmount: fareTotal - cancellationCharge, cancellationCharge, rule, window };
}

/** The railway cancelled (run cancelled, or seats could not be confirmed after payment): everything back. */
export function fullRefund(fareTotal: number): RefundQuote {
  if (!Number.isInteger(fareTotal) || fareTotal < 0) {
    throw new RefundRuleError('INVALID_FARE', `fareTotal must be a non-negative integer (paise), got ${fareTotal}`);
  }
  return { refundAmount: fareTotal, cancellationCharge: 0, rule: 'cancelled by the railway: full refund', window: 'full' };
}
