// A booking's actor starts with the first message anyone sends it (pay,
// cancel, support), not with the hold (docs/architecture.md, "Booking actors
// start on the first message"): these tests check that a hold makes no
// workflow, that pay and cancel start exactly one, and that a hold nobody acts
// on is freed and recorded expired without one. The last test covers holds
// that still carry their booking (sent by an API of the previous version
// during a rolling deploy): the inventory starts those actors, across
// continue-as-new, each once.
import { WorkflowNotFoundError } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { InventoryGateway } from '../../api/services/inventoryGateway';
import { BOOKING_WORKFLOW_TYPE, bookingWorkflowId, inventorySummaryQuery, inventoryTaskQueue, inventoryWorkflowId, SA, type PendingBooking } from '../../contracts';
import { fareQuote } from '../../domain/fares';
import { recordHistory, recording } from '../helpers/histories';
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
  // The first charge attempt runs in the pay's workflow task here (off by default; booking.flow and the
  // interleavings run the default), for 1 s, so the sandbox's slow card (3 s) shows the activity taking over.
  stack = await startStack('actorStart', { PAYMENT_WAIT_SECONDS: '20', PAYMENT_FIRST_ATTEMPT_TIMEOUT_MS: '1000' }, {
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
/** New frozen histories of the paths this file adds (RECORD_HISTORIES=1 writes those not yet there). */
const toRecord = new Map<string, string>();
afterAll(async () => {
  openGate();
  const { address, namespace } = stack.config.temporal;
  if (recording) for (const [name, id] of toRecord) await recordHistory(address, namespace, id, name);
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

function bookingFor(pnr: string, runDate: string): PendingBooking {
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
}

const actorOf = (pnr: string) => stack.client.workflow.getHandle(bookingWorkflowId(pnr));
const noActor = async (pnr: string) => expect(actorOf(pnr).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);

describe('booking actors start on the first message', () => {
  it('a hold makes no actor; its record and input are in Postgres; paying starts the actor once (update-with-start)', async () => {
    const held = await api(stack, traveller.token).post('/bookings', {
      trainNumber: '12951', date, classCode: '3A', from: 'MMCT', to: 'NDLS', passengers: [passenger('Meera')],
    });
    expect(held.status).toBe(201);
    const { pnr, runDate } = held.body;
    expect((await summary(runDate)).pendingStarts).toBe(0);
    await noActor(pnr);
    const recorded = await rows<{ status: string; kept: boolean }>(
      sql`select b.status, p.booking is not null as kept from bookings b join pnrs p using (pnr) where pnr = ${pnr}`,
    );
    expect(recorded).toEqual([{ status: 'held', kept: true }]);

    // Read from the held record: the same booking the 201 described; others' bookings read as absent.
    const read = await api(stack, traveller.token).get(`/bookings/${pnr}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ pnr, status: 'held', fareTotal: held.body.fareTotal, passengers: held.body.passengers });
    const stranger = await registerTraveller(stack, 'actorStart-other');
    expect((await api(stack, stranger.token).get(`/bookings/${pnr}`)).status).toBe(404);
    expect((await api(stack, stranger.token).post(`/bookings/${pnr}/payment`, { card: CARDS.ok })).status).toBe(404);
    await noActor(pnr);

    const paid = await api(stack, traveller.token).post(`/bookings/${pnr}/payment`, { card: CARDS.ok });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ pnr, status: 'confirmed', amountPaid: held.body.fareTotal });
    // Paying again answers the confirmed booking from the one actor.
    const again = await api(stack, traveller.token).post(`/bookings/${pnr}/payment`, { card: CARDS.ok });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('confirmed');

    const d = await actorOf(pnr).describe();
    expect(d.type).toBe(BOOKING_WORKFLOW_TYPE);
    expect(d.typedSearchAttributes.get(SA.Pnr)).toBe(pnr);
    expect(d.typedSearchAttributes.get(SA.BookingStatus)).toBe('confirmed');
    // The actor did not write the held record again (the API did); the sale and its record ran as local
    // activities in the workflow task that got the charge's result.
    const history = await actorOf(pnr).fetchHistory();
    // Versioned by its type, not by a patch: no patch marker, and the only upsert is the confirmed status.
    expect((history.events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toEqual([]);
    const upserted = (history.events ?? []).flatMap((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}));
    expect(upserted).toEqual([SA.BookingStatus.name]);
    const markerText = (history.events ?? [])
      .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')
      .map((e) => Object.values(e.markerRecordedEventAttributes?.details ?? {}).flatMap((p) => p.payloads ?? []).map((p) => Buffer.from(p.data ?? []).toString()).join(' '));
    expect(markerText.some((t) => t.includes('recordBookingHeld'))).toBe(false);
    // The charge too: its first attempt runs as a local activity in the task that accepted the pay, which sells,
    // records and answers it. What is left is the ticket email and two workflow tasks in all.
    for (const step of ['chargeBooking', 'confirmSeatsInInventory', 'recordBookingConfirmed']) expect(markerText.some((t) => t.includes(step))).toBe(true);
    const scheduled = (history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(scheduled).toEqual(['sendEmail']);
    // The pay was answered from the first workflow task.
    const events = history.events ?? [];
    const answeredAt = events.findIndex((e) => e.workflowExecutionUpdateCompletedEventAttributes);
    expect(events.slice(0, answeredAt).filter((e) => e.workflowTaskCompletedEventAttributes)).toHaveLength(1);
    const booked = await rows<{ n: number }>(sql`select count(*)::int as n from bookings where pnr = ${pnr} and status = 'confirmed'`);
    expect(booked[0]?.n).toBe(1);
    const charges = await rows<{ n: number }>(sql`select count(*)::int as n from payment_sandbox.charges where idempotency_key = ${`charge:${pnr}`} and status = 'succeeded'`);
    expect(charges[0]?.n).toBe(1);
    toRecord.set('bookingV2-paid', bookingWorkflowId(pnr));
    toRecord.set('inventory-confirm-batch', inventoryId(runDate));
  });

  it('a charge the gateway does not answer within the first attempt is taken over by the charge activity, and charged once', async () => {
    const held = await api(stack, traveller.token).post('/bookings', {
      trainNumber: '12951', date, classCode: '3A', from: 'MMCT', to: 'NDLS', passengers: [passenger('Nandini')],
    });
    expect(held.status).toBe(201);
    const { pnr } = held.body;
    const paid = await api(stack, traveller.token).post(`/bookings/${pnr}/payment`, { card: CARDS.slow });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ pnr, status: 'confirmed', amountPaid: held.body.fareTotal });
    const history = await actorOf(pnr).fetchHistory();
    const scheduled = (history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(scheduled).toEqual(['chargeBooking', 'sendEmail']);
    // The first attempt (a local activity) timed out while the gateway was still charging; the activity's
    // attempt, on the same key, got that charge back: one charge, one payment, nothing refunded.
    const charges = await rows<{ status: string; attempts: number }>(
      sql`select status, attempts from payment_sandbox.charges where idempotency_key = ${`charge:${pnr}`}`,
    );
    expect(charges).toEqual([{ status: 'succeeded', attempts: 2 }]);
    const money = await rows<{ paid: number; refunded: number }>(sql`select amount_paid as paid, amount_refunded as refunded from bookings where pnr = ${pnr}`);
    expect(money).toEqual([{ paid: held.body.fareTotal, refunded: 0 }]);
  });

  it('cancelling a hold starts its actor with the cancellation, which frees the berths and records it', async () => {
    const d = futureDate(86);
    const held = await api(stack, traveller.token).post('/bookings', {
      trainNumber: '12951', date: d, classCode: '3A', from: 'MMCT', to: 'NDLS', passengers: [passenger('Kiran')],
    });
    expect(held.status).toBe(201);
    const { pnr, runDate } = held.body;
    await noActor(pnr);
    expect((await summary(runDate)).held).toBe(1);
    const cancelled = await api(stack, traveller.token).post(`/bookings/${pnr}/cancel`, { reason: 'changed plans' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ pnr, status: 'cancelled', amountRefunded: 0 });
    await eventually(() => summary(runDate), (s) => s.held === 0);
    const r = await rows<{ status: string }>(sql`select status from bookings where pnr = ${pnr}`);
    expect(r[0]?.status).toBe('cancelled');
    expect((await actorOf(pnr).describe()).status.name).toBe('COMPLETED');
    toRecord.set('bookingV2-held-cancelled-on-first-message', bookingWorkflowId(pnr));
  });

  it('a hold nobody acts on ends without an actor: the inventory frees it and marks its record expired', async () => {
    const runDate = futureDate(88);
    const key = { trainNumber: '12951', runDate, classCode: '3A' };
    const gateway = new InventoryGateway(stack.client, {
      taskQueue: inventoryTaskQueue(stack.config.temporal.taskQueue),
      inventoryLimits: { holdGraceMs: 0 },
    });
    // This run's inventory is started by this gateway, with no grace after a hold's deadline.
    const pnr = await stack.app.bookingActors.reservePnr(inventoryId(runDate), traveller.userId);
    const input = { ...bookingFor(pnr, runDate), holdExpiresAt: Date.now() + 2_000, heldRecorded: true };
    const h = await gateway.hold(key, { bookingId: pnr, fromSeq: 0, toSeq: 7, passengers: input.passengers, holdExpiresAt: input.holdExpiresAt });
    expect(h.ok).toBe(true);
    // A retry of the request (same PNR, a later deadline of its own) gets the same berths and the first deadline,
    // which the API then records: the record and the inventory agree on when the hold ends.
    const again = await gateway.hold(key, { bookingId: pnr, fromSeq: 0, toSeq: 7, passengers: input.passengers, holdExpiresAt: input.holdExpiresAt + 60_000 });
    expect(again).toMatchObject({ ok: true, duplicate: true, holdExpiresAt: input.holdExpiresAt });
    await stack.app.bookingActors.recordHeld({ ...input, seats: h.ok ? h.seats : [] });
    await eventually(
      () => rows<{ status: string }>(sql`select status from bookings where pnr = ${pnr}`),
      (r) => r[0]?.status === 'expired',
    );
    const s = await summary(runDate);
    expect(s).toMatchObject({ held: 0, stats: expect.objectContaining({ expiries: 1 }) });
    await noActor(pnr);
    // The traveller is told it expired; paying is refused without starting anything.
    const read = await api(stack, traveller.token).get(`/bookings/${pnr}`);
    expect(read.body.status).toBe('expired');
    const pay = await api(stack, traveller.token).post(`/bookings/${pnr}/payment`, { card: CARDS.ok });
    expect(pay.status).toBe(409);
    expect(pay.body.error.code).toBe('BOOKING_NOT_PAYABLE');
    await noActor(pnr);
    toRecord.set('inventory-expiry-recorded', inventoryId(runDate));
  });

  it('a retry with the same Idempotency-Key after an unanswered attempt gets the same PNR', async () => {
    const inventory = inventoryId(futureDate(86));
    const first = await stack.app.bookingActors.reservePnr(inventory, traveller.userId, 'bookings:retry-1');
    const second = await stack.app.bookingActors.reservePnr(inventory, traveller.userId, 'bookings:retry-1');
    const other = await stack.app.bookingActors.reservePnr(inventory, traveller.userId, 'bookings:retry-2');
    expect(second).toBe(first);
    expect(other).not.toBe(first);
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
  const booking = (pnr: string) => bookingFor(pnr, runDate);
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
