// An inventory actor driven past its continue-as-new point keeps its state
// and its answers: holds, sales, releases and deduplication by booking id
// all survive into the next runs, and requests that arrive during the
// hand-over are retried by the API's gateway rather than lost.
import {
  availabilityQuery,
  inventorySummaryQuery,
  inventoryTaskQueue,
  inventoryWorkflowId,
  releaseSeatsSignal,
  seatMapQuery,
} from '../../contracts';
import { InventoryGateway } from '../../api/services/inventoryGateway';
import { futureDate, passenger, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('can');
});
afterAll(async () => {
  await stack?.close();
});

const hold = (bookingId: string, fromSeq: number, toSeq: number, n = 1) => ({
  bookingId,
  fromSeq,
  toSeq,
  passengers: Array.from({ length: n }, (_, i) => passenger(`${bookingId}-${i}`)),
  holdExpiresAt: Date.now() + 3_600_000,
});

it('carries seats, releases and dedupe across several runs', async () => {
  const key = { trainNumber: '12951', runDate: futureDate(50), classCode: '1A' };
  const id = inventoryWorkflowId(key.trainNumber, key.runDate, key.classCode);
  const gateway = new InventoryGateway(stack.client, {
    taskQueue: inventoryTaskQueue(stack.config.temporal.taskQueue),
    inventoryLimits: { maxMessagesPerRun: 4 },
  });

  // 12 sequential holds: the actor continues as new every 4 messages.
  const first = [];
  for (let i = 0; i < 12; i++) first.push(await gateway.hold(key, hold(`B${i}`, 0, 7)));
  expect(first.every((r) => r.ok)).toBe(true);
  const handle = stack.client.workflow.getHandle(id);
  const summary = await handle.query(inventorySummaryQuery);
  expect(summary.stats.runs).toBeGreaterThanOrEqual(3);
  expect(summary.held).toBe(12);

  // A repeated hold of a booking placed two runs ago returns the same seats.
  const again = await gateway.hold(key, hold('B0', 0, 7));
  expect(again).toEqual({ ...first[0], duplicate: true });

  // Release one, then try to hold it again: refused as closed, even after more runs.
  await handle.signal(releaseSeatsSignal, { bookingId: 'B1', reason: 'cancelled' });
  for (let i = 12; i < 20; i++) await gateway.hold(key, hold(`B${i}`, 0, 7));
  const reopened = await gateway.hold(key, hold('B1', 0, 7));
  expect(reopened).toMatchObject({ ok: false, reason: 'BOOKING_CLOSED' });

  const after = await handle.query(inventorySummaryQuery);
  expect(after.stats.runs).toBeGreaterThan(summary.stats.runs);
  expect(after.held).toBe(19); // 20 held, one released
  expect((await handle.query(availabilityQuery, { fromSeq: 0, toSeq: 7 })).available).toBe(24 - 19);
  const map = await handle.query(seatMapQuery);
  const holders = map.coaches.flatMap((c) => c.berths.flatMap((b) => b.occupied.map((o) => o.bookingId)));
  expect(new Set(holders).size).toBe(19);
  expect(holders).not.toContain('B1');
});

it('answers every one of a burst of concurrent holds across continue-as-new', async () => {
  const key = { trainNumber: '12951', runDate: futureDate(51), classCode: '3A' };
  const gateway = new InventoryGateway(stack.client, {
    taskQueue: stack.config.temporal.taskQueue,
    inventoryLimits: { maxMessagesPerRun: 3 },
    maxBatch: 5,
  });
  const results = await Promise.all(Array.from({ length: 60 }, (_, i) => gateway.hold(key, hold(`R${i}`, i % 7, 7, 1 + (i % 3)))));
  expect(results.filter((r) => !r.ok)).toEqual([]);
  const summary = await stack.client.workflow
    .getHandle(inventoryWorkflowId(key.trainNumber, key.runDate, key.classCode))
    .query(inventorySummaryQuery);
  expect(summary.held).toBe(60);
  expect(summary.stats.runs).toBeGreaterThanOrEqual(3);
});
