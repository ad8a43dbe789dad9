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
//
// Fault injection (tests and `npm run chaos` only): SANDBOX_FAULT_FILE names a
// JSON control file the sandbox re-reads at most once a second, so another
// process switches faults on and off at run time without a restart. See
// SandboxFault below for the format. Ignored when NODE_ENV=production, and off
// when the variable is unset (the default).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
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

export type SandboxBehaviour = 'success' | 'decline' | 'insufficient_funds' | 'transient' | 'slow' | 'refund_blocked';

/** The test card numbers; any other Luhn-valid number behaves as 'success'. */
export const SANDBOX_TEST_CARDS: Readonly<Record<string, SandboxBehaviour>> = {
  '4111111111111111': 'success',
  '4000000000000002': 'decline',
  '4000000000009995': 'insufficient_funds',
  '4000000000000119': 'transient',
  '4000000000000077': 'slow',
  /** Charges succeed; every refund of them is rejected (as an issuer that blocks refunds to a closed account). */
  '4000000000005126': 'refund_blocked',
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
  /**
   * Where injected faults come from (see SandboxFault). Default: the file named by
   * SANDBOX_FAULT_FILE, unless NODE_ENV is production; none when unset.
   */
  faults?: SandboxFaultControl | null;
}

// ---------------------------------------------------------------------------
// Fault injection

export type SandboxOp = 'charge' | 'refund' | 'getCharge';

/**
 * The control file's content (JSON). A fault is on while `until` (epoch ms) is in the future, for the
 * operations in `ops` (default all three). `mode`:
 *   - 'hang': the request waits `hangMs`, then fails with GatewayUnavailableError and nothing was done
 *     (a timeout before the provider acted);
 *   - 'answer-lost': the provider does the work and commits it, then the answer is lost the same way
 *     (money may have moved; the caller must find out with getCharge or by retrying with its key).
 * With `hangMs` beyond the charge activity's timeout, the caller sees a real timeout.
 */
export interface SandboxFault {
  until: number;
  hangMs: number;
  mode: 'hang' | 'answer-lost';
  ops?: SandboxOp[];
}

export interface SandboxFaultControl {
  /** The fault on for `op` right now, or null. */
  current(op: SandboxOp): Promise<SandboxFault | null>;
}

function parseFault(text: string): SandboxFault | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const f = raw as Partial<SandboxFault> | null;
  if (!f || typeof f.until !== 'number' || typeof f.hangMs !== 'number' || (f.mode !== 'hang' && f.mode !== 'answer-lost')) return null;
  return { until: f.until, hangMs: Math.max(0, Math.min(f.hangMs, 600_000)), mode: f.mode, ...(Array.isArray(f.ops) ? { ops: f.ops } : {}) };
}

/** Reads the control file at most once a second; a missing or malformed file means no fault. */
export function sandboxFaultControl(file: string | undefined): SandboxFaultControl | null {
  if (!file) return null;
  let readAt = 0;
  let cached: Promise<SandboxFault | null> = Promise.resolve(null);
  return {
    async current(op) {
      if (Date.now() - readAt >= 1000) {
        readAt = Date.now();
        cached = readFile(file, 'utf8').then(parseFault, () => null);
      }
      const fault = await cached;
      if (!fault || Date.now() >= fault.until || !(fault.ops ?? ['charge', 'refund', 'getCharge']).includes(op)) return null;
      return fault;
    },
  };
}

/**
 * The gateway with injected faults: each of charge, refund and getCharge runs under the fault on for it,
 * if any. 'hang' waits and then fails without doing anything (a timeout before the provider acted);
 * 'answer-lost' does the work, commits it, and only then waits and fails (the answer never came back).
 */
function withFaults(gateway: PaymentGateway, faults: SandboxFaultControl): PaymentGateway {
  async function underFault<T>(op: SandboxOp, fn: () => Promise<T>): Promise<T> {
    const fault = await faults.current(op);
    if (!fault) return fn();
    const timedOut = () => new GatewayUnavailableError(`sandbox: ${op} timed out after ${fault.hangMs} ms (injected fault ${fault.mode})`);
    if (fault.mode === 'answer-lost') await fn();
    await sleep(fault.hangMs);
    throw timedOut();
  }
  return {
    ...gateway,
    charge: (req) => underFault('charge', () => gateway.charge(req)),
    refund: (req) => underFault('refund', () => gateway.refund(req)),
    getCharge: (key) => underFault('getCharge', () => gateway.getCharge(key)),
  };
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
  const faults =
    opts.faults !== undefined
      ? opts.faults
      : process.env.NODE_ENV === 'production'
        ? null
        : sandboxFaultControl(process.env.SANDBOX_FAULT_FILE);


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

  const gateway: PaymentGateway = {
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
          const [tok] = await tx.select({ behaviour: sandboxTokens.behaviour }).from(sandboxTokens).where(eq(sandboxTokens.token, charge.token));
          if (tok?.behaviour === 'refund_blocked') {
            throw new RefundRejectedError('refund_blocked', 'the card issuer refuses refunds to this card');
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
  return faults ? withFaults(gateway, faults) : gateway;
}
