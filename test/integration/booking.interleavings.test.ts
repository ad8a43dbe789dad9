// The booking actor under every interleaving that matters for money, on the
// real dev server, Postgres, Redis, the sandbox gateway (its ledger is in
// Postgres) and an SMTP server that can be told to refuse mail: pay × cancel ×
// expiry × decline × transient gateway failure × SMTP refusal × refund
// rejection × worker restart × railway cancellation. Each case ends in a
// ticket, a refund or a release; the actor closes (or, confirmed, waits for
// departure); and the gateway's ledger and Postgres agree.
//
// Time: there is no time-skipping test server here (it is downloaded at run
// time, which this project may not do), so expiry uses an 8 s hold and the
// orderings are forced by the sandbox's slow card (3 s charge) and by
// stopping the worker.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { retryRefundUpdate } from '../../contracts';
import { SA } from '../../contracts/searchAttributeKeys';
import { recordHistory, recording } from '../helpers/histories';
import { staffToken } from '../helpers/staff';
import type { SeatMapView } from '../../domain/allocation';
import { api, CARDS, futureDate, passenger, registerTraveller, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
let traveller: Awaited<ReturnType<typeof registerTraveller>>;
const HOLD_TTL_S = 8;

beforeAll(async () => {
  stack = await startStack('interleave', { HOLD_TTL_SECONDS: String(HOLD_TTL_S), PAYMENT_WAIT_SECONDS: '20' });
  traveller = await registerTraveller(stack, 'interleave');
});
/** New frozen histories of the paths this file adds (RECORD_HISTORIES=1 writes them once; never re-record). */
const toRecord = new Map<string, string>();
afterAll(async () => {
  const { address, namespace } = stack.config.temporal;
  if (recording) for (const [name, id] of toRecord) await recordHistory(address, namespace, id, name);
  await stack?.close();
});

const CARD_REFUND_BLOCKED = { number: '4000 0000 0000 5126', expMonth: 12, expYear: 2030, cvc: '123' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rows = async <T>(q: ReturnType<typeof sql>) => (await stack.db.db.execute(q)).rows as T[];
const as = () => api(stack, traveller.token);

let day = 90;
/** A fresh run date (days 90–97) per booking group, so no test waits behind another's berths. */
const book = async (over: Record<string, unknown> = {}) => {
  const res = await as().post('/bookings', {
    trainNumber: '12951',
    date: futureDate(day),
    classCode: '3A',
    from: 'MMCT',
    to: 'NDLS',
    passengers: [passenger('Kavya')],
    ...over,
  });
  if (res.status !== 201) throw new Error(`hold failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { pnr: string; fareTotal: number; runDate: string; holdExpiresAt: string };
};
const pay = (pnr: string, card = CARDS.ok) => as().post(`/bookings/${pnr}/payment`, { card });
/** Pays and expects the booking confirmed (the answer is shown when it is not). */
const payConfirmed = async (pnr: string, card = CARDS.ok) => {
  const res = await pay(pnr, card);
  expect({ status: res.status, booking: res.body.status ?? res.body }).toEqual({ status: 200, booking: 'confirmed' });
  return res;
};
const cancel = (pnr: string) => as().post(`/bookings/${pnr}/cancel`, { reason: 'plans changed' });
const handle = (pnr: string) => stack.client.workflow.getHandle(`booking-${pnr}`);

async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await sleep(200);
  }
}
const workflowStatus = async (pnr: string) => (await handle(pnr).describe()).status.name;
const closed = (pnr: string) => until(`booking-${pnr} to close`, () => workflowStatus(pnr), (s) => s === 'COMPLETED');

/** The money as the gateway and as Postgres see it: charges and refunds must agree, and match the booking row. */
async function ledger(pnr: string) {
  const [charge] = await rows<{ status: string; amount: number; refunded_amount: number }>(
    sql`select status, amount, refunded_amount from payment_sandbox.charges where idempotency_key = ${`charge:${pnr}`}`,
  );
  const [payment] = await rows<{ status: string; amount: number }>(sql`select status, amount from payments where pnr = ${pnr}`);
  const refundRows = await rows<{ status: string; amount: number; provider_ref: string | null }>(
    sql`select status, amount, provider_ref from refunds where pnr = ${pnr}`,
  );
  const [booking] = await rows<{ status: string; amount_paid: number; amount_refunded: number }>(
    sql`select status, amount_paid, amount_refunded from bookings where pnr = ${pnr}`,
  );
  const charged = charge?.status === 'succeeded' ? charge.amount : 0;
  const refundedAtGateway = charge?.refunded_amount ?? 0;
  const refundedInPostgres = refundRows.filter((r) => r.status === 'succeeded').reduce((n, r) => n + r.amount, 0);
  return { charged, refundedAtGateway, refundedInPostgres, payment, refundRows, booking };
}

/** The invariant: a charge ends in a confirmed record or a recorded refund (at the gateway and in Postgres, or recorded by support). */
async function expectMoneySettled(pnr: string, outcome: 'ticket' | 'refund' | 'release') {
  const l = await ledger(pnr);
  if (outcome === 'ticket') {
    expect(l.booking?.status).toBe('confirmed');
    expect(l.charged).toBeGreaterThan(0);
    expect(l.booking?.amount_paid).toBe(l.charged);
    expect(l.refundedAtGateway).toBe(0);
  } else if (outcome === 'refund') {
    expect(l.charged).toBeGreaterThan(0);
    expect(l.refundedInPostgres).toBeGreaterThan(0);
    expect(l.booking?.amount_refunded).toBe(l.refundedInPostgres);
    const manual = l.refundRows.some((r) => r.provider_ref?.startsWith('manual:'));
    if (!manual) expect(l.refundedAtGateway).toBe(l.refundedInPostgres);
  } else {
    expect(l.charged).toBe(0);
    expect(l.refundedInPostgres).toBe(0);
    expect(l.booking?.status).not.toBe('confirmed');
  }
  if (l.payment) expect(l.payment.status === 'succeeded').toBe(l.charged > 0);
  return l;
}

/** Whether the inventory still has the booking's berths (held or sold), from its seat map. */
async function inInventory(pnr: string, runDate: string): Promise<boolean> {
  const map = await stack.client.workflow.getHandle(`inventory-12951-${runDate}-3A`).query<SeatMapView>('seatMap');
  return map.coaches.some((c) => c.berths.some((berth) => berth.occupied.some((o) => o.bookingId === pnr)));
}

describe('pay × cancel', () => {
  beforeAll(() => void (day = 90));

  it('pay then cancel: the cancel is refused while the charge runs; the booking confirms, then cancels with a refund', async () => {
    const b = await book();
    const paying = pay(b.pnr, CARDS.slow);
    await until('the charge to start', () => as().get(`/bookings/${b.pnr}`), (r) => r.body.status === 'payment_pending');
    const refused = await cancel(b.pnr);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('PAYMENT_IN_PROGRESS');
    const paid = await paying;
    expect(paid.status).toBe(200);
    expect(paid.body.status).toBe('confirmed');
    await expectMoneySettled(b.pnr, 'ticket');

    const cancelled = await cancel(b.pnr);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    await closed(b.pnr);
    const l = await expectMoneySettled(b.pnr, 'refund');
    expect(l.booking?.status).toBe('cancelled');
    toRecord.set('booking-pay-refused-cancel-then-cancelled', `booking-${b.pnr}`);
    toRecord.set('bookingV2-pay-refused-cancel-then-cancelled', `booking-${b.pnr}`);
  });

  it('cancel then pay: the pay is refused and nothing is charged', async () => {
    const b = await book();
    expect((await cancel(b.pnr)).body.status).toBe('cancelled');
    const late = await pay(b.pnr);
    expect([404, 409]).toContain(late.status);
    await closed(b.pnr);
    await expectMoneySettled(b.pnr, 'release');
    expect(await inInventory(b.pnr, b.runDate)).toBe(false);
  });

  it('pay and cancel sent together, many times: every booking ends in a ticket or a release, never a stuck actor', async () => {
    const bookings = await Promise.all(Array.from({ length: 6 }, () => book()));
    await Promise.all(
      bookings.map(async (b, i) => {
        // Both in flight together; which one leaves first alternates.
        let p: ReturnType<typeof pay>;
        let c: ReturnType<typeof cancel>;
        if (i % 2 === 0) {
          p = pay(b.pnr);
          c = cancel(b.pnr);
        } else {
          c = cancel(b.pnr);
          p = pay(b.pnr);
        }
        const [paid, cancelled] = await Promise.all([p, c]);
        if (paid.status === 200 && cancelled.status === 409) {
          // The cancel lost the race to the charge: the booking is confirmed; cancelling now refunds it.
          expect(cancelled.body.error.code).toBe('PAYMENT_IN_PROGRESS');
          expect((await cancel(b.pnr)).body.status).toBe('cancelled');
        } else {
          expect(cancelled.body.status).toBe('cancelled');
        }
      }),
    );
    for (const b of bookings) {
      await closed(b.pnr);
      const l = await ledger(b.pnr);
      expect(l.booking?.status).toBe('cancelled');
      // Charged ones are refunded in full or by the rules; uncharged ones moved no money.
      if (l.charged > 0) expect(l.refundedInPostgres).toBeGreaterThan(0);
      expect(l.refundedAtGateway).toBe(l.refundedInPostgres);
    }
  });
});

describe('expiry × pay × decline × transient failure', () => {
  beforeAll(() => void (day = 92));

  it('expiry then pay: refused, the berths are released, nothing charged, and no actor was ever started', async () => {
    const b = await book();
    await sleep(Date.parse(b.holdExpiresAt) - Date.now() + 500);
    const late = await pay(b.pnr);
    expect(late.status).toBe(409);
    expect(['HOLD_EXPIRED', 'BOOKING_NOT_PAYABLE']).toContain(late.body.error.code);
    // A hold nobody acted on ends in its inventory, which records it expired: no booking actor at all.
    await until(`booking ${b.pnr} recorded expired`, async () => (await ledger(b.pnr)).booking?.status, (s) => s === 'expired');
    await expect(handle(b.pnr).describe()).rejects.toThrow(/not found/);
    await expectMoneySettled(b.pnr, 'release');
  });

  it('a slow payment that starts just before expiry still confirms (the inventory keeps a grace)', async () => {
    const b = await book();
    // The slow card takes 3 s: the charge starts before the deadline and ends after it.
    await sleep(Date.parse(b.holdExpiresAt) - Date.now() - 2000);
    await payConfirmed(b.pnr, CARDS.slow);
    await expectMoneySettled(b.pnr, 'ticket');
  });

  it('decline then cancel: the booking has ended, the cancel is refused, no money moved', async () => {
    const b = await book();
    const declined = await pay(b.pnr, CARDS.declined);
    expect(declined.status).toBe(402);
    expect(declined.body.error.code).toBe('PAYMENT_DECLINED');
    const c = await cancel(b.pnr);
    expect([404, 409]).toContain(c.status);
    await closed(b.pnr);
    await expectMoneySettled(b.pnr, 'release');
  });

  it('transient gateway failures are retried: one charge, one ticket', async () => {
    const b = await book();
    await payConfirmed(b.pnr, CARDS.transient);
    const [charge] = await rows<{ attempts: number }>(sql`select attempts from payment_sandbox.charges where idempotency_key = ${`charge:${b.pnr}`}`);
    expect(charge?.attempts).toBeGreaterThanOrEqual(3);
    await expectMoneySettled(b.pnr, 'ticket');
  });
});

describe('failures after the charge', () => {
  beforeAll(() => void (day = 94));

  it('SMTP refusing the ticket: the booking stays confirmed, flagged for support; a resend clears the flag', async () => {
    const b = await book();
    stack.smtp.setFailing(550);
    try {
      await payConfirmed(b.pnr);
      const v = await until('the delivery to fail', () => as().get(`/bookings/${b.pnr}`), (r) => r.body.ticketDelivery === 'failed');
      expect(v.body.attention).toContain('ticket_delivery_failed');
    } finally {
      stack.smtp.setFailing(null);
    }
    expect(await workflowStatus(b.pnr)).toBe('RUNNING');
    await expectMoneySettled(b.pnr, 'ticket');
    await until(
      'the NeedsAttention search attribute',
      async () => (await handle(b.pnr).describe()).typedSearchAttributes.get(SA.NeedsAttention) ?? [],
      (v) => v.includes('ticket_delivery_failed'),
    );

    await handle(b.pnr).signal('resendTicket', { by: 'support:test', requestId: 'r-1' });
    await stack.smtp.waitFor((m) => m.subject?.includes(b.pnr) === true && m.subject.startsWith('Ticket'));
    const after = await until('the flag to clear', () => as().get(`/bookings/${b.pnr}`), (r) => r.body.ticketDelivery === 'sent');
    expect(after.body.attention).toEqual([]);
    toRecord.set('booking-ticket-undelivered-resent', `booking-${b.pnr}`);
  });

  it('SMTP answering 5xx for a while: the ticket is retried and arrives', async () => {
    const b = await book();
    const refusedBefore = stack.smtp.refused;
    stack.smtp.setFailing(554);
    await payConfirmed(b.pnr);
    await until('a refused attempt', async () => stack.smtp.refused, (n) => n > refusedBefore);
    expect((await as().get(`/bookings/${b.pnr}`)).body.ticketDelivery).toBe('pending');
    stack.smtp.setFailing(null);
    await stack.smtp.waitFor((m) => m.subject?.includes(b.pnr) === true && m.subject.startsWith('Ticket'), 40_000);
    const v = await until('the ticket to be recorded sent', () => as().get(`/bookings/${b.pnr}`), (r) => r.body.ticketDelivery === 'sent', 40_000);
    expect(v.body.attention).toEqual([]);
  }, 90_000);

  it('a refund the gateway rejects waits for support: retried in vain, then recorded by hand; the actor then closes', async () => {
    const b = await book();
    await payConfirmed(b.pnr, CARD_REFUND_BLOCKED);
    const c = await cancel(b.pnr);
    expect(c.status).toBe(200);
    expect(c.body.status).toBe('cancelled');
    expect(c.body.refundOwed).toBeGreaterThan(0);
    expect(c.body.attention).toContain('refund_rejected');
    expect(await workflowStatus(b.pnr)).toBe('RUNNING'); // not failed: waiting in support's queue
    const [rejected] = await rows<{ status: string }>(sql`select status from refunds where pnr = ${b.pnr}`);
    expect(rejected?.status).toBe('failed');
    await until(
      'the booking in the support queue',
      async () => {
        const found: string[] = [];
        for await (const wf of stack.client.workflow.list({ query: `NeedsAttention = 'refund_rejected' AND Pnr = '${b.pnr}'` })) found.push(wf.workflowId);
        return found;
      },
      (f) => f.length === 1,
    );

    const again = await handle(b.pnr).executeUpdate(retryRefundUpdate, { args: [{ by: 'support:test' }] });
    expect(again.refundOwed).toBe(c.body.refundOwed);
    await expect(handle(b.pnr).executeUpdate(retryRefundUpdate, { args: [{ by: '' }] })).rejects.toBeInstanceOf(WorkflowUpdateFailedError);

    // The support API: refused for a booking that owes nothing, then records the refund made by bank transfer.
    const staff = await staffToken(stack, 'support');
    const other = await book();
    const nothing = await api(stack, staff.token).post(`/support/bookings/${other.pnr}/record-refund`, { reference: 'X' });
    expect(nothing.status).toBe(409);
    expect(nothing.body.error.code).toBe('REFUND_NOT_OWED');
    const res = await api(stack, staff.token).post(`/support/bookings/${b.pnr}/record-refund`, { reference: 'NEFT-42' });
    expect(res.status).toBe(200);
    const settled = res.body;
    expect(settled.refundOwed).toBe(0);
    expect(settled.attention).toEqual([]);
    expect(settled.amountRefunded).toBe(c.body.refundOwed);
    await closed(b.pnr);
    const l = await expectMoneySettled(b.pnr, 'refund');
    expect(l.refundRows.map((r) => r.provider_ref)).toEqual(['manual:NEFT-42']);
    const audit = await rows<{ action: string }>(sql`select action from audit_log where entity = ${`booking:${b.pnr}`} order by id`);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['booking.refund_rejected', 'booking.retry_refund', 'booking.manual_refund']));
    toRecord.set('booking-refund-rejected-manual', `booking-${b.pnr}`);
    toRecord.set('bookingV2-refund-rejected-manual', `booking-${b.pnr}`);
  });
});

describe('worker restart × railway cancellation', () => {
  beforeAll(() => void (day = 96));

  it('the worker dies while a charge runs: one charge, the booking confirms, and a cancel then refunds it', async () => {
    const b = await book();
    const paying = pay(b.pnr, CARDS.slow);
    await until('the charge to start', () => as().get(`/bookings/${b.pnr}`), (r) => r.body.status === 'payment_pending');
    await stack.stopWorker();
    await sleep(500);
    await stack.startWorker();
    const paid = await paying;
    // The pay request may have given up waiting (202) while the worker was away; the booking confirms either way.
    expect([200, 202]).toContain(paid.status);
    await until('confirmation', () => as().get(`/bookings/${b.pnr}`), (r) => r.body.status === 'confirmed', 60_000);
    const [charge] = await rows<{ n: number }>(sql`select count(*)::int as n from payment_sandbox.charges where idempotency_key = ${`charge:${b.pnr}`} and status = 'succeeded'`);
    expect(charge?.n).toBe(1);
    expect((await cancel(b.pnr)).body.status).toBe('cancelled');
    await closed(b.pnr);
    await expectMoneySettled(b.pnr, 'refund');
  }, 90_000);

  it('the railway cancels while a payment runs: the booking confirms, then is refunded in full', async () => {
    const b = await book();
    const paying = pay(b.pnr, CARDS.slow);
    await until('the charge to start', () => as().get(`/bookings/${b.pnr}`), (r) => r.body.status === 'payment_pending');
    await handle(b.pnr).signal('railwayCancel', { reason: 'flooding', by: 'railway' });
    await paying;
    await closed(b.pnr);
    const l = await expectMoneySettled(b.pnr, 'refund');
    expect(l.refundedInPostgres).toBe(l.charged);
    expect(l.booking?.status).toBe('cancelled');
  });
});
