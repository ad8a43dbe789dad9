// Payment activities: charge a booking's payment token, refund a booking.
//
// Exactly-once money movement rests on two records with the same key:
//   - our `payments` / `refunds` row (unique idempotency_key), the record of
//     intent and outcome that the API reads, and
//   - the provider's own idempotency on that key (charge:<PNR>, refund:<PNR>),
//     so a retried activity (timeout, worker crash after the provider charged
//     but before our row was updated) gets the first result back instead of
//     charging again.
// Only the payments and refunds tables are written here; the booking row
// (amount_paid, amount_refunded, status) is the booking workflow's business.
import { ApplicationFailure } from '@temporalio/activity';
import { and, eq, ne, sql } from 'drizzle-orm';
import { FailureType } from '../contracts/failures';
import type { Db } from '../db/client';
import { pgCode } from '../db/errors';
import { payments, refunds, type Payment, type Refund } from '../db/schema';
import {
  GatewayUnavailableError,
  IdempotencyConflictError,
  PaymentRequestError,
  RefundRejectedError,
  type PaymentGateway,
} from '../payments/gateway';

/** The failure types these activities throw, from the closed list in contracts/failures.ts. */
export const PaymentFailure = {
  Declined: FailureType.PaymentDeclined,
  Conflict: FailureType.PaymentConflict,
  Unavailable: FailureType.GatewayUnavailable,
  RefundRejected: FailureType.RefundRejected,
} as const;

export const chargeIdempotencyKey = (pnr: string): string => `charge:${pnr}`;
export const refundIdempotencyKey = (pnr: string, part?: string): string => (part ? `refund:${pnr}:${part}` : `refund:${pnr}`);

export interface PaymentDeps {
  db: Db;
  gateway: PaymentGateway;
}

export interface ChargeBookingInput {
  pnr: string;
  /** Paise. */
  amount: number;
  /** From gateway.tokenize, done by the API: no card number crosses Temporal. */
  paymentToken: string;
}

export interface ChargeBookingResult {
  status: 'succeeded';
  /** payments.id */
  paymentId: number;
  /** The provider's charge id (payments.provider_ref). */
  chargeId: string;
}

export interface RefundBookingInput {
  pnr: string;
  /** Paise; 0 means nothing to refund. */
  amount: number;
  reason: string;
  /**
   * A refund of part of the booking (partial cancellation 'p1', 'p2', …; the chart 'chart'): its own key,
   * refund:<PNR>:<part>, so each part is refunded once. The whole-booking refund has none.
   */
  part?: string;
}

export interface RefundBookingResult {
  status: 'refunded' | 'nothing-to-refund';
  /** refunds.id, null when nothing was refunded. */
  refundId: number | null;
  amount: number;
}

const PNR_RE = /^[0-9]{10}$/;

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, FailureType.InvalidInput);
}

/** Turns a gateway error into the failure the workflow sees; anything else is rethrown (and retried). */
function gatewayFailure(err: unknown): unknown {
  if (err instanceof GatewayUnavailableError) {
    return ApplicationFailure.retryable(err.message, PaymentFailure.Unavailable);
  }
  if (err instanceof IdempotencyConflictError) return ApplicationFailure.nonRetryable(err.message, PaymentFailure.Conflict);
  if (err instanceof RefundRejectedError) {
    return ApplicationFailure.nonRetryable(err.message, PaymentFailure.RefundRejected, { code: err.code });
  }
  if (err instanceof PaymentRequestError) return ApplicationFailure.nonRetryable(err.message, FailureType.InvalidInput, { code: err.code });
  return err;
}

