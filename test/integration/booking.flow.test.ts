// The booking actor end to end through the API, on the real dev server,
// Postgres, Redis and an SMTP server: hold, pay, ticket; expiry; declines and
// retries; duplicate payment; cancellation with refund; idempotent POSTs.
import { sql } from 'drizzle-orm';
import { recordHistory, recording } from '../helpers/histories';
import { api, CARDS, futureDate, passenger, registerTraveller, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
let traveller: Awaited<ReturnType<typeof registerTraveller>>;

beforeAll(async () => {
  stack = await startStack('flow', { HOLD_TTL_SECONDS: '4', PAYMENT_WAIT_SECONDS: '20' });
  traveller = await registerTraveller(stack, 'flow');
});
const toRecord = new Map<string, string>();
afterAll(async () => {
  const { address, namespace } = stack.config.temporal;
  if (recording) for (const [name, id] of toRecord) await recordHistory(address, namespace, id, name);
  await stack?.close();
});

const rows = async <T>(q: ReturnType<typeof sql>) => (await stack.db.db.execute(q)).rows as T[];

const book = (token: string, over: Record<string, unknown> = {}, headers?: Record<string, string>) =>
  api(stack, token).post(
    '/bookings',
    { trainNumber: '12951', date: futureDate(30), classCode: '3A', from: 'MMCT', to: 'NDLS', passengers: [passenger('Asha')], ...over },
    headers,
  );

async function waitForStatus(pnr: string, status: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api(stack, traveller.token).get(`/bookings/${pnr}`);
    if (res.body.status === status) return res.body;
    if (Date.now() > deadline) throw new Error(`booking ${pnr} is ${res.body.status}, not ${status}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('booking lifecycle', () => {
  it('holds, takes payment, confirms, records and emails the ticket', async () => {
    const held = await book(traveller.token, { passengers: [passenger('Asha', 34), passenger('Ravi', 66, 'M')] });
    expect(held.status).toBe(201);
    const b = held.body;
    expect(b).toMatchObject({ status: 'held', trainNumber: '12951', classCode: '3A', from: { code: 'MMCT' }, to: { code: 'NDLS' } });
    expect(b.pnr).toMatch(/^\d{10}$/);
    expect(b.passengers.every((p: { coach: string; berthNo: number }) => p.coach && p.berthNo)).toBe(true);
    expect(b.fareTotal).toBeGreaterThan(0);
    expect(Date.parse(b.holdExpiresAt)).toBeGreaterThan(Date.now());

    const paid = await api(stack, traveller.token).post(`/bookings/${b.pnr}/payment`, { card: CARDS.ok });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: 'confirmed', amountPaid: b.fareTotal, holdExpiresAt: null });

    const mail = await stack.smtp.waitFor((m) => m.subject?.includes(b.pnr) === true && m.subject.startsWith('Ticket'));
    expect(mail.text).toContain('12951');
    expect(mail.text).toContain(b.runDate);
    for (const p of paid.body.passengers) expect(mail.text).toContain(`${p.coach}/${p.berthNo}`);
    expect(mail.text).toContain(`₹${(b.fareTotal / 100).toFixed(2)}`);

    const [booking] = await rows<{ status: string; amount_paid: number }>(sql`select status, amount_paid from bookings where pnr = ${b.pnr}`);
    expect(booking).toEqual({ status: 'confirmed', amount_paid: b.fareTotal });
    const seats = await rows(sql`select coach, berth_no from seat_allocations where pnr = ${b.pnr} and status = 'confirmed'`);
    expect(seats).toHaveLength(2);

    toRecord.set('booking-confirmed', `booking-${b.pnr}`);
    toRecord.set('bookingV2-confirmed', `booking-${b.pnr}`);
    const history = await api(stack, traveller.token).get('/bookings');
    expect(history.body.bookings.map((x: { pnr: string }) => x.pnr)).toContain(b.pnr);
  });

  it('releases an unpaid hold when it expires, and the berth is sold again', async () => {
    // 1A on this train is one coach of 24 berths: fill it, let one hold lapse, book again.
    const date = futureDate(31);
    const one = (n: number) => ({ date, classCode: '1A', confirmedOnly: true, passengers: Array.from({ length: n }, (_, i) => passenger(`P${i}`)) });
    const held = [];
    for (let i = 0; i < 4; i++) held.push(await book(traveller.token, one(6)));
    expect(held.map((h) => h.status)).toEqual([201, 201, 201, 201]);
    const full = await book(traveller.token, one(1));
    expect(full.status).toBe(409);
    expect(full.body.error.code).toBe('NO_SEATS_AVAILABLE');

    // Keep three holds alive by paying for them; the fourth lapses.
    for (const h of held.slice(0, 3)) {
      expect((await api(stack, traveller.token).post(`/bookings/${h.body.pnr}/payment`, { card: CARDS.ok })).status).toBe(200);
    }
    const lapsed = held[3]!.body.pnr;
    const expired = await waitForStatus(lapsed, 'expired');
    expect(expired.holdExpiresAt).toBeNull();
    const late = await api(stack, traveller.token).post(`/bookings/${lapsed}/payment`, { card: CARDS.ok });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('BOOKING_NOT_PAYABLE');
    // Nobody acted on the hold, so it has no actor: its inventory frees the berths at the deadline and then
    // records it expired (the traveller is told "expired" from the deadline on, a moment before that).
    for (let i = 0; i < 100; i++) {
      const [r] = await rows<{ status: string }>(sql`select status from bookings where pnr = ${lapsed}`);
      if (r?.status === 'expired') break;
      await new Promise((res) => setTimeout(res, 100));
    }

    const again = await book(traveller.token, one(6));
    expect(again.status).toBe(201);
    toRecord.set('booking-expired', `booking-${lapsed}`);
    toRecord.set('inventory-1A', `inventory-12951-${again.body.runDate}-1A`);
    const [row] = await rows<{ status: string }>(sql`select status from bookings where pnr = ${lapsed}`);
    expect(row?.status).toBe('expired');
  });

  it('retries transient gateway failures until the charge succeeds', async () => {
    const { body } = await book(traveller.token, { date: futureDate(32) });
    const paid = await api(stack, traveller.token).post(`/bookings/${body.pnr}/payment`, { card: CARDS.transient });
    expect(paid.body.status).toBe('confirmed');
    const [p] = await rows<{ status: string; attempts: number }>(sql`select status, attempts from payments where pnr = ${body.pnr}`);
    expect(p).toEqual({ status: 'succeeded', attempts: 3 });
  });

  it('releases the berths when the card is declined', async () => {
    const date = futureDate(33);
    const avail = async () =>
      (await api(stack).get(`/trains/12951/availability?date=${date}&from=MMCT&to=NDLS&classCode=1A`)).body.classes[0].available;
    const before = await avail();
    const { body } = await book(traveller.token, { date, classCode: '1A', passengers: [passenger('A'), passenger('B')] });
    expect(await avail()).toBe(before - 2);
    const paid = await api(stack, traveller.token).post(`/bookings/${body.pnr}/payment`, { card: CARDS.declined });
    expect(paid.status).toBe(402);
    expect(paid.body.error.code).toBe('PAYMENT_DECLINED');
    expect(paid.body.error.details.booking.status).toBe('payment_failed');
    // The release is a signal: give the inventory a moment.
    for (let i = 0; i < 40 && (await avail()) !== before; i++) await new Promise((r) => setTimeout(r, 250));
    expect(await avail()).toBe(before);
    const [p] = await rows<{ status: string }>(sql`select status from payments where pnr = ${body.pnr}`);
    expect(p?.status).toBe('declined');
    toRecord.set('booking-declined', `booking-${body.pnr}`);
    toRecord.set('bookingV2-declined', `booking-${body.pnr}`);
  });

  it('charges once when the payment request is sent twice at the same time', async () => {
    const { body } = await book(traveller.token, { date: futureDate(34) });
    const client = api(stack, traveller.token);
    const [a, b] = await Promise.all([
      client.post(`/bookings/${body.pnr}/payment`, { card: CARDS.ok }),
      client.post(`/bookings/${body.pnr}/payment`, { card: CARDS.ok }),
    ]);
    expect([a.body.status, b.body.status]).toEqual(['confirmed', 'confirmed']);
    const charges = await rows(sql`select id from payment_sandbox.charges where idempotency_key = ${`charge:${body.pnr}`} and status = 'succeeded'`);
    expect(charges).toHaveLength(1);
    expect(await rows(sql`select id from payments where pnr = ${body.pnr}`)).toHaveLength(1);
  });

  it('cancels a confirmed booking: refund recorded, berth back in inventory and sold again', async () => {
    const date = futureDate(35);
    const six = { date, classCode: '1A', confirmedOnly: true, passengers: Array.from({ length: 6 }, (_, i) => passenger(`C${i}`)) };
    const bookings: string[] = [];
    for (let i = 0; i < 4; i++) {
      const h = await book(traveller.token, six);
      await api(stack, traveller.token).post(`/bookings/${h.body.pnr}/payment`, { card: CARDS.ok });
      bookings.push(h.body.pnr as string);
    }
    expect((await book(traveller.token, { ...six, passengers: [passenger('X')] })).body.error.code).toBe('NO_SEATS_AVAILABLE');

    const cancelled = await api(stack, traveller.token).post(`/bookings/${bookings[0]}/cancel`, { reason: 'plans changed' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.amountRefunded).toBeGreaterThan(0);
    expect(cancelled.body.amountRefunded).toBeLessThan(cancelled.body.amountPaid);

    const [refund] = await rows<{ status: string; amount: number }>(sql`select status, amount from refunds where pnr = ${bookings[0]}`);
    expect(refund).toEqual({ status: 'succeeded', amount: cancelled.body.amountRefunded });
    const live = await rows(sql`select id from seat_allocations where pnr = ${bookings[0]} and status = 'confirmed'`);
    expect(live).toHaveLength(0);
    await stack.smtp.waitFor((m) => m.subject?.startsWith(`Cancelled PNR ${bookings[0]}`) === true);

    let again;
    for (let i = 0; i < 40; i++) {
      again = await book(traveller.token, six);
      if (again.status === 201) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(again?.status).toBe(201);
    toRecord.set('booking-cancelled', `booking-${bookings[0]}`);
    toRecord.set('bookingV2-cancelled', `booking-${bookings[0]}`);
  });
});

describe('requests', () => {
  it('makes a retried POST /bookings with the same Idempotency-Key return the first answer', async () => {
    const headers = { 'idempotency-key': `flow-${Date.now()}` };
    const first = await book(traveller.token, { date: futureDate(36) }, headers);
    const retry = await book(traveller.token, { date: futureDate(36) }, headers);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body.pnr).toBe(first.body.pnr);
    const reused = await book(traveller.token, { date: futureDate(36), classCode: '2A' }, headers);
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('shows a booking only to its owner and support staff', async () => {
    const { body } = await book(traveller.token, { date: futureDate(36) });
    const other = await registerTraveller(stack, 'other');
    const res = await api(stack, other.token).get(`/bookings/${body.pnr}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('BOOKING_NOT_FOUND');
    expect((await api(stack).get(`/bookings/${body.pnr}`)).status).toBe(401);
  });

  it.each([
    [{ trainNumber: '99999' }, 404, 'TRAIN_NOT_FOUND'],
    [{ from: 'CSMT' }, 400, 'STATION_NOT_ON_ROUTE'],
    [{ from: 'NDLS', to: 'MMCT' }, 400, 'STATION_NOT_ON_ROUTE'],
    [{ classCode: 'SL' }, 400, 'CLASS_NOT_ON_TRAIN'],
    [{ date: '2020-01-01' }, 400, 'TRAIN_DEPARTED'],
    [{ date: futureDate(400) }, 400, 'OUTSIDE_BOOKING_WINDOW'],
    [{ date: '2026-02-30' }, 400, 'VALIDATION_ERROR'],
    [{ passengers: [] }, 400, 'VALIDATION_ERROR'],
    [{ passengers: Array.from({ length: 7 }, () => passenger('X')) }, 400, 'VALIDATION_ERROR'],
    [{ passengers: [passenger('Baby', 2)] }, 400, 'INVALID_PASSENGERS'],
    [{ passengers: [{ name: 'A', age: 30, gender: 'F', berthPreference: 'XX' }] }, 400, 'VALIDATION_ERROR'],
  ])('refuses %j with %i %s', async (over, status, code) => {
    const res = await book(traveller.token, over);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });

  it('refuses a bad card before it reaches the booking', async () => {
    const { body } = await book(traveller.token, { date: futureDate(37) });
    const res = await api(stack, traveller.token).post(`/bookings/${body.pnr}/payment`, {
      card: { ...CARDS.ok, number: '4111 1111 1111 1112' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('CARD_INVALID');
  });
});
