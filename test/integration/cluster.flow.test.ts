// The booking actor end to end on the real Temporal server v1.29.1 on Postgres (jest project
// `cluster`): hold, pay, ticket; a hold that lapses; cancellation with refund. What the dev
// server cannot show: the workflows' state in Postgres persistence, their search attributes
// in Postgres visibility, and the standalone UI server showing both.
import { sql } from 'drizzle-orm';
import { bookingWorkflowId, inventoryWorkflowId, inventorySummaryQuery } from '../../contracts';
import { api, CARDS, futureDate, passenger, registerTraveller, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
let traveller: Awaited<ReturnType<typeof registerTraveller>>;

beforeAll(async () => {
  // Run dates 120–122 lie beyond the default booking window of 120 days.
  stack = await startStack('cluster-flow', { HOLD_TTL_SECONDS: '4', PAYMENT_WAIT_SECONDS: '20', BOOKING_ADVANCE_DAYS: '200' });
  traveller = await registerTraveller(stack, 'clusterflow');
});
afterAll(async () => {
  await stack?.close();
});

const rows = async <T>(q: ReturnType<typeof sql>) => (await stack.db.db.execute(q)).rows as T[];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const book = (over: Record<string, unknown> = {}) =>
  api(stack, traveller.token).post('/bookings', {
    trainNumber: '12951',
    date: futureDate(120),
    classCode: '3A',
    from: 'MMCT',
    to: 'NDLS',
    passengers: [passenger('Meera')],
    ...over,
  });

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

it('runs on the Postgres-backed server, not the dev server', async () => {
  const info = await stack.client.connection.workflowService.getSystemInfo({});
  expect(info.serverVersion).toBe('1.29.1');
  const { clusters } = await stack.client.connection.operatorService.listClusters({});
  expect(clusters?.[0]?.historyShardCount).toBe(4);
});

it('holds, takes payment, confirms; the booking and its search attributes are in visibility and in the UI', async () => {
  const held = await book({ passengers: [passenger('Meera', 41), passenger('Dev', 70, 'M')] });
  expect(held.status).toBe(201);
  const { pnr } = held.body;
  const paid = await api(stack, traveller.token).post(`/bookings/${pnr}/payment`, { card: CARDS.ok });
  expect(paid.status).toBe(200);
  expect(paid.body.status).toBe('confirmed');
  const [booking] = await rows<{ status: string }>(sql`select status from bookings where pnr = ${pnr}`);
  expect(booking?.status).toBe('confirmed');
  await stack.smtp.waitFor((m) => m.subject?.startsWith(`Ticket PNR ${pnr}`) === true);

  // Visibility (Postgres, SQL visibility store): found by its search attributes.
  const query = `Pnr = '${pnr}' AND BookingStatus = 'confirmed' AND TrainNumber = '12951' AND TravelClass = '3A' AND TravelDate = '${futureDate(120)}'`;
  const listed = await waitFor('the booking in visibility', async () => {
    for await (const w of stack.client.workflow.list({ query })) return w;
    return undefined;
  });
  expect(listed.workflowId).toBe(bookingWorkflowId(pnr));
  expect(listed.searchAttributes.UserId).toEqual([String(traveller.userId)]);

  // The standalone UI server answers the same query with the attributes (what its pages show).
  const uiUrl = process.env.TEMPORAL_UI_URL!;
  const res = await fetch(`${uiUrl}/api/v1/namespaces/railbook/workflows?query=${encodeURIComponent(`Pnr = '${pnr}'`)}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { executions?: { execution: { workflowId: string }; searchAttributes: { indexedFields: Record<string, unknown> } }[] };
  expect(body.executions?.map((e) => e.execution.workflowId)).toEqual([bookingWorkflowId(pnr)]);
  expect(Object.keys(body.executions![0]!.searchAttributes.indexedFields)).toEqual(
    expect.arrayContaining(['Pnr', 'BookingStatus', 'TrainNumber', 'TravelDate', 'UserId', 'TravelClass']),
  );
  const page = await fetch(`${uiUrl}/namespaces/railbook/workflows/${bookingWorkflowId(pnr)}`);
  expect(page.status).toBe(200);
});

it('releases an unpaid hold when it expires, and the berth is sold again', async () => {
  const date = futureDate(121);
  const summary = () => stack.client.workflow.getHandle(inventoryWorkflowId('12951', date, '1A')).query(inventorySummaryQuery);
  const held = await book({ date, classCode: '1A', passengers: [passenger('Ira'), passenger('Om')] });
  expect(held.status).toBe(201);
  expect((await summary()).held).toBe(1); // bookings, not berths
  const expired = await waitFor('the hold to lapse', async () => {
    const b = (await api(stack, traveller.token).get(`/bookings/${held.body.pnr}`)).body;
    return b.status === 'expired' ? b : undefined;
  });
  expect(expired.holdExpiresAt).toBeNull();
  await waitFor('the berths back in the inventory', async () => ((await summary()).held === 0 ? true : undefined));
  // No actor: the inventory released the hold at its deadline and then records it expired (an activity).
  await waitFor('the record expired', async () => {
    const [row] = await rows<{ status: string }>(sql`select status from bookings where pnr = ${held.body.pnr}`);
    return row?.status === 'expired' ? true : undefined;
  });
  const late = await api(stack, traveller.token).post(`/bookings/${held.body.pnr}/payment`, { card: CARDS.ok });
  expect(late.status).toBe(409);
  expect(late.body.error.code).toBe('BOOKING_NOT_PAYABLE');
});

it('cancels a confirmed booking: refund recorded, berth back in the inventory', async () => {
  const date = futureDate(122);
  const summary = () => stack.client.workflow.getHandle(inventoryWorkflowId('12951', date, '2A')).query(inventorySummaryQuery);
  const held = await book({ date, classCode: '2A' });
  expect(held.status).toBe(201);
  const { pnr } = held.body;
  expect((await api(stack, traveller.token).post(`/bookings/${pnr}/payment`, { card: CARDS.ok })).body.status).toBe('confirmed');
  expect((await summary()).sold).toBe(1);

  const cancelled = await api(stack, traveller.token).post(`/bookings/${pnr}/cancel`, { reason: 'plans changed' });
  expect(cancelled.status).toBe(200);
  expect(cancelled.body.status).toBe('cancelled');
  expect(cancelled.body.amountRefunded).toBeGreaterThan(0);
  const [refund] = await rows<{ status: string; amount: number }>(sql`select status, amount from refunds where pnr = ${pnr}`);
  expect(refund).toEqual({ status: 'succeeded', amount: cancelled.body.amountRefunded });
  expect(await rows(sql`select id from seat_allocations where pnr = ${pnr} and status = 'confirmed'`)).toHaveLength(0);
  await waitFor('the berth back in the inventory', async () => ((await summary()).sold === 0 ? true : undefined));
  await stack.smtp.waitFor((m) => m.subject?.startsWith(`Cancelled PNR ${pnr}`) === true);
  const again = await book({ date, classCode: '2A' });
  expect(again.status).toBe(201);
});
