// A run cancellation reaches every booking of the run, including one held by a
// request that was already in flight when the run was cancelled: the job's
// second sweep (workflows/runNotices.ts, LATE_HOLD_SWEEP_MS) finds it. The
// in-flight request is reproduced by starting the job without marking the run
// cancelled first, then booking while the job waits for its second sweep.
import { sql } from 'drizzle-orm';
import { runCancellationWorkflowId } from '../../contracts';
import type { RunJobProgress } from '../../contracts/runs';
import { recordHistory, recording } from '../helpers/histories';
import { api, CARDS, futureDate, passenger, registerTraveller, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
let traveller: Awaited<ReturnType<typeof registerTraveller>>;
const toRecord = new Map<string, string>();

beforeAll(async () => {
  stack = await startStack('latehold');
  traveller = await registerTraveller(stack, 'latehold');
});
afterAll(async () => {
  const { address, namespace } = stack.config.temporal;
  if (recording) for (const [name, id] of toRecord) await recordHistory(address, namespace, id, name);
  await stack?.close();
});

const book = async (date: string) => {
  const res = await api(stack, traveller.token).post('/bookings', {
    trainNumber: '12951',
    date,
    classCode: '2A',
    from: 'MMCT',
    to: 'NDLS',
    passengers: [passenger('Ira')],
  });
  expect(res.status).toBe(201);
  return res.body as { pnr: string; runDate: string };
};

it('refunds a booking held and paid while the cancellation job was running', async () => {
  const date = futureDate(98);
  const early = await book(date);
  expect((await api(stack, traveller.token).post(`/bookings/${early.pnr}/payment`, { card: CARDS.ok })).body.status).toBe('confirmed');

  const workflowId = runCancellationWorkflowId('12951', early.runDate);
  const job = await stack.client.workflow.start('runCancellationWorkflow', {
    workflowId,
    taskQueue: stack.config.temporal.taskQueue,
    args: [{ trainNumber: '12951', runDate: early.runDate, reason: 'landslide', by: 'admin:test', lateHoldSweepMs: 8_000 }],
  });
  // The first sweep reaches the early booking...
  await expect(stack.client.workflow.getHandle(`booking-${early.pnr}`).result()).resolves.toMatchObject({ status: 'cancelled' });
  // ...then a request that was in flight holds and pays.
  const late = await book(date);
  expect((await api(stack, traveller.token).post(`/bookings/${late.pnr}/payment`, { card: CARDS.ok })).body.status).toBe('confirmed');

  const progress = (await job.result()) as RunJobProgress;
  expect(progress).toMatchObject({ total: 2, sent: 2 });
  const final = await stack.client.workflow.getHandle(`booking-${late.pnr}`).result();
  expect(final).toMatchObject({ status: 'cancelled' });
  expect(final.amountRefunded).toBe(final.amountPaid);
  await stack.smtp.waitFor((m) => m.subject?.startsWith(`Cancelled PNR ${late.pnr}`) === true);
  toRecord.set('runjob-cancellation-late-sweep', workflowId);
}, 60_000);

it('cancels a held booking that has no actor yet: the job starts its actor with the cancellation', async () => {
  const held = await book(futureDate(99));
  await expect(stack.client.workflow.getHandle(`booking-${held.pnr}`).describe()).rejects.toThrow();
  const workflowId = runCancellationWorkflowId('12951', held.runDate);
  const job = await stack.client.workflow.start('runCancellationWorkflow', {
    workflowId,
    taskQueue: stack.config.temporal.taskQueue,
    args: [{ trainNumber: '12951', runDate: held.runDate, reason: 'flooding', by: 'admin:test', lateHoldSweepMs: 1_000 }],
  });
  const progress = (await job.result()) as RunJobProgress;
  expect(progress).toMatchObject({ total: 1, sent: 1 });
  const final = await stack.client.workflow.getHandle(`booking-${held.pnr}`).result();
  expect(final).toMatchObject({ status: 'cancelled', amountPaid: 0, amountRefunded: 0 });
  const rows = (await stack.db.db.execute(sql`select status from bookings where pnr = ${held.pnr}`)).rows as { status: string }[];
  expect(rows[0]?.status).toBe('cancelled');
  const seats = (await api(stack, traveller.token).get(`/bookings/${held.pnr}`)).body;
  expect(seats.status).toBe('cancelled');
  toRecord.set('runjob-cancellation-held-actor', workflowId);
  toRecord.set('booking-held-railway-cancelled', `booking-${held.pnr}`);
}, 60_000);
