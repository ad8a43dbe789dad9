// The sandbox payment provider and the payment activities against the real,
// migrated test database (DATABASE_URL, set by the integration globalSetup).
// The sandbox keeps its ledger in the payment_sandbox schema, so every
// idempotency property here is a property of durable rows, not of memory.
import { ApplicationFailure } from '@temporalio/common';
import { and, eq, sql } from 'drizzle-orm';
import { chargeIdempotencyKey, createPaymentActivities, PaymentFailure, refundIdempotencyKey } from '../../activities/payments';
import { createDb, type DbHandle } from '../../db/client';
import { bookings, payments, refunds, sandboxCharges, sandboxRefunds, sandboxTokens, trainRuns, users } from '../../db/schema';
import {
  CardInvalidError,
  createPaymentGateway,
  createSandboxGateway,
  GatewayUnavailableError,
  IdempotencyConflictError,
  PaymentRequestError,
  RefundRejectedError,
  type CardDetails,
  type PaymentGateway,
} from '../../payments';

const CARDS = {
  success: '4111 1111 1111 1111',
  decline: '4000 0000 0000 0002',
  insufficient: '4000 0000 0000 9995',
  transient: '4000 0000 0000 0119',
  slow: '4000 0000 0000 0077',
  otherValid: '5555 5555 5555 4444',
};

const TRAIN = '12951';
const RUN_DATE = '2031-03-03';

let handle: DbHandle;
let gateway: PaymentGateway;
let userId: number;
let runId: number;
let stops: { fromSeq: number; toSeq: number; fromStation: string; toStation: string };

const nextYear = new Date().getUTCFullYear() + 1;
const card = (number: string, patch: Partial<CardDetails> = {}): CardDetails => ({
  number,
  expMonth: 12,
  expYear: nextYear,
  cvc: '123',
  holder: 'Meera Iyer',
  ...patch,
});

let counter = 0;
const stamp = `${Date.now()}`.slice(-7);
/** A PNR (10 digits) no other test or earlier run uses. */
function uniquePnr(): string {
  counter += 1;
  return `${stamp}${String(counter).padStart(3, '0')}`;
}
const uniqueKey = (tag: string) => `test:${tag}:${process.pid}:${Date.now().toString(36)}:${++counter}`;

async function createBooking(fareTotal = 250_000): Promise<string> {
  const pnr = uniquePnr();
  await handle.db.insert(bookings).values({
    pnr,
    userId,
    runId,
    classCode: '3A',
    ...stops,
    status: 'held',
    fareTotal,
    workflowId: `booking-${pnr}`,
  });
  return pnr;
}

async function chargeRows(key: string) {
  return handle.db.select().from(sandboxCharges).where(eq(sandboxCharges.idempotencyKey, key));
}

/** The ApplicationFailure an activity call rejected with. */
async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL must point at a migrated test database (the integration globalSetup sets it)');
  handle = createDb(url, { max: 8 });
  gateway = createPaymentGateway('sandbox', handle.db, { slowMs: 200 });

  const [user] = await handle.db
    .insert(users)
    .values({ email: `payments.${process.pid}.${Date.now().toString(36)}@example.test`, name: 'Meera Iyer', passwordHash: 'x' })
    .returning({ id: users.id });
  if (!user) throw new Error('no user');
  userId = user.id;

  await handle.db.insert(trainRuns).values({ trainNumber: TRAIN, runDate: RUN_DATE }).onConflictDoNothing();
  const [run] = await handle.db
    .select({ id: trainRuns.id })
    .from(trainRuns)
    .where(and(eq(trainRuns.trainNumber, TRAIN), eq(trainRuns.runDate, RUN_DATE)));
  if (!run) throw new Error('no run');
  runId = run.id;

  const { rows } = await handle.db.execute<{ from_seq: number; to_seq: number; from_station: string; to_station: string }>(sql`
    select f.seq as from_seq, t.seq as to_seq, f.station_code as from_station, t.station_code as to_station
    from train_stops f, train_stops t
    where f.train_number = ${TRAIN} and t.train_number = ${TRAIN}
      and f.seq = (select min(seq) from train_stops where train_number = ${TRAIN})
      and t.seq = (select max(seq) from train_stops where train_number = ${TRAIN})`);
  const row = rows[0];
  if (!row) throw new Error(`train ${TRAIN} is not in the test database`);
  stops = { fromSeq: row.from_seq, toSeq: row.to_seq, fromStation: row.from_station, toStation: row.to_station };
});

