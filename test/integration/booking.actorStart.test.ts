// The inventory starts each booking actor after its hold, in the background
// (docs/architecture.md, "Booking actors start after the hold"). These tests
// hold the start activity back to reach the moment in between — the traveller
// has a PNR, the actor does not exist yet — and check that nothing is lost:
// the booking reads as held, paying starts the actor, the late start is a no-op.
import { WorkflowNotFoundError } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { InventoryGateway } from '../../api/services/inventoryGateway';
import { bookingWorkflowId, inventorySummaryQuery, inventoryTaskQueue, inventoryWorkflowId, SA, type PendingBooking } from '../../contracts';
import { fareQuote } from '../../domain/fares';
import { api, CARDS, futureDate, passenger, registerTraveller, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
let traveller: Awaited<ReturnType<typeof registerTraveller>>;
let openGate: () => void = () => undefined;
let gate = new Promise<void>((r) => (openGate = r));
const closeGate = () => {
  gate = new Promise<void>((r) => (openGate = r));
};
const started: { bookings: number; existing: number }[] = [];

beforeAll(async () => {
  stack = await startStack('actorStart', { PAYMENT_WAIT_SECONDS: '20' }, {
    workerOptions: {
      wrapActivities: (a) => ({
        ...a,
        async startBookingActors(input) {
          await gate;
          const r = await a.startBookingActors(input);
          started.push({ bookings: input.pnrs.length, existing: r.existing });
          return r;
        },
      }),
    },
  });
  traveller = await registerTraveller(stack, 'actorStart');
});
afterAll(async () => {
  openGate();
  await stack?.close();
});

const date = futureDate(85);
const inventoryId = (runDate: string) => inventoryWorkflowId('12951', runDate, '3A');
const summary = (runDate: string) => stack.client.workflow.getHandle(inventoryId(runDate)).query(inventorySummaryQuery);
const rows = async <T>(q: ReturnType<typeof sql>) => (await stack.db.db.execute(q)).rows as T[];

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`not reached in time: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('booking actors started by the inventory', () => {
  it('answers for a held booking whose actor is not started yet, and paying starts it once', async () => {
    const held = await api(stack, traveller.token).post('/bookings', {
      trainNumber: '12951', date, classCode: '3A', from: 'MMCT', to: 'NDLS', passengers: [passenger('Meera')],
    });
    expect(held.status).toBe(201);
    const { pnr, runDate } = held.body;
    expect((await summary(runDate)).pendingStarts).toBe(1);
    await expect(stack.client.workflow.getHandle(bookingWorkflowId(pnr)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);

    // Read from the inventory's queue: the same booking the 201 described.
    const read = await api(stack, traveller.token).get(`/bookings/${pnr}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ pnr, status: 'held', fareTotal: held.body.fareTotal, passengers: held.body.passengers });
    const stranger = await registerTraveller(stack, 'actorStart-other');
    expect((await api(stack, stranger.token).get(`/bookings/${pnr}`)).status).toBe(404);

    // Paying before the inventory got to it starts the actor from the API.
    const paid = await api(stack, traveller.token).post(`/bookings/${pnr}/payment`, { card: CARDS.ok });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ pnr, status: 'confirmed', amountPaid: held.body.fareTotal });

    // The inventory's own start, let through now, finds the actor there and counts it.
    openGate();
    const after = await eventually(() => summary(runDate), (s) => s.pendingStarts === 0);
    expect(after.stats.actorsStarted).toBe(1);
    expect(started).toEqual([{ bookings: 1, existing: 1 }]);
    const booked = await rows<{ n: number }>(sql`select count(*)::int as n from bookings where pnr = ${pnr} and status = 'confirmed'`);
    expect(booked[0]?.n).toBe(1);
    const charges = await rows<{ n: number }>(sql`select count(*)::int as n from payment_sandbox.charges where idempotency_key = ${`charge:${pnr}`} and status = 'succeeded'`);
    expect(charges[0]?.n).toBe(1);
  });

  it('starts the actor of every hold, with the search attributes support staff look for', async () => {
    openGate();
    const d = futureDate(86);
    const pnrs: string[] = [];
    for (const name of ['Kiran', 'Lata', 'Mohan']) {
      const res = await api(stack, traveller.token).post('/bookings', {
        trainNumber: '12951', date: d, classCode: '3A', from: 'MMCT', to: 'NDLS', passengers: [passenger(name)],
      });
      expect(res.status).toBe(201);
      pnrs.push(res.body.pnr);
    }
    for (const pnr of pnrs) {
      const description = await eventually(
        () => stack.client.workflow.getHandle(bookingWorkflowId(pnr)).describe().catch(() => null),
        (d) => d !== null,
      );
      expect(description?.typedSearchAttributes.get(SA.Pnr)).toBe(pnr);
      expect(description?.typedSearchAttributes.get(SA.BookingStatus)).toBe('held');
      await eventually(
        () => rows<{ status: string }>(sql`select status from bookings where pnr = ${pnr}`),
        (r) => r[0]?.status === 'held',
      );
    }
    const s = await eventually(() => summary(d), (x) => x.pendingStarts === 0);
    expect(s.stats.actorsStarted).toBe(3);
  });
});

