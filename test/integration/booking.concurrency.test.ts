// A rush on one run: 220 concurrent booking requests through the HTTP API for
// one train run and class of 48 berths, over mixed overlapping segments of a
// 21-stop route. Every request must end in a definite answer, no berth may be
// sold twice over overlapping segments (checked in Postgres), and every
// refusal must be one that capacity forced.
import { sql } from 'drizzle-orm';
import { availabilityQuery, inventoryWorkflowId } from '../../contracts';
import { addDays } from '../../domain/calendar';
import { api, CARDS, futureDate, passenger, registerTraveller, startStack, type Stack } from '../helpers/stack';

const TRAIN = '12423'; // Rajdhani, 21 stops
const CLASS = '2A';
const REQUESTS = 220;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('rush');
  // An operator's change of composition: one 2A coach, 48 berths.
  await stack.db.db.execute(sql`delete from train_coaches where train_number = ${TRAIN} and class_code = ${CLASS} and coach <> 'A1'`);
});
afterAll(async () => {
  await stack?.close();
});

/** Deterministic PRNG so a failure can be replayed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

it('sells no berth twice, answers every request, and refuses only what capacity forces', async () => {
  const route = (await api(stack).get(`/trains/${TRAIN}`)).body.route as { stationCode: string; seq: number; departureDay: number }[];
  expect(route.length).toBeGreaterThanOrEqual(15);
  // One run: the train leaves its origin on `runDate`; a traveller boarding
  // later on the route gives the date the train reaches their station.
  const runDate = futureDate(40);
  const users = await Promise.all(Array.from({ length: 8 }, (_, i) => registerTraveller(stack, `rush${i}`)));
  const rand = prng(20261121);
  const requests = Array.from({ length: REQUESTS }, (_, i) => {
    const a = Math.floor(rand() * (route.length - 1));
    const b = a + 1 + Math.floor(rand() * (route.length - 1 - a));
    const n = 1 + Math.floor(rand() * 2);
    const date = addDays(runDate, route[a]!.departureDay);
    return { user: users[i % users.length]!, fromSeq: a, toSeq: b, n, date, from: route[a]!.stationCode, to: route[b]!.stationCode };
  });

  const answers = await Promise.all(
    requests.map((r, i) =>
      api(stack, r.user.token).post('/bookings', {
        trainNumber: TRAIN,
        date: r.date,
        classCode: CLASS,
        from: r.from,
        to: r.to,
        passengers: Array.from({ length: r.n }, (_, k) => passenger(`R${i}-${k}`)),
        // This test is about confirmed berths; RAC and the waitlist have their own (railway.waitlist).
        confirmedOnly: true,
      }),
    ),
  );
  const statuses = answers.map((a) => a.status);
  expect(statuses.filter((s) => s !== 201 && s !== 409)).toEqual([]);
  for (const a of answers.filter((x) => x.status === 409)) expect(a.body.error.code).toBe('NO_SEATS_AVAILABLE');
  const held = answers.map((a, i) => ({ a, r: requests[i]! })).filter((x) => x.a.status === 201);
  const refused = answers.map((a, i) => ({ a, r: requests[i]! })).filter((x) => x.a.status === 409);
  expect(held.length).toBeGreaterThan(20);
  expect(refused.length).toBeGreaterThan(0);

  const paid = await Promise.all(held.map(({ a, r }) => api(stack, r.user.token).post(`/bookings/${a.body.pnr}/payment`, { card: CARDS.ok })));
  expect(paid.map((p) => p.body.status).filter((s) => s !== 'confirmed')).toEqual([]);

  // Postgres: the confirmed allocations of this run never overlap on one berth.
  const overlaps = await stack.db.db.execute(sql`
    select a.pnr, b.pnr from seat_allocations a
    join seat_allocations b on a.run_id = b.run_id and a.class_code = b.class_code and a.coach = b.coach
      and a.berth_no = b.berth_no and a.id < b.id and int4range(a.from_seq, a.to_seq) && int4range(b.from_seq, b.to_seq)
    join train_runs r on r.id = a.run_id
    where r.train_number = ${TRAIN} and r.run_date = ${runDate} and a.status = 'confirmed' and b.status = 'confirmed'`);
  expect(overlaps.rows).toEqual([]);
  const sold = await stack.db.db.execute<{ n: number }>(sql`
    select count(*)::int as n from seat_allocations s join train_runs r on r.id = s.run_id
    where r.train_number = ${TRAIN} and r.run_date = ${runDate} and s.status = 'confirmed'`);
  expect(sold.rows[0]?.n).toBe(held.reduce((sum, h) => sum + h.r.n, 0));

  // Every refusal was forced: even now, its segment has fewer free berths than it asked for.
  const inventory = stack.client.workflow.getHandle(inventoryWorkflowId(TRAIN, runDate, CLASS));
  for (const { r } of refused) {
    const free = await inventory.query(availabilityQuery, { fromSeq: r.fromSeq, toSeq: r.toSeq });
    expect(free.available).toBeLessThan(r.n);
  }
});