afterAll(async () => {
  await handle?.close();
});

describe('sandbox gateway: tokenize', () => {
  it('returns a token, the last four digits and the brand, and stores no card number', async () => {
    const tok = await gateway.tokenize(card(CARDS.success));
    expect(tok).toEqual({ token: expect.stringMatching(/^tok_[0-9a-f]{24}$/), last4: '1111', brand: 'visa' });
    const [stored] = await handle.db.select().from(sandboxTokens).where(eq(sandboxTokens.token, tok.token));
    expect(stored).toMatchObject({ last4: '1111', brand: 'visa', behaviour: 'success' });
    expect(JSON.stringify(stored)).not.toContain('4111111111111111');
    expect((await gateway.tokenize(card(CARDS.otherValid))).brand).toBe('mastercard');
  });

  it.each([
    ['a number failing the Luhn check', card('4111 1111 1111 1112'), 'invalid_number'],
    ['a number with letters', card('4111 1111 abcd 1111'), 'invalid_number'],
    ['a too-short number', card('4242'), 'invalid_number'],
    ['a card that expired last year', card(CARDS.success, { expYear: nextYear - 2 }), 'expired_card'],
    ['a card that expired last month', card(CARDS.success, expiredLastMonth()), 'expired_card'],
    ['month 13', card(CARDS.success, { expMonth: 13 }), 'invalid_expiry'],
    ['a two-digit cvc', card(CARDS.success, { cvc: '12' }), 'invalid_cvc'],
    ['a five-digit cvc', card(CARDS.success, { cvc: '12345' }), 'invalid_cvc'],
    ['a non-numeric cvc', card(CARDS.success, { cvc: '12a' }), 'invalid_cvc'],
  ])('rejects %s', async (_label, details, code) => {
    const err = await gateway.tokenize(details).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CardInvalidError);
    expect((err as CardInvalidError).code).toBe(code);
  });

  it('accepts a card expiring this month and a 4-digit cvc', async () => {
    const now = new Date();
    const tok = await gateway.tokenize(card(CARDS.success, { expMonth: now.getUTCMonth() + 1, expYear: now.getUTCFullYear(), cvc: '1234' }));
    expect(tok.token).toMatch(/^tok_/);
  });

  function expiredLastMonth(): Partial<CardDetails> {
    const now = new Date();
    const month = now.getUTCMonth(); // 0-based: the previous month's 1-based number
    return month === 0 ? { expMonth: 12, expYear: now.getUTCFullYear() - 1 } : { expMonth: month, expYear: now.getUTCFullYear() };
  }
});

