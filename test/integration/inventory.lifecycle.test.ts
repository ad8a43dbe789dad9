// The inventory actor's lifecycle on the real dev server, Postgres and Redis:
// an actor terminated by hand is followed by one rebuilt from Postgres (never
// an empty one); an actor whose train has left ends itself and writes its
// final state; the start activity's failures neither lose bookings nor hold
// back continue-as-new; and what a run hands to the next stays small.
// Run dates: 115–118 days ahead, and a run of 12952 two days ago.
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { sql } from 'drizzle-orm';
import { InventoryGateway } from '../../api/services/inventoryGateway';
import {
  bookingWorkflowId,
  inventorySummaryQuery,
  inventoryTaskQueue,
  inventoryWorkflowId,
  seatMapQuery,
  type HoldRequest,
  type InventoryInput,
  type PendingBooking,
} from '../../contracts';
import { allocate, confirm, createInventory } from '../../domain/allocation';
import { localDateTime } from '../../domain/calendar';
import { fareQuote } from '../../domain/fares';
import { lastBoardingDeparture } from '../../db/repositories/inventory';
import { recording, writeHistoryFixture } from '../helpers/histories';
import { api, CARDS, futureDate, passenger, registerTraveller, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
let traveller: Awaited<ReturnType<typeof registerTraveller>>;
/** Inventories whose start activity fails on purpose, while set. */
const failingStarts = new Set<string>();
const startAttempts = new Map<string, number>();
/** Activities held back until the test opens their gate, to reach a moment without racing a clock. */
class Gate {
  open: () => void = () => undefined;
  readonly passed = new Promise<void>((r) => (this.open = r));
}
const timetableGates = new Map<string, Gate>();
const closeGates = new Map<string, Gate>();

beforeAll(async () => {
  stack = await startStack('lifecycle', { PAYMENT_WAIT_SECONDS: '20' }, {
    workerOptions: {
      wrapActivities: (a) => ({
        ...a,
        async startBookingActors(input) {
          startAttempts.set(input.inventoryWorkflowId, (startAttempts.get(input.inventoryWorkflowId) ?? 0) + 1);
          if (failingStarts.has(input.inventoryWorkflowId)) throw new Error('test: the start activity fails');
          return a.startBookingActors(input);
        },
        async rebuildInventory(input) {
          // A run that left days ago is long past its chart time: its actor would prepare the chart at once and
          // refuse the holds this file needs to end it with. Those runs get no chart time here, as from a worker
          // that does not tell one (the chart is railway.waitlist's).
          const rebuilt = await a.rebuildInventory(input);
          if (input.runDate < futureDate(0)) delete rebuilt.chartAt;
          return rebuilt;
        },
        async loadInventoryTimetable(input) {
          await timetableGates.get(`${input.trainNumber}|${input.runDate}`)?.passed;
          return a.loadInventoryTimetable(input);
        },
        async recordInventoryClosed(record) {
          await closeGates.get(record.workflowId)?.passed;
          return a.recordInventoryClosed(record);
        },
      }),
    },
  });
  traveller = await registerTraveller(stack, 'lifecycle');
});
afterAll(async () => {
  await stack?.close();
});

const rows = async <T>(q: ReturnType<typeof sql>) => (await stack.db.db.execute(q)).rows as T[];
const handleOf = (key: { trainNumber: string; runDate: string; classCode: string }) =>
  stack.client.workflow.getHandle(inventoryWorkflowId(key.trainNumber, key.runDate, key.classCode));

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read().catch((err: unknown) => err as T);
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`not reached in time: ${v instanceof Error ? v.message : JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const gatewayFor = (limits?: InventoryInput['limits']) =>
  new InventoryGateway(stack.client, { taskQueue: inventoryTaskQueue(stack.config.temporal.taskQueue), ...(limits ? { inventoryLimits: limits } : {}) });

const holdReq = (bookingId: string, fromSeq: number, toSeq: number, n = 1): HoldRequest => ({
  bookingId,
  fromSeq,
  toSeq,
  passengers: Array.from({ length: n }, (_, i) => passenger(`${bookingId}-${i}`)),
  holdExpiresAt: Date.now() + 3_600_000,
});

it('rebuilds a terminated inventory from Postgres: sold and held berths stay taken, and the held one can still be paid', async () => {
  const date = futureDate(115);
  const book = (names: string[]) =>
    api(stack, traveller.token).post('/bookings', {
      trainNumber: '12951', date, classCode: '1A', from: 'MMCT', to: 'NDLS', passengers: names.map((n) => passenger(n)),
    });
  const sold = await book(['Asha', 'Bina']);
  expect(sold.status).toBe(201);
  const key = { trainNumber: '12951', runDate: sold.body.runDate as string, classCode: '1A' };
  const paid = await api(stack, traveller.token).post(`/bookings/${sold.body.pnr}/payment`, { card: CARDS.ok });
  expect(paid.status).toBe(200);
  const held = await book(['Chitra']);
  expect(held.status).toBe(201);
  await eventually(
    () => rows<{ status: string }>(sql`select status from bookings where pnr = ${held.body.pnr}`),
    (r) => r[0]?.status === 'held',
  );
  // A hold whose booking actor never wrote a record: the one thing a rebuild cannot know.
  const gateway = gatewayFor();
  expect((await gateway.hold(key, holdReq('9000000001', 0, 7))).ok).toBe(true);
  const handle = handleOf(key);
  expect(await handle.query(inventorySummaryQuery)).toMatchObject({ sold: 1, held: 2 });

  await handle.terminate('test: terminated by hand');

  // The next hold starts a new actor (the policy allows a new run only after a failed or terminated one),
  // which places every sale and recorded hold back before answering.
  const first = await gateway.hold(key, holdReq('9000000002', 0, 7));
  expect(first.ok).toBe(true);
  const summary = await handle.query(inventorySummaryQuery);
  expect(summary.stats.rebuilt).toEqual({ sold: 1, held: 1, conflicts: 0 });
  expect(summary).toMatchObject({ sold: 1, held: 2, berths: 24 });

  const map = await handle.query(seatMapQuery);
  const holderOf = new Map<string, unknown>(
    map.coaches.flatMap((c) => c.berths.flatMap((b) => b.occupied.map((o) => [`${c.coach}/${b.berthNo}`, o] as const))),
  );
  const soldSeats = (paid.body.passengers as { coach: string; berthNo: number }[]).map((p) => `${p.coach}/${p.berthNo}`);
  const heldSeats = (held.body.passengers as { coach: string; berthNo: number }[]).map((p) => `${p.coach}/${p.berthNo}`);
  for (const seat of soldSeats) expect(holderOf.get(seat)).toMatchObject({ bookingId: sold.body.pnr, status: 'sold' });
  for (const seat of heldSeats) expect(holderOf.get(seat)).toMatchObject({ bookingId: held.body.pnr, status: 'held' });

  // Fill the coach: exactly the 24 − 3 berths not sold or held are given (the unrecorded hold's berth is free again),
  // and none of them is a berth already sold or held.
  const fill = await Promise.all(Array.from({ length: 24 }, (_, i) => gateway.hold(key, holdReq(String(9000000100 + i), 0, 7))));
  const given = [first, ...fill].filter((r) => r.ok);
  expect(given).toHaveLength(21);
  expect(fill.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'NO_CAPACITY')).toBe(true);
  const newSeats = given.flatMap((r) => (r.ok ? r.seats.map((s) => `${s.coach}/${s.berthNo}`) : []));
  expect(new Set(newSeats).size).toBe(21);
  for (const seat of [...soldSeats, ...heldSeats]) expect(newSeats).not.toContain(seat);

  // The restored hold is a real one: paying it confirms the berths it was given before the termination.
  const paidLater = await api(stack, traveller.token).post(`/bookings/${held.body.pnr}/payment`, { card: CARDS.ok });
  expect(paidLater.status).toBe(200);
  expect(paidLater.body.status).toBe('confirmed');
  const seats = await rows<{ pnr: string; coach: string; berth_no: number }>(
    sql`select pnr, coach, berth_no from seat_allocations where pnr in (${sold.body.pnr}, ${held.body.pnr}) and status = 'confirmed' order by pnr, passenger_idx`,
  );
  expect(seats.filter((s) => s.pnr === held.body.pnr).map((s) => `${s.coach}/${s.berth_no}`)).toEqual(heldSeats);
}, 120_000);

it('ends itself after its train has left, with its final state in Postgres, and never starts again', async () => {
  const runDate = futureDate(-2);
  const key = { trainNumber: '12952', runDate, classCode: '1A' };
  const last = await lastBoardingDeparture(stack.db.db, key.trainNumber, runDate);
  const lastBoardingAt = Date.parse(localDateTime(runDate, last!.departureDay, last!.departureMin)) + last!.delayMin * 60_000;
  expect(lastBoardingAt).toBeLessThan(Date.now());
  // No grace: the actor is due to end as soon as it starts. It first reads the departure again, and the test
  // holds that read back until it has placed a hold; then it holds back the final write to try a hold meanwhile.
  const timetableGate = new Gate();
  const closeGate = new Gate();
  const handle = handleOf(key);
  timetableGates.set(`${key.trainNumber}|${runDate}`, timetableGate);
  closeGates.set(handle.workflowId, closeGate);
  const gateway = gatewayFor({ closeGraceMs: 0 });
  const before = await gateway.hold(key, holdReq('9100000001', 0, 6, 2));
  expect(before.ok).toBe(true);
  expect(await handle.query(inventorySummaryQuery)).toMatchObject({ lastBoardingAt, departed: false, held: 1 });

  timetableGate.open();
  await eventually(() => handle.query(inventorySummaryQuery), (s) => s.departed === true);
  // Departed, still running (its final write is held back): the validator refuses the hold, final at once.
  const t0 = Date.now();
  await expect(gateway.hold(key, holdReq('9100000003', 0, 6))).rejects.toMatchObject({ code: 'TRAIN_DEPARTED' });
  expect(Date.now() - t0).toBeLessThan(3_000);
  expect((await handle.describe()).status.name).toBe('RUNNING');

  closeGate.open();
  const done = await eventually(() => handle.describe(), (d) => d.status.name === 'COMPLETED');
  expect(done.status.name).toBe('COMPLETED');
  const audit = await rows<{ actor: string; details: Record<string, unknown> }>(
    sql`select actor, details from audit_log where entity = ${`inventory:${handle.workflowId}`} and action = 'inventory.closed'`,
  );
  expect(audit).toHaveLength(1);
  expect(audit[0]!.details).toMatchObject({ trainNumber: '12952', runDate, classCode: '1A', berths: 24, held: 1, sold: 0, lastBoardingAt });
  expect((await handle.query(inventorySummaryQuery)).departed).toBe(true);

  // A hold now would need a new actor; the completed one may not be followed by another: a final TRAIN_DEPARTED.
  await expect(gateway.hold(key, holdReq('9100000002', 0, 6))).rejects.toMatchObject({ code: 'TRAIN_DEPARTED' });
  const runs = await rows<{ n: number }>(sql`select count(*)::int as n from audit_log where entity = ${`inventory:${handle.workflowId}`}`);
  expect(runs[0]?.n).toBe(1);
}, 60_000);

it('keeps every queued booking while the start activity fails, without holding back continue-as-new', async () => {
  const runDate = futureDate(117);
  const key = { trainNumber: '12951', runDate, classCode: '3A' };
  const id = inventoryWorkflowId(key.trainNumber, runDate, key.classCode);
  failingStarts.add(id);
  const gateway = gatewayFor({ maxMessagesPerRun: 2, startRetryPauseMs: 500 });
  const booking = (pnr: string): PendingBooking => {
    const passengers = [passenger(`LC ${pnr.slice(-2)}`)];
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
      inventoryWorkflowId: id,
      reminderLeadMs: 86_400_000,
      paymentMaxAttempts: 3,
    };
  };
  const pnrs = Array.from({ length: 6 }, (_, i) => `91170000${String(i).padStart(2, '0')}`);
  for (const pnr of pnrs) {
    const b = booking(pnr);
    expect((await gateway.hold(key, { ...holdReq(pnr, 0, 7), passengers: b.passengers, holdExpiresAt: b.holdExpiresAt, booking: b })).ok).toBe(true);
  }
  const handle = handleOf(key);
  // Failing starts did not stop the hand-overs: three runs for six messages, the queue carried whole.
  const during = await handle.query(inventorySummaryQuery);
  expect(during.stats.runs).toBeGreaterThanOrEqual(3);
  expect(during.pendingStarts).toBe(6);
  // One scheduling gives up after its bounded attempts (4), and the loop comes back to it.
  const failed = await eventually(() => handle.query(inventorySummaryQuery), (s) => (s.stats.startFailures ?? 0) >= 1);
  expect(failed.pendingStarts).toBe(6);
  expect(failed.stats.actorsStarted).toBe(0);

  failingStarts.delete(id);
  const after = await eventually(() => handle.query(inventorySummaryQuery), (s) => s.pendingStarts === 0);
  expect(after.stats.actorsStarted).toBe(6);
  for (const pnr of pnrs) {
    const d = await eventually(() => stack.client.workflow.getHandle(bookingWorkflowId(pnr)).describe(), (x) => (x as { status?: { name?: string } })?.status?.name === 'RUNNING');
    expect(d.status.name).toBe('RUNNING');
  }
}, 90_000);

it('hands a compact state to the next run, and a run started from it continues as new again', async () => {
  // The largest class of the largest train (18237 SL: 85 stops, 720 berths), many short segments.
  const runDate = futureDate(118);
  const key = { trainNumber: '18237', runDate, classCode: 'SL' };
  const gateway = gatewayFor({ maxMessagesPerRun: 3 });
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const results = [];
  for (let wave = 0; wave < 4; wave++) {
    results.push(
      ...(await Promise.all(
        Array.from({ length: 100 }, (_, i) => {
          const from = Math.floor(random() * 83);
          return gateway.hold(key, holdReq(String(9180000000 + wave * 100 + i), from, Math.min(84, from + 1 + Math.floor(random() * 5)), 1 + (i % 2)));
        }),
      )),
    );
  }
  expect(results.every((r) => r.ok)).toBe(true);
  const handle = handleOf(key);
  const summary = await handle.query(inventorySummaryQuery);
  expect(summary.held).toBe(400);
  expect(summary.stats.runs).toBeGreaterThanOrEqual(3);

  // The input of the current run, as the server stores it: the compact form, and the size the actor measured.
  const latest = await handle.describe();
  const history = await stack.client.workflow.getHandle(handle.workflowId, latest.runId).fetchHistory();
  const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
  const payload = started.input!.payloads![0]!.data!;
  const input = JSON.parse(Buffer.from(payload).toString('utf8')) as InventoryInput;
  expect(input.carried?.compact).toBeDefined();
  expect(input.carried?.state).toBeUndefined();
  expect(payload.length).toBeLessThan(512 * 1024);
  expect(summary.stats.lastCarryBytes).toBeGreaterThan(0);
  expect(Math.abs(payload.length - summary.stats.lastCarryBytes!)).toBeLessThan(2_000);

  // The run before it started from carried state and continued as new: that history spans continue-as-new.
  const previousRunId = started.continuedExecutionRunId!;
  const previous = await stack.client.workflow.getHandle(handle.workflowId, previousRunId).fetchHistory();
  const prevStart = previous.events![0]!.workflowExecutionStartedEventAttributes!;
  expect(prevStart.continuedExecutionRunId).toBeTruthy();
  expect(previous.events!.at(-1)!.eventType).toBe(temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
  if (recording) await writeHistoryFixture('inventory-continued', JSON.stringify(JSON.parse(historyToJSON(previous)), null, 2));
}, 120_000);

it('accepts the plain carried state of a run from before the compact carry', async () => {
  const runDate = futureDate(116);
  const key = { trainNumber: '12951', runDate, classCode: '2A' };
  const handle = handleOf(key);
  // What an older run handed on: the whole state object, closed ids as a map, no departure time.
  const state = createInventory({
    stopCount: 8,
    berths: Array.from({ length: 144 }, (_, i) => ({ coach: `A${Math.floor(i / 48) + 1}`, berthNo: (i % 48) + 1, type: 'LB' as const })),
  });
  expect(allocate(state, { ...holdReq('9116000001', 0, 7, 2), holdExpiresAt: Date.now() + 3_600_000 }).ok).toBe(true);
  confirm(state, '9116000001');
  await stack.client.workflow.start('inventoryWorkflow', {
    workflowId: handle.workflowId,
    taskQueue: inventoryTaskQueue(stack.config.temporal.taskQueue),
    args: [
      {
        ...key,
        carried: {
          state,
          closed: { '9116000009': Date.now() },
          stats: { runs: 4, holds: 1, holdFailures: 0, confirms: 1, releases: 1, expiries: 0, batches: 1, largestBatch: 1 },
        },
      } satisfies InventoryInput,
    ],
  });
  const gateway = gatewayFor();
  const next = await gateway.hold(key, holdReq('9116000002', 0, 7));
  expect(next.ok).toBe(true);
  expect(await gateway.hold(key, holdReq('9116000009', 0, 7))).toMatchObject({ ok: false, reason: 'BOOKING_CLOSED' });
  const summary = await eventually(() => handle.query(inventorySummaryQuery), (s) => s.lastBoardingAt !== undefined);
  expect(summary).toMatchObject({ sold: 1, held: 1, stats: { runs: 5 } });
  const soldSeats = state.bookings['9116000001']!.berths.map((i) => `${state.berths[i]!.coach}/${state.berths[i]!.berthNo}`);
  const nextSeats = next.ok ? next.seats.map((s) => `${s.coach}/${s.berthNo}`) : [];
  for (const seat of soldSeats) expect(nextSeats).not.toContain(seat);
});
