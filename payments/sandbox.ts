// A sandbox payment provider that behaves like a real one. Its ledger lives in
// the `payment_sandbox` schema, which stands for the provider's own servers:
// it is durable, so idempotency holds across worker crashes and restarts, and
// no other module reads or writes it.
//
// Behaviour is chosen by the test card number at tokenize time (see
// payments/README.md). Idempotency: one charges row per idempotency key
// (unique index); every request for the key inserts-or-finds that row and
// takes a row lock, so concurrent requests with one key are serialized and
// the first settled result is the one every later request gets back.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client';
import { sandboxCharges, sandboxRefunds, sandboxTokens } from '../db/schema';
import {
  CardInvalidError,
  GatewayUnavailableError,
  IdempotencyConflictError,
  PaymentGatewayError,
  PaymentRequestError,
  RefundRejectedError,
  type CardDetails,
  type ChargeRequest,
  type ChargeResult,
  type PaymentGateway,
  type PaymentToken,
  type RefundRequest,
  type RefundResult,
} from './gateway';

export type SandboxBehaviour = 'success' | 'decline' | 'insufficient_funds' | 'transient' | 'slow';

/** The test card numbers; any other Luhn-valid number behaves as 'success'. */
export const SANDBOX_TEST_CARDS: Readonly<Record<string, SandboxBehaviour>> = {
  '4111111111111111': 'success',
  '4000000000000002': 'decline',
  '4000000000009995': 'insufficient_funds',
  '4000000000000119': 'transient',
  '4000000000000077': 'slow',
};

export const SANDBOX_DECLINE_MESSAGES: Readonly<Record<string, string>> = {
  card_declined: 'Your card was declined.',
  insufficient_funds: 'Your card has insufficient funds.',
};

export interface SandboxOptions {
  /** How long the slow card (4000 0000 0000 0077) takes to charge. Default 3000 ms. */
  slowMs?: number;
  /** How many charge attempts per idempotency key the transient card (…0119) fails. Default 2. */
  transientFailures?: number;
  /** The clock used for card expiry; defaults to the current time. */
  now?: () => Date;
}

type ChargeRow = typeof sandboxCharges.$inferSelect;
type RefundRow = typeof sandboxRefunds.$inferSelect;

/** The Luhn (mod 10) check digit test, over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** The card network, from the number's leading digits (IIN ranges, simplified). */
export function cardBrand(digits: string): string {
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  if (digits.startsWith('4')) return 'visa';
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return 'mastercard';
  if (two === 34 || two === 37) return 'amex';
  if (two === 60 || two === 65 || two === 81 || two === 82 || digits.startsWith('508') || digits.startsWith('353') || digits.startsWith('356')) {
    return 'rupay';
  }
  return 'unknown';
}

/** Advisory-lock namespace of the sandbox's idempotency keys (the two-int4 lock space). */
const KEY_LOCK_NAMESPACE = 0x5041_5953; // 'PAYS'

/**
 * Serializes everything done under one charge key, including reads by
 * getCharge: a lookup made while a charge for the key is in flight waits for
 * its outcome instead of reporting "nothing charged" a moment too early.
 */
async function lockKey(tx: Tx, idempotencyKey: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${KEY_LOCK_NAMESPACE}::int4, hashtext(${idempotencyKey}))`);
}

function newId(prefix: 'tok' | 'ch' | 're'): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

function toChargeResult(row: ChargeRow): ChargeResult | null {
  if (row.status === 'succeeded') return { status: 'succeeded', chargeId: row.id, amount: row.amount };
  if (row.status === 'declined') {
    const declineCode = row.declineCode ?? 'card_declined';
    return { status: 'declined', declineCode, message: SANDBOX_DECLINE_MESSAGES[declineCode] ?? 'The card was declined.' };
  }
  return null; // pending: received but never processed (the simulated outage)
}

function toRefundResult(row: RefundRow): RefundResult {
  return { refundId: row.id, chargeId: row.chargeId, amount: row.amount };
}

/**
 * Anything that goes wrong inside the "provider" other than a deliberate
 * gateway error (its database unreachable, a dropped connection) is what a
 * client sees as a 5xx: transient.
 */
async function asProvider<T>(op: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof PaymentGatewayError) throw err;
    throw new GatewayUnavailableError(`sandbox ${op} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