describe('sandbox gateway: charge', () => {
  const charge = async (number: string, amount = 150_000, key = uniqueKey('charge'), gw = gateway) => {
    const { token } = await gw.tokenize(card(number));
    return { key, token, result: await gw.charge({ idempotencyKey: key, token, amount, currency: 'INR', description: 'test' }) };
  };

  it('charges the success card', async () => {
    const { key, result } = await charge(CARDS.success);
    expect(result).toEqual({ status: 'succeeded', chargeId: expect.stringMatching(/^ch_/), amount: 150_000 });
    expect(await gateway.getCharge(key)).toEqual(result);
    expect(await chargeRows(key)).toMatchObject([{ status: 'succeeded', attempts: 1, amount: 150_000, currency: 'INR' }]);
  });

  it('declines the decline and insufficient-funds cards, as results, and stores the decline', async () => {
    const declined = await charge(CARDS.decline);
    expect(declined.result).toEqual({ status: 'declined', declineCode: 'card_declined', message: expect.any(String) });
    const poor = await charge(CARDS.insufficient);
    expect(poor.result).toMatchObject({ status: 'declined', declineCode: 'insufficient_funds' });
    // A retried declined charge gets the same decline back.
    const again = await gateway.charge({ idempotencyKey: declined.key, token: declined.token, amount: 150_000, currency: 'INR', description: 'test' });
    expect(again).toEqual(declined.result);
    expect(await gateway.getCharge(declined.key)).toEqual(declined.result);
    expect(await chargeRows(declined.key)).toMatchObject([{ status: 'declined', declineCode: 'card_declined', attempts: 2 }]);
  });

  it('fails the transient card twice per key, then succeeds on the third call, across gateway instances', async () => {
    const key = uniqueKey('transient');
    const { token } = await gateway.tokenize(card(CARDS.transient));
    const req = { idempotencyKey: key, token, amount: 99_500, currency: 'INR' as const, description: 'test' };
    await expect(gateway.charge(req)).rejects.toBeInstanceOf(GatewayUnavailableError);
    expect(await gateway.getCharge(key)).toBeNull();
    // A "restarted worker": a new pool and a new gateway object; the count lives in the database.
    const other = createDb(process.env.DATABASE_URL as string, { max: 2 });
    try {
      const restarted = createSandboxGateway(other.db);
      await expect(restarted.charge(req)).rejects.toBeInstanceOf(GatewayUnavailableError);
      const third = await restarted.charge(req);
      expect(third).toMatchObject({ status: 'succeeded', amount: 99_500 });
      expect(await gateway.charge(req)).toEqual(third);
    } finally {
      await other.close();
    }
    expect(await chargeRows(key)).toMatchObject([{ status: 'succeeded', attempts: 4 }]);
    // Another key with the same card starts its own count.
    await expect(gateway.charge({ ...req, idempotencyKey: uniqueKey('transient') })).rejects.toBeInstanceOf(GatewayUnavailableError);
  });

  it('takes slowMs for the slow card, then succeeds', async () => {
    const started = Date.now();
    const { result } = await charge(CARDS.slow);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(result.status).toBe('succeeded');
  });

  it('makes getCharge wait for a charge in flight under the key', async () => {
    const key = uniqueKey('inflight');
    const { token } = await gateway.tokenize(card(CARDS.slow));
    const charging = gateway.charge({ idempotencyKey: key, token, amount: 12_300, currency: 'INR', description: 'x' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const seen = await gateway.getCharge(key);
    expect(seen).toMatchObject({ status: 'succeeded', amount: 12_300 });
    expect(await charging).toEqual(seen);
  });

  it('charges once for the same key twice: same charge id', async () => {
    const { key, token, result } = await charge(CARDS.success, 42_000);
    const again = await gateway.charge({ idempotencyKey: key, token, amount: 42_000, currency: 'INR', description: 'retry' });
    expect(again).toEqual(result);
    expect(await chargeRows(key)).toHaveLength(1);
  });

  it('charges once for concurrent calls with the same key', async () => {
    for (const number of [CARDS.slow, CARDS.success]) {
      const key = uniqueKey('concurrent');
      const { token } = await gateway.tokenize(card(number));
      const req = { idempotencyKey: key, token, amount: 77_000, currency: 'INR' as const, description: 'test' };
      const results = await Promise.all(Array.from({ length: 6 }, () => gateway.charge(req)));
      const first = results[0];
      expect(first).toMatchObject({ status: 'succeeded' });
      for (const r of results) expect(r).toEqual(first);
      expect(await chargeRows(key)).toMatchObject([{ status: 'succeeded', attempts: 6 }]);
    }
  });

  it('refuses the same key with a different amount or token', async () => {
    const { key, token } = await charge(CARDS.success, 10_000);
    await expect(gateway.charge({ idempotencyKey: key, token, amount: 10_100, currency: 'INR', description: 'x' })).rejects.toBeInstanceOf(
      IdempotencyConflictError,
    );
    const other = await gateway.tokenize(card(CARDS.success));
    await expect(
      gateway.charge({ idempotencyKey: key, token: other.token, amount: 10_000, currency: 'INR', description: 'x' }),
    ).rejects.toBeInstanceOf(IdempotencyConflictError);
    expect(await chargeRows(key)).toMatchObject([{ amount: 10_000, token, attempts: 1 }]);
  });

  it('rejects unknown tokens and bad amounts without recording a charge', async () => {
    const key = uniqueKey('bad');
    const err = await gateway.charge({ idempotencyKey: key, token: 'tok_nope', amount: 100, currency: 'INR', description: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PaymentRequestError);
    expect((err as PaymentRequestError).code).toBe('unknown_token');
    expect(await chargeRows(key)).toHaveLength(0);
    const { token } = await gateway.tokenize(card(CARDS.success));
    for (const amount of [0, -5, 10.5]) {
      await expect(gateway.charge({ idempotencyKey: key, token, amount, currency: 'INR', description: 'x' })).rejects.toBeInstanceOf(
        PaymentRequestError,
      );
    }
    expect(await gateway.getCharge(key)).toBeNull();
  });
});

describe('sandbox gateway: refund', () => {
  async function succeededCharge(amount: number) {
    const { token } = await gateway.tokenize(card(CARDS.success));
    const result = await gateway.charge({ idempotencyKey: uniqueKey('rc'), token, amount, currency: 'INR', description: 'x' });
    if (result.status !== 'succeeded') throw new Error('charge failed');
    return result.chargeId;
  }
  const refundedSoFar = async (chargeId: string) =>
    (await handle.db.select().from(sandboxCharges).where(eq(sandboxCharges.id, chargeId)))[0]?.refundedAmount;

  it('is idempotent per key', async () => {
    const chargeId = await succeededCharge(100_000);
    const req = { idempotencyKey: uniqueKey('refund'), chargeId, amount: 60_000, reason: 'cancelled' };
    const first = await gateway.refund(req);
    expect(first).toEqual({ refundId: expect.stringMatching(/^re_/), chargeId, amount: 60_000 });
    expect(await gateway.refund(req)).toEqual(first);
    const concurrent = await Promise.all([gateway.refund(req), gateway.refund(req), gateway.refund(req)]);
    for (const r of concurrent) expect(r).toEqual(first);
    expect(await refundedSoFar(chargeId)).toBe(60_000);
    expect(await handle.db.select().from(sandboxRefunds).where(eq(sandboxRefunds.idempotencyKey, req.idempotencyKey))).toHaveLength(1);
    await expect(gateway.refund({ ...req, amount: 50_000 })).rejects.toBeInstanceOf(IdempotencyConflictError);
  });

  it('never refunds more than was charged, over several refunds', async () => {
    const chargeId = await succeededCharge(100_000);
    await gateway.refund({ idempotencyKey: uniqueKey('r1'), chargeId, amount: 70_000, reason: 'partial' });
    const err = await gateway.refund({ idempotencyKey: uniqueKey('r2'), chargeId, amount: 30_001, reason: 'too much' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefundRejectedError);
    expect((err as RefundRejectedError).code).toBe('amount_exceeds_charge');
    await gateway.refund({ idempotencyKey: uniqueKey('r3'), chargeId, amount: 30_000, reason: 'the rest' });
    expect(await refundedSoFar(chargeId)).toBe(100_000);
  });

  it('caps concurrent refunds of one charge with different keys', async () => {
    const chargeId = await succeededCharge(100_000);
    const settled = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => gateway.refund({ idempotencyKey: uniqueKey(`rc${i}`), chargeId, amount: 40_000, reason: 'race' })),
    );
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(2);
    expect(await refundedSoFar(chargeId)).toBe(80_000);
  });

  it('rejects refunds of unknown or declined charges', async () => {
    const unknown = await gateway.refund({ idempotencyKey: uniqueKey('ru'), chargeId: 'ch_nope', amount: 1, reason: 'x' }).catch((e: unknown) => e);
    expect((unknown as RefundRejectedError).code).toBe('unknown_charge');
    const key = uniqueKey('declined');
    const { token } = await gateway.tokenize(card(CARDS.decline));
    await gateway.charge({ idempotencyKey: key, token, amount: 5_000, currency: 'INR', description: 'x' });
    const [row] = await chargeRows(key);
    const declined = await gateway.refund({ idempotencyKey: uniqueKey('rd'), chargeId: row?.id ?? '', amount: 1, reason: 'x' }).catch((e: unknown) => e);
    expect(declined).toBeInstanceOf(RefundRejectedError);
    expect((declined as RefundRejectedError).code).toBe('charge_not_succeeded');
  });
});

describe('payment activities', () => {
  const activities = () => createPaymentActivities({ db: handle.db, gateway });
  const paymentRow = async (pnr: string) =>
    (await handle.db.select().from(payments).where(eq(payments.idempotencyKey, chargeIdempotencyKey(pnr))))[0];

  it('chargeBooking charges once and a repeat returns the same payment without calling the gateway', async () => {
    const pnr = await createBooking();
    const { token } = await gateway.tokenize(card(CARDS.success));
    const acts = activities();
    const first = await acts.chargeBooking({ pnr, amount: 250_000, paymentToken: token });
    expect(first).toEqual({ status: 'succeeded', paymentId: expect.any(Number), chargeId: expect.stringMatching(/^ch_/) });
    expect(await paymentRow(pnr)).toMatchObject({
      id: first.paymentId,
      pnr,
      provider: 'sandbox',
      providerRef: first.chargeId,
      amount: 250_000,
      status: 'succeeded',
      attempts: 1,
      failureCode: null,
    });

    const spy = jest.spyOn(gateway, 'charge');
    try {
      expect(await acts.chargeBooking({ pnr, amount: 250_000, paymentToken: token })).toEqual(first);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    expect(await chargeRows(chargeIdempotencyKey(pnr))).toHaveLength(1);
  });

  it('chargeBooking recovers when the payments row was never marked (crash after the provider charged)', async () => {
    const pnr = await createBooking();
    const { token } = await gateway.tokenize(card(CARDS.success));
    const charged = await gateway.charge({ idempotencyKey: chargeIdempotencyKey(pnr), token, amount: 250_000, currency: 'INR', description: 'x' });
    await handle.db.insert(payments).values({ pnr, idempotencyKey: chargeIdempotencyKey(pnr), provider: 'sandbox', amount: 250_000, status: 'pending' });
    const result = await activities().chargeBooking({ pnr, amount: 250_000, paymentToken: token });
    expect(result.chargeId).toBe(charged.status === 'succeeded' ? charged.chargeId : 'n/a');
    expect(await paymentRow(pnr)).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(await chargeRows(chargeIdempotencyKey(pnr))).toHaveLength(1);
  });

  it('chargeBooking turns a decline into a non-retryable PaymentDeclined failure', async () => {
    const pnr = await createBooking();
    const { token } = await gateway.tokenize(card(CARDS.insufficient));
    const failure = await failureOf(activities().chargeBooking({ pnr, amount: 250_000, paymentToken: token }));
    expect(failure.type).toBe(PaymentFailure.Declined);
    expect(failure.type).toBe('PaymentDeclined');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.details).toEqual([{ declineCode: 'insufficient_funds' }]);
    expect(await paymentRow(pnr)).toMatchObject({ status: 'declined', failureCode: 'insufficient_funds' });
  });

  it('chargeBooking retries through a transient outage with the same key', async () => {
    const pnr = await createBooking();
    const { token } = await gateway.tokenize(card(CARDS.transient));
    const acts = activities();
    for (let attempt = 1; attempt <= 2; attempt++) {
      const failure = await failureOf(acts.chargeBooking({ pnr, amount: 250_000, paymentToken: token }));
      expect(failure.type).toBe(PaymentFailure.Unavailable);
      expect(failure.nonRetryable).toBe(false);
      expect(await paymentRow(pnr)).toMatchObject({ status: 'pending', attempts: attempt, failureCode: 'gateway_unavailable' });
    }
    const result = await acts.chargeBooking({ pnr, amount: 250_000, paymentToken: token });
    expect(await paymentRow(pnr)).toMatchObject({ status: 'succeeded', attempts: 3, providerRef: result.chargeId, failureCode: null });
  });

  it('chargeBooking refuses a different amount or token for the same booking', async () => {
    const pnr = await createBooking();
    const { token } = await gateway.tokenize(card(CARDS.success));
    const acts = activities();
    await acts.chargeBooking({ pnr, amount: 250_000, paymentToken: token });
    const amount = await failureOf(acts.chargeBooking({ pnr, amount: 260_000, paymentToken: token }));
    expect(amount).toMatchObject({ type: PaymentFailure.Conflict, nonRetryable: true });

    const pnr2 = await createBooking();
    const first = await gateway.tokenize(card(CARDS.transient));
    await failureOf(acts.chargeBooking({ pnr: pnr2, amount: 250_000, paymentToken: first.token }));
    const second = await gateway.tokenize(card(CARDS.success));
    const tokenSwap = await failureOf(acts.chargeBooking({ pnr: pnr2, amount: 250_000, paymentToken: second.token }));
    expect(tokenSwap).toMatchObject({ type: PaymentFailure.Conflict, nonRetryable: true });
    expect(await paymentRow(pnr2)).toMatchObject({ status: 'failed', failureCode: 'idempotency_conflict' });
  });

  it('chargeBooking rejects input that can never succeed', async () => {
    const acts = activities();
    expect(await failureOf(acts.chargeBooking({ pnr: 'ABC', amount: 1, paymentToken: 'tok_x' }))).toMatchObject({
      type: 'InvalidInput',
      nonRetryable: true,
    });
    expect(await failureOf(acts.chargeBooking({ pnr: '0000000001', amount: 0, paymentToken: 'tok_x' }))).toMatchObject({
      type: 'InvalidInput',
    });
    // No such booking: the payments row's foreign key refuses it.
    expect(await failureOf(acts.chargeBooking({ pnr: '0000000000', amount: 100, paymentToken: 'tok_x' }))).toMatchObject({
      type: 'NotFound',
      nonRetryable: true,
    });
    const pnr = await createBooking();
    expect(await failureOf(acts.chargeBooking({ pnr, amount: 100, paymentToken: 'tok_unknown' }))).toMatchObject({
      type: 'InvalidInput',
      nonRetryable: true,
    });
  });

  it('refundBooking refunds once, idempotently, and only touches payments/refunds', async () => {
    const pnr = await createBooking();
    const { token } = await gateway.tokenize(card(CARDS.success));
    const acts = activities();
    const charged = await acts.chargeBooking({ pnr, amount: 250_000, paymentToken: token });

    const first = await acts.refundBooking({ pnr, amount: 200_000, reason: 'cancelled by passenger' });
    expect(first).toEqual({ status: 'refunded', refundId: expect.any(Number), amount: 200_000 });
    const again = await acts.refundBooking({ pnr, amount: 200_000, reason: 'cancelled by passenger' });
    expect(again).toEqual(first);

    const rows = await handle.db.select().from(refunds).where(eq(refunds.pnr, pnr));
    expect(rows).toMatchObject([
      {
        id: first.refundId,
        paymentId: charged.paymentId,
        idempotencyKey: refundIdempotencyKey(pnr),
        providerRef: expect.stringMatching(/^re_/),
        amount: 200_000,
        status: 'succeeded',
      },
    ]);
    const [sandboxCharge] = await handle.db.select().from(sandboxCharges).where(eq(sandboxCharges.id, charged.chargeId));
    expect(sandboxCharge?.refundedAmount).toBe(200_000);
    const [booking] = await handle.db.select().from(bookings).where(eq(bookings.pnr, pnr));
    expect(booking).toMatchObject({ status: 'held', amountRefunded: 0 });

    expect(await failureOf(acts.refundBooking({ pnr, amount: 150_000, reason: 'different' }))).toMatchObject({
      type: PaymentFailure.Conflict,
      nonRetryable: true,
    });
  });

  it('refundBooking has nothing to refund for amount 0, no charge, or a declined charge', async () => {
    const acts = activities();
    const nothing = { status: 'nothing-to-refund', refundId: null, amount: 0 };
    const uncharged = await createBooking();
    expect(await acts.refundBooking({ pnr: uncharged, amount: 1000, reason: 'x' })).toEqual(nothing);

    const paid = await createBooking();
    const { token } = await gateway.tokenize(card(CARDS.success));
    await acts.chargeBooking({ pnr: paid, amount: 250_000, paymentToken: token });
    expect(await acts.refundBooking({ pnr: paid, amount: 0, reason: 'no refund window' })).toEqual(nothing);

    const declined = await createBooking();
    const bad = await gateway.tokenize(card(CARDS.decline));
    await failureOf(acts.chargeBooking({ pnr: declined, amount: 250_000, paymentToken: bad.token }));
    expect(await acts.refundBooking({ pnr: declined, amount: 250_000, reason: 'x' })).toEqual(nothing);
    expect(await handle.db.select().from(refunds).where(eq(refunds.pnr, declined))).toHaveLength(0);
  });

  it('refundBooking finds a charge whose payments row was left pending', async () => {
    const pnr = await createBooking();
    const { token } = await gateway.tokenize(card(CARDS.success));
    await handle.db.insert(payments).values({ pnr, idempotencyKey: chargeIdempotencyKey(pnr), provider: 'sandbox', amount: 250_000, status: 'pending' });
    const charged = await gateway.charge({ idempotencyKey: chargeIdempotencyKey(pnr), token, amount: 250_000, currency: 'INR', description: 'x' });
    const result = await activities().refundBooking({ pnr, amount: 250_000, reason: 'railway cancelled' });
    expect(result).toMatchObject({ status: 'refunded', amount: 250_000 });
    expect(await paymentRow(pnr)).toMatchObject({ status: 'succeeded', providerRef: charged.status === 'succeeded' ? charged.chargeId : 'n/a' });
  });

  it('refundBooking refuses more than was charged', async () => {
    const pnr = await createBooking();
    const { token } = await gateway.tokenize(card(CARDS.success));
    const acts = activities();
    await acts.chargeBooking({ pnr, amount: 250_000, paymentToken: token });
    expect(await failureOf(acts.refundBooking({ pnr, amount: 250_001, reason: 'x' }))).toMatchObject({
      type: 'InvalidInput',
      nonRetryable: true,
    });
  });

  it('refundBooking passes a provider refusal on as non-retryable RefundRejected', async () => {
    const pnr = await createBooking();
    const { token } = await gateway.tokenize(card(CARDS.success));
    const acts = activities();
    const charged = await acts.chargeBooking({ pnr, amount: 250_000, paymentToken: token });
    // Someone else (e.g. support, in the provider's dashboard) already refunded most of it.
    await gateway.refund({ idempotencyKey: uniqueKey('dashboard'), chargeId: charged.chargeId, amount: 200_000, reason: 'manual' });
    const failure = await failureOf(acts.refundBooking({ pnr, amount: 100_000, reason: 'cancelled' }));
    expect(failure).toMatchObject({ type: PaymentFailure.RefundRejected, nonRetryable: true });
    expect(failure.details).toEqual([{ code: 'amount_exceeds_charge' }]);
    expect(await handle.db.select().from(refunds).where(eq(refunds.pnr, pnr))).toMatchObject([{ status: 'failed' }]);
  });
});