it('carries the queue of starts across continue-as-new and starts each actor once', async () => {
  closeGate();
  started.length = 0;
  const runDate = futureDate(87);
  const gateway = new InventoryGateway(stack.client, {
    taskQueue: inventoryTaskQueue(stack.config.temporal.taskQueue),
    inventoryLimits: { maxMessagesPerRun: 2 },
  });
  const key = { trainNumber: '12951', runDate, classCode: '3A' };
  const booking = (pnr: string): PendingBooking => {
    const passengers = [passenger(`CAN ${pnr.slice(-2)}`)];
    return {
      pnr,
      userId: traveller.userId,
      email: traveller.email,
      trainNumber: '12951',
      trainName: 'MUMBAI RAJDHANI',
      runDate,
      classCode: '3A',
      from: { code: 'MMCT', name: 'MUMBAI CENTRAL', seq: 0, time: `${runDate}T17:00+05:30` },
      to: { code: 'NDLS', name: 'NEW DELHI', seq: 7, time: `${runDate}T23:59+05:30` },
      departureAt: Date.parse(`${runDate}T17:00+05:30`),
      passengers,
      fare: fareQuote({ classCode: '3A', distanceKm: 1384, superfast: true, passengers }),
      holdExpiresAt: Date.now() + 600_000,
      heldAt: Date.now(),
      inventoryWorkflowId: inventoryId(runDate),
      reminderLeadMs: 86_400_000,
      paymentMaxAttempts: 3,
    };
  };
  // One hold per message, with the start activity held back: the queue grows while the actor continues as new.
  const pnrs = Array.from({ length: 6 }, (_, i) => `98765432${String(i).padStart(2, '0')}`);
  for (const pnr of pnrs) {
    const r = await gateway.hold(key, { bookingId: pnr, fromSeq: 0, toSeq: 7, passengers: booking(pnr).passengers, holdExpiresAt: Date.now() + 600_000, booking: booking(pnr) });
    expect(r.ok).toBe(true);
  }
  const before = await summary(runDate);
  expect(before.stats.runs).toBeGreaterThan(1);
  expect(before.pendingStarts).toBeGreaterThan(0);

  openGate();
  const after = await eventually(() => summary(runDate), (s) => s.pendingStarts === 0);
  expect(after.stats.holds).toBe(6);
  for (const pnr of pnrs) {
    const d = await eventually(() => stack.client.workflow.getHandle(bookingWorkflowId(pnr)).describe().catch(() => null), (x) => x !== null);
    expect(d?.status.name).toBe('RUNNING');
  }
  // Starts abandoned by an earlier run are repeated by the next one: one actor and one record per booking.
  await eventually(
    () => rows<{ n: number }>(sql`select count(*)::int as n from bookings where pnr in (${sql.join(pnrs.map((p) => sql`${p}`), sql`, `)})`),
    (r) => r[0]?.n === 6,
  );
});
