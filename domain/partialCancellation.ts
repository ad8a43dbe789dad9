// Refunds when some passengers of a PNR are cancelled (pure; amounts in
// paise, times epoch ms passed in by the caller).
//
// Each cancelled passenger is charged on their own share of the fare (what
// was paid for them, e.g. fareQuote's perPassenger[i].total):
//   confirmed, any quota but Tatkal   the cancellation charges of refunds.ts
//                                     (refundQuote for one passenger: flat
//                                     charge > 48 h, 25% / 50% later, nothing
//                                     back in the last 4 h)
//   confirmed Tatkal                  no refund
//   RAC or waitlisted (Tatkal too)    the share less clerkage (₹60 + GST on AC
//                                     classes), when cancelled at least 30 min
//                                     before departure; nothing back after
//   waitlisted, dropped at the chart  the share less clerkage (`by: 'chart'`:
//                                     the chart left them waitlisted)
// Clerkage is capped at the share, so no refund is negative.
import {
  CLERKAGE_PAISE,
  RAC_WL_CANCEL_CUTOFF_MINUTES,
  RailRuleError,
  requireClass,
  requireQuota,
  rupees,
  type RailQuota,
} from './railwayRules';
import { CANCELLATION_GST_PERCENT, GST_ON_CANCELLATION, refundQuote } from './refunds';
import type { ClassCode } from './types';

const MINUTE_MS = 60 * 1000;

export type TicketStatus = 'CNF' | 'RAC' | 'WL';
const TICKET_STATUSES: readonly string[] = ['CNF', 'RAC', 'WL'] satisfies TicketStatus[];

export interface CancelledPassenger {
  /** The passenger's position on the PNR (0-based). */
  passengerIndex: number;
  /** Status at the time of cancellation. */
  status: TicketStatus;
  /** Paise paid for this passenger. */
  fare: number;
}

export interface PartialCancellationInput {
  classCode: ClassCode;
  quota: RailQuota;
  passengers: readonly CancelledPassenger[];
  /** Epoch ms of departure from the boarding station. */
  departureAt: number;
  /** Epoch ms of the cancellation. */
  cancelledAt: number;
  /** 'chart': waitlisted passengers the chart left waitlisted (only WL passengers). Default 'traveller'. */
  by?: 'traveller' | 'chart';
  /** Epoch ms the chart was prepared, if it was: a confirmed berth cancelled after it is not refunded. */
  chartedAt?: number;
}

export interface RefundLine {
  passengerIndex: number;
  status: TicketStatus;
  fare: number;
  charge: number;
  refund: number;
  /** Human-readable rule applied. */
  rule: string;
}

export interface PartialCancellationQuote {
  /** One line per cancelled passenger, in the order given. */
  lines: RefundLine[];
  refundTotal: number;
  chargeTotal: number;
}

/** Clerkage for one RAC or waitlisted passenger of this class, GST included, in paise. */
export function clerkageCharge(classCode: ClassCode): number {
  requireClass(classCode);
  const base = CLERKAGE_PAISE[classCode];
  return GST_ON_CANCELLATION[classCode] ? base + Math.round((base * CANCELLATION_GST_PERCENT) / 100) : base;
}

/** Refund per cancelled passenger and in total. Throws RailRuleError (or RefundRuleError from refunds.ts) on malformed input. */
export function partialCancellationQuote(input: PartialCancellationInput): PartialCancellationQuote {
  const { classCode, quota, passengers, departureAt, cancelledAt } = input;
  const by = input.by ?? 'traveller';
  requireClass(classCode);
  requireQuota(quota);
  if (!Number.isFinite(departureAt) || !Number.isFinite(cancelledAt)) {
    throw new RailRuleError('INVALID_INPUT', 'departureAt and cancelledAt must be epoch milliseconds');
  }
  if (by !== 'traveller' && by !== 'chart') throw new RailRuleError('INVALID_INPUT', `by must be 'traveller' or 'chart', got ${String(by)}`);
  if (passengers.length === 0) throw new RailRuleError('INVALID_INPUT', 'cancel at least one passenger');
  const seen = new Set<number>();
  for (const p of passengers) {
    if (!Number.isInteger(p.passengerIndex) || p.passengerIndex < 0) {
      throw new RailRuleError('INVALID_INPUT', `passengerIndex must be an integer ≥ 0, got ${p.passengerIndex}`);
    }
    if (seen.has(p.passengerIndex)) throw new RailRuleError('INVALID_INPUT', `passenger ${p.passengerIndex} is listed twice`);
    seen.add(p.passengerIndex);
    if (!TICKET_STATUSES.includes(p.status)) throw new RailRuleError('INVALID_INPUT', `unknown status ${String(p.status)}`);
    if (!Number.isInteger(p.fare) || p.fare < 0) throw new RailRuleError('INVALID_INPUT', `fare must be a non-negative integer (paise), got ${p.fare}`);
    if (by === 'chart' && p.status !== 'WL') {
      throw new RailRuleError('INVALID_INPUT', `the chart drops only waitlisted passengers; passenger ${p.passengerIndex} is ${p.status}`);
    }
  }

  const lines = passengers.map((p) => line(p, input, by));
  return {
    lines,
    refundTotal: lines.reduce((sum, l) => sum + l.refund, 0),
    chargeTotal: lines.reduce((sum, l) => sum + l.charge, 0),
  };
}

function line(p: CancelledPassenger, input: PartialCancellationInput, by: 'traveller' | 'chart'): RefundLine {
  const { passengerIndex, status, fare } = p;
  const done = (charge: number, rule: string): RefundLine => ({ passengerIndex, status, fare, charge, refund: fare - charge, rule });
  if (status === 'CNF') {
    if (input.quota === 'TQ') return done(fare, 'confirmed Tatkal: no refund');
    if (input.chartedAt !== undefined && input.cancelledAt >= input.chartedAt) return done(fare, 'confirmed, cancelled after the chart: no refund');
    const q = refundQuote({ classCode: input.classCode, fareTotal: fare, passengers: 1, departureAt: input.departureAt, cancelledAt: input.cancelledAt });
    return done(q.cancellationCharge, q.rule);
  }
  const clerkage = Math.min(clerkageCharge(input.classCode), fare);
  const clerkageText = `clerkage ${rupees(clerkage)}`;
  if (by === 'chart') return done(clerkage, `left waitlisted at the chart: fare less ${clerkageText}`);
  const cutoff = input.departureAt - RAC_WL_CANCEL_CUTOFF_MINUTES * MINUTE_MS;
  const what = status === 'RAC' ? 'RAC' : 'waitlisted';
  if (input.cancelledAt > cutoff) return done(fare, `${what}, cancelled less than ${RAC_WL_CANCEL_CUTOFF_MINUTES} min before departure: no refund`);
  return done(clerkage, `${what}: fare less ${clerkageText}`);
}