export function createSandboxGateway(db: Db, opts: SandboxOptions = {}): PaymentGateway {
  const slowMs = opts.slowMs ?? 3000;
  const transientFailures = opts.transientFailures ?? 2;
  const now = opts.now ?? (() => new Date());

  function validateCard(card: CardDetails): { digits: string; behaviour: SandboxBehaviour } {
    const digits = String(card.number ?? '').replace(/[\s-]/g, '');
    if (!/^\d{12,19}$/.test(digits) || !luhnValid(digits)) {
      throw new CardInvalidError('invalid_number', 'The card number is not valid.');
    }
    const month = card.expMonth;
    let year = card.expYear;
    if (!Number.isInteger(month) || month < 1 || month > 12 || !Number.isInteger(year)) {
      throw new CardInvalidError('invalid_expiry', 'The expiry date is not valid.');
    }
    if (year < 100) year += 2000;
    const today = now();
    const thisYear = today.getUTCFullYear();
    const thisMonth = today.getUTCMonth() + 1;
    // A card is good until the end of its expiry month.
    if (year < thisYear || (year === thisYear && month < thisMonth)) {
      throw new CardInvalidError('expired_card', 'The card has expired.');
    }
    if (year > thisYear + 25) throw new CardInvalidError('invalid_expiry', 'The expiry year is not valid.');
    if (typeof card.cvc !== 'string' || !/^\d{3,4}$/.test(card.cvc)) {
      throw new CardInvalidError('invalid_cvc', 'The security code (CVC) is not valid.');
    }
    return { digits, behaviour: SANDBOX_TEST_CARDS[digits] ?? 'success' };
  }

  return {
    name: 'sandbox',

    async tokenize(card: CardDetails): Promise<PaymentToken> {
      const { digits, behaviour } = validateCard(card);
      const token: PaymentToken = { token: newId('tok'), last4: digits.slice(-4), brand: cardBrand(digits) };
      await asProvider('tokenize', () => db.insert(sandboxTokens).values({ ...token, behaviour }));
      return token;
    },

    async charge(req: ChargeRequest): Promise<ChargeResult> {
      if (typeof req.idempotencyKey !== 'string' || req.idempotencyKey.length === 0 || req.idempotencyKey.length > 255) {
        throw new PaymentRequestError('invalid_idempotency_key', 'an idempotency key of 1 to 255 characters is required');
      }
      if (!Number.isInteger(req.amount) || req.amount <= 0) {
        throw new PaymentRequestError('invalid_amount', `amount must be a positive integer (paise), got ${req.amount}`);
      }
      if (req.currency !== 'INR') throw new PaymentRequestError('unsupported_currency', `unsupported currency ${String(req.currency)}`);

      const outcome = await asProvider('charge', () =>
        db.transaction(async (tx) => {
          await lockKey(tx, req.idempotencyKey);
          // Claim the key (a no-op if it exists; waits for a concurrent claimer to commit), then lock it.
          await tx
            .insert(sandboxCharges)
            .values({
              id: newId('ch'),
              idempotencyKey: req.idempotencyKey,
              token: req.token,
              amount: req.amount,
              currency: req.currency,
              status: 'pending',
              attempts: 0,
            })
            .onConflictDoNothing({ target: sandboxCharges.idempotencyKey });
          const [row] = await tx
            .select()
            .from(sandboxCharges)
            .where(eq(sandboxCharges.idempotencyKey, req.idempotencyKey))
            .for('update');
          if (!row) throw new Error(`charge ${req.idempotencyKey} vanished`);
          if (row.token !== req.token || row.amount !== req.amount || row.currency !== req.currency) {
            throw new IdempotencyConflictError(
              req.idempotencyKey,
              `idempotency key ${req.idempotencyKey} was already used for a different charge (amount ${row.amount})`,
            );
          }
          const attempts = row.attempts + 1;
          const settled = toChargeResult(row);
          if (settled) {
            await tx.update(sandboxCharges).set({ attempts }).where(eq(sandboxCharges.id, row.id));
            return { kind: 'settled' as const, result: settled };
          }

          const [tok] = await tx.select().from(sandboxTokens).where(eq(sandboxTokens.token, req.token));
          if (!tok) throw new PaymentRequestError('unknown_token', 'no such payment token');
          if (tok.behaviour === 'transient' && attempts <= transientFailures) {
            // The attempt is recorded (committed) even though the caller sees an outage.
            await tx.update(sandboxCharges).set({ attempts }).where(eq(sandboxCharges.id, row.id));
            return { kind: 'unavailable' as const, attempts };
          }
          if (tok.behaviour === 'slow') await sleep(slowMs);
          const declineCode =
            tok.behaviour === 'decline' ? 'card_declined' : tok.behaviour === 'insufficient_funds' ? 'insufficient_funds' : null;
          const [updated] = await tx
            .update(sandboxCharges)
            .set({ attempts, status: declineCode ? 'declined' : 'succeeded', declineCode })
            .where(eq(sandboxCharges.id, row.id))
            .returning();
          const result = updated && toChargeResult(updated);
          if (!result) throw new Error(`charge ${row.id} did not settle`);
          return { kind: 'settled' as const, result };
        }),
      );
      if (outcome.kind === 'unavailable') {
        throw new GatewayUnavailableError(`sandbox: simulated outage (attempt ${outcome.attempts} for this key)`);
      }
      return outcome.result;
    },

    async refund(req: RefundRequest): Promise<RefundResult> {
      if (typeof req.idempotencyKey !== 'string' || req.idempotencyKey.length === 0 || req.idempotencyKey.length > 255) {
        throw new PaymentRequestError('invalid_idempotency_key', 'an idempotency key of 1 to 255 characters is required');
      }
      if (!Number.isInteger(req.amount) || req.amount <= 0) {
        throw new RefundRejectedError('invalid_amount', `refund amount must be a positive integer (paise), got ${req.amount}`);
      }
      return asProvider('refund', () =>
        db.transaction(async (tx) => {
          // The charge row lock serializes every refund of one charge.
          const [charge] = await tx.select().from(sandboxCharges).where(eq(sandboxCharges.id, req.chargeId)).for('update');
          const [existing] = await tx.select().from(sandboxRefunds).where(eq(sandboxRefunds.idempotencyKey, req.idempotencyKey));
          if (existing) {
            if (existing.chargeId !== req.chargeId || existing.amount !== req.amount) {
              throw new IdempotencyConflictError(
                req.idempotencyKey,
                `idempotency key ${req.idempotencyKey} was already used for a different refund (${existing.amount} on ${existing.chargeId})`,
              );
            }
            return toRefundResult(existing);
          }
          if (!charge) throw new RefundRejectedError('unknown_charge', `no such charge ${req.chargeId}`);
          if (charge.status !== 'succeeded') {
            throw new RefundRejectedError('charge_not_succeeded', `charge ${charge.id} did not succeed; nothing to refund`);
          }
          if (charge.refundedAmount + req.amount > charge.amount) {
            throw new RefundRejectedError(
              'amount_exceeds_charge',
              `refund of ${req.amount} exceeds what is left on the charge (${charge.amount - charge.refundedAmount} of ${charge.amount})`,
            );
          }
          const [inserted] = await tx
            .insert(sandboxRefunds)
            .values({ id: newId('re'), idempotencyKey: req.idempotencyKey, chargeId: charge.id, amount: req.amount })
            .onConflictDoNothing({ target: sandboxRefunds.idempotencyKey })
            .returning();
          if (!inserted) {
            // A concurrent refund of another charge took the key first.
            throw new IdempotencyConflictError(req.idempotencyKey, `idempotency key ${req.idempotencyKey} was already used for a different refund`);
          }
          await tx
            .update(sandboxCharges)
            .set({ refundedAmount: sql`${sandboxCharges.refundedAmount} + ${req.amount}` })
            .where(eq(sandboxCharges.id, charge.id));
          return toRefundResult(inserted);
        }),
      );
    },

    async getCharge(idempotencyKey: string): Promise<ChargeResult | null> {
      return asProvider('getCharge', () =>
        db.transaction(async (tx) => {
          await lockKey(tx, idempotencyKey);
          const [row] = await tx.select().from(sandboxCharges).where(eq(sandboxCharges.idempotencyKey, idempotencyKey));
          return row ? toChargeResult(row) : null;
        }),
      );
    },
  };
}