export function createPaymentActivities({ db, gateway }: PaymentDeps) {
  /** Inserts the pending payments row on the first attempt, or counts one more attempt on the existing row. */
  async function claimPayment(pnr: string, key: string, amount: number): Promise<Payment> {
    let inserted: Payment | undefined;
    try {
      [inserted] = await db
        .insert(payments)
        .values({ pnr, idempotencyKey: key, provider: gateway.name, amount, status: 'pending', attempts: 1 })
        .onConflictDoNothing({ target: payments.idempotencyKey })
        .returning();
    } catch (err) {
      if (pgCode(err) === '23503') throw ApplicationFailure.nonRetryable(`no booking ${pnr}`, FailureType.NotFound);
      throw err;
    }
    if (inserted) return inserted;
    const [existing] = await db.select().from(payments).where(eq(payments.idempotencyKey, key));
    if (!existing) throw new Error(`payment ${key} vanished`);
    if (existing.status === 'succeeded') return existing;
    const [updated] = await db
      .update(payments)
      .set({ attempts: sql`${payments.attempts} + 1`, updatedAt: sql`now()` })
      .where(eq(payments.id, existing.id))
      .returning();
    return updated ?? existing;
  }

  /** Settles the payments row; a succeeded row is never changed again. */
  async function settlePayment(
    id: number,
    set: { status: Payment['status']; providerRef?: string | null; failureCode: string | null },
  ): Promise<void> {
    await db
      .update(payments)
      .set({ ...set, updatedAt: sql`now()` })
      .where(and(eq(payments.id, id), ne(payments.status, 'succeeded')));
  }

  async function claimRefund(pnr: string, paymentId: number | null, key: string, amount: number, reason: string): Promise<Refund> {
    const [inserted] = await db
      .insert(refunds)
      .values({ pnr, paymentId, idempotencyKey: key, amount, reason, status: 'pending' })
      .onConflictDoNothing({ target: refunds.idempotencyKey })
      .returning();
    if (inserted) return inserted;
    const [existing] = await db.select().from(refunds).where(eq(refunds.idempotencyKey, key));
    if (!existing) throw new Error(`refund ${key} vanished`);
    return existing;
  }

  /**
   * The succeeded charge for the booking, if any. A row left pending (the
   * charge activity died, or is still retrying) is settled from what the
   * provider knows under the key, so a refund never misses money taken.
   */
  async function succeededPayment(pnr: string): Promise<Payment | null> {
    const key = chargeIdempotencyKey(pnr);
    const [payment] = await db.select().from(payments).where(eq(payments.idempotencyKey, key));
    if (!payment) return null;
    if (payment.status === 'succeeded') return payment;
    if (payment.status === 'declined') return null;
    let known;
    try {
      known = await gateway.getCharge(key);
    } catch (err) {
      throw gatewayFailure(err);
    }
    if (known?.status === 'succeeded') {
      await settlePayment(payment.id, { status: 'succeeded', providerRef: known.chargeId, failureCode: null });
      return { ...payment, status: 'succeeded', providerRef: known.chargeId };
    }
    if (known?.status === 'declined') await settlePayment(payment.id, { status: 'declined', failureCode: known.declineCode });
    return null;
  }

  return {
    /**
     * Charges the booking's payment token once, whatever the retries. Throws
     * non-retryable PaymentDeclined (details[0] = { declineCode }) on a
     * decline, PaymentConflict if charge:<PNR> was used with another amount
     * or token, and a retryable GatewayUnavailable while the provider is down.
     */
    async chargeBooking(input: ChargeBookingInput): Promise<ChargeBookingResult> {
      const { pnr, amount, paymentToken } = input;
      if (!PNR_RE.test(pnr)) throw invalid(`malformed PNR ${JSON.stringify(pnr)}`);
      if (!Number.isInteger(amount) || amount <= 0) throw invalid(`amount must be a positive integer (paise), got ${amount}`);
      if (typeof paymentToken !== 'string' || paymentToken.length === 0) throw invalid('a payment token is required');
      const key = chargeIdempotencyKey(pnr);

      const row = await claimPayment(pnr, key, amount);
      if (row.amount !== amount) {
        throw ApplicationFailure.nonRetryable(
          `${key} was already used for ${row.amount} paise, not ${amount}`,
          PaymentFailure.Conflict,
        );
      }
      if (row.status === 'succeeded' && row.providerRef) {
        return { status: 'succeeded', paymentId: row.id, chargeId: row.providerRef };
      }

      let result;
      try {
        result = await gateway.charge({
          idempotencyKey: key,
          token: paymentToken,
          amount,
          currency: 'INR',
          description: `Railbook PNR ${pnr}`,
        });
      } catch (err) {
        if (err instanceof GatewayUnavailableError) {
          await settlePayment(row.id, { status: 'pending', failureCode: 'gateway_unavailable' });
        } else if (err instanceof IdempotencyConflictError || err instanceof PaymentRequestError) {
          await settlePayment(row.id, { status: 'failed', failureCode: err.code });
        }
        throw gatewayFailure(err);
      }

      if (result.status === 'declined') {
        await settlePayment(row.id, { status: 'declined', failureCode: result.declineCode });
        throw ApplicationFailure.nonRetryable(result.message, PaymentFailure.Declined, { declineCode: result.declineCode });
      }
      await settlePayment(row.id, { status: 'succeeded', providerRef: result.chargeId, failureCode: null });
      return { status: 'succeeded', paymentId: row.id, chargeId: result.chargeId };
    },

    /**
     * Refunds `amount` of the booking's succeeded charge, once. Returns
     * 'nothing-to-refund' when the amount is 0 or nothing was charged.
     * Throws non-retryable RefundRejected if the provider refuses for good
     * and PaymentConflict if refund:<PNR> was used for another amount.
     */
    async refundBooking(input: RefundBookingInput): Promise<RefundBookingResult> {
      const { pnr, amount, reason, part } = input;
      if (!PNR_RE.test(pnr)) throw invalid(`malformed PNR ${JSON.stringify(pnr)}`);
      if (!Number.isInteger(amount) || amount < 0) throw invalid(`amount must be a non-negative integer (paise), got ${amount}`);
      if (part !== undefined && !/^[a-z0-9]{1,16}$/.test(part)) throw invalid(`malformed refund part ${JSON.stringify(part)}`);
      const nothing: RefundBookingResult = { status: 'nothing-to-refund', refundId: null, amount: 0 };
      if (amount === 0) return nothing;

      const payment = await succeededPayment(pnr);
      if (!payment?.providerRef) return nothing;
      if (amount > payment.amount) throw invalid(`refund of ${amount} paise exceeds the ${payment.amount} paise charged for ${pnr}`);

      const key = refundIdempotencyKey(pnr, part);
      // Refunds of other parts of the booking were taken from the same charge (the gateway checks it too).
      const [others] = await db
        .select({ sum: sql<number>`coalesce(sum(${refunds.amount}), 0)::int` })
        .from(refunds)
        .where(and(eq(refunds.pnr, pnr), ne(refunds.idempotencyKey, key), ne(refunds.status, 'failed')));
      if (amount > payment.amount - (others?.sum ?? 0)) {
        throw invalid(`refund of ${amount} paise exceeds what is left of the ${payment.amount} paise charged for ${pnr}`);
      }
      const row = await claimRefund(pnr, payment.id, key, amount, reason || 'cancellation');
      if (row.amount !== amount) {
        throw ApplicationFailure.nonRetryable(`${key} was already used for ${row.amount} paise, not ${amount}`, PaymentFailure.Conflict);
      }
      if (row.status === 'succeeded') return { status: 'refunded', refundId: row.id, amount: row.amount };

      let result;
      try {
        result = await gateway.refund({ idempotencyKey: key, chargeId: payment.providerRef, amount, reason: row.reason });
      } catch (err) {
        if (err instanceof IdempotencyConflictError || err instanceof RefundRejectedError || err instanceof PaymentRequestError) {
          await db
            .update(refunds)
            .set({ status: 'failed' })
            .where(and(eq(refunds.id, row.id), ne(refunds.status, 'succeeded')));
        }
        throw gatewayFailure(err);
      }
      await db.update(refunds).set({ status: 'succeeded', providerRef: result.refundId }).where(eq(refunds.id, row.id));
      return { status: 'refunded', refundId: row.id, amount: result.amount };
    },

    /**
     * Records a refund that support made outside the gateway (after the gateway
     * rejected it): the refund:<PNR> row becomes succeeded with provider_ref
     * `manual:<reference>`. Idempotent: a succeeded row is left as it is.
     */
    async recordManualRefund(input: { pnr: string; amount: number; reference: string; by: string }): Promise<RefundBookingResult> {
      const { pnr, amount, reference, by } = input;
      if (!PNR_RE.test(pnr)) throw invalid(`malformed PNR ${JSON.stringify(pnr)}`);
      if (!Number.isInteger(amount) || amount <= 0) throw invalid(`amount must be a positive integer (paise), got ${amount}`);
      const [payment] = await db.select().from(payments).where(eq(payments.idempotencyKey, chargeIdempotencyKey(pnr)));
      const key = refundIdempotencyKey(pnr);
      const row = await claimRefund(pnr, payment?.id ?? null, key, amount, `manual refund by ${by}`);
      if (row.status !== 'succeeded') {
        await db.update(refunds).set({ status: 'succeeded', amount, providerRef: `manual:${reference}` }).where(eq(refunds.id, row.id));
      }
      return { status: 'refunded', refundId: row.id, amount };
    },
  };
}

export type PaymentActivities = ReturnType<typeof createPaymentActivities>;
