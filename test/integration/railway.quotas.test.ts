// Quotas, Tatkal and the advance reservation period end to end, on the real dev
// server, Postgres and SMTP, with the quota pools on (QUOTA_POOLS; the other
// files run one general pool). Train 12106 (daily, leaves its origin at 22:35
// IST) is this file's alone. Its dates follow the real clock: the Tatkal
// window of a run opens at 10:00 IST (AC) the day before, by the inventory
// actor's workflow clock, so the open run is tomorrow's from 10:00 IST and
// today's before it; a run three days ahead is never open yet.
import { sql } from 'drizzle-orm';
import { inventoryWorkflowId, seatMapQuery } from '../../contracts';
import { addDays } from '../../domain/calendar';
import { quotaSplit } from '../../domain/railwayRules';
import { tatkalFareQuote } from '../../domain/tatkal';
import { staffToken } from '../helpers/staff';
import { api, CARDS, registerTraveller, startStack, type Stack } from '../helpers/stack';

const TRAIN = '12106';
const CLASS = '3A';
const IST_MS = 330 * 60_000;

let stack: Stack;
let traveller: Awaited<ReturnType<typeof registerTraveller>>;
let train: { superfast: boolean; route: { stationCode: string; seq: number; kmFromOrigin: number }[] };

const istNow = () => new Date(Date.now() + IST_MS);
const todayIst = () => istNow().toISOString().slice(0, 10);
/** A run whose Tatkal window is open now (AC classes: from 10:00 IST the day before). */
const openRunDate = () => (istNow().getUTCHours() >= 10 ? addDays(todayIst(), 1) : todayIst());

beforeAll(async () => {
  // The railway's 60-day period (the suite's default is wider: test/setup/testEnv.ts), and the quota pools.
  stack = await startStack('quotas', { QUOTA_POOLS: 'on', BOOKING_ADVANCE_DAYS: '60' });
  traveller = await registerTraveller(stack, 'quotas');
  train = (await api(stack).get(`/trains/${TRAIN}`)).body;
});
afterAll(async () => {
  await stack?.close();
});

const last = () => train.route.at(-1)!;
function book(date: string, quota: string | undefined, passengers: { name: string; age: number; gender: 'M' | 'F' }[], classCode = CLASS) {
  return api(stack, traveller.token).post('/bookings', {
    trainNumber: TRAIN,
    date,
    classCode,
    from: train.route[0]!.stationCode,
    to: last().stationCode,
    passengers,
    ...(quota ? { quota } : {}),
  });
}
const adult = (name: string, age = 30, gender: 'M' | 'F' = 'F') => ({ name, age, gender });

it('splits each class into its quota pools, as the documented table says', async () => {
  const runDate = openRunDate();
  expect((await book(runDate, undefined, [adult('G')])).status).toBe(201);
  const map = await stack.client.workflow.getHandle(inventoryWorkflowId(TRAIN, runDate, CLASS)).query(seatMapQuery);
  const berths = map.coaches.flatMap((c) => c.berths);
  const count = (q: string) => berths.filter((b) => b.quota === q).length;
  const split = quotaSplit(CLASS, map.coaches.length, berths.length / map.coaches.length);
  expect({ GN: count('GN'), TQ: count('TQ'), LD: count('LD'), SS: count('SS'), RAC: count('RAC') }).toEqual(split);
  expect(berths.filter((b) => b.quota === 'SS').every((b) => b.type === 'LB')).toBe(true);

  // Availability per pool, from the inventory and, for a run nobody has booked, from the layout alike.
  const avail = async (date: string, quota?: string) =>
    (await api(stack).get(`/trains/${TRAIN}/availability?date=${date}&from=${train.route[0]!.stationCode}&to=${last().stationCode}&classCode=${CLASS}${quota ? `&quota=${quota}` : ''}`)).body
      .classes[0] as { available: number; fare: number };
  expect((await avail(runDate)).available).toBe(split.GN - 1);
  const tatkal = await avail(runDate, 'TQ');
  expect(tatkal.available).toBe(split.TQ);
  expect(tatkal.fare).toBeGreaterThan((await avail(runDate)).fare);
  const fresh = addDays(todayIst(), 5);
  expect((await avail(fresh)).available).toBe(split.GN);
  expect((await avail(fresh, 'SS')).available).toBe(split.SS);
});

it('refuses Tatkal before its window with the opening time, and prices it with the Tatkal charge after', async () => {
  const early = addDays(todayIst(), 3);
  const refused = await book(early, 'TQ', [adult('E')]);
  expect(refused.status).toBe(409);
  expect(refused.body.error.code).toBe('TATKAL_NOT_OPEN');
  expect(refused.body.error.details.opensAt).toBe(`${addDays(early, -1)}T04:30:00.000Z`); // 10:00 IST the day before
  expect(refused.body.error.message).toContain('10:00 IST');

  const runDate = openRunDate();
  const passengers = [adult('T1', 40, 'M'), adult('T2', 9, 'F')];
  const held = await book(runDate, 'TQ', passengers);
  expect(held.status).toBe(201);
  expect(held.body.quota).toBe('TQ');
  const expected = tatkalFareQuote({ classCode: CLASS, distanceKm: last().kmFromOrigin, superfast: train.superfast, passengers });
  expect(expected.perPassenger.every((p) => p.tatkal > 0)).toBe(true);
  expect(held.body.fareTotal).toBe(expected.total);
  const general = await book(runDate, undefined, passengers);
  expect(general.body.fareTotal).toBeLessThan(held.body.fareTotal); // no Tatkal charge, and the child's concession
  expect(held.body.passengers.map((p: { berthType: string | null }) => p.berthType).every((t: string | null) => t !== null)).toBe(true);

  // At most four on a Tatkal PNR.
  const five = await book(runDate, 'TQ', ['A', 'B', 'C', 'D', 'E'].map((n) => adult(n)));
  expect(five.status).toBe(400);
  expect(five.body.error.code).toBe('TOO_MANY_PASSENGERS');

  // A confirmed Tatkal ticket is not refunded when cancelled.
  const paid = await api(stack, traveller.token).post(`/bookings/${held.body.pnr}/payment`, { card: CARDS.ok });
  expect(paid.body).toMatchObject({ status: 'confirmed', quota: 'TQ', amountPaid: expected.total });
  const cancelled = await api(stack, traveller.token).post(`/bookings/${held.body.pnr}/cancel`, { reason: 'plans changed' });
  expect(cancelled.body).toMatchObject({ status: 'cancelled', amountRefunded: 0 });
  const [row] = (await stack.db.db.execute(sql`select quota from bookings where pnr = ${held.body.pnr}`)).rows as { quota: string }[];
  expect(row).toEqual({ quota: 'TQ' });
});

it('checks quota eligibility: senior citizens by age on lower berths, ladies with children under 12', async () => {
  const runDate = openRunDate();
  const young = await book(runDate, 'SS', [adult('Y', 30, 'M')]);
  expect(young.status).toBe(400);
  expect(young.body.error.code).toBe('QUOTA_NOT_ELIGIBLE');
  const three = await book(runDate, 'SS', [adult('S1', 70, 'M'), adult('S2', 65, 'F'), adult('S3', 61, 'M')]);
  expect(three.body.error.code).toBe('TOO_MANY_PASSENGERS');
  const seniors = await book(runDate, 'SS', [adult('S1', 62, 'M'), adult('S2', 47, 'F')]);
  expect(seniors.status).toBe(201);
  expect(seniors.body.quota).toBe('SS');
  expect(seniors.body.passengers.map((p: { berthType: string }) => p.berthType)).toEqual(['LB', 'LB']);

  const man = await book(runDate, 'LD', [adult('L1', 35, 'F'), adult('L2', 36, 'M')]);
  expect(man.status).toBe(400);
  expect(man.body.error.code).toBe('QUOTA_NOT_ELIGIBLE');
  const ladies = await book(runDate, 'LD', [adult('L1', 35, 'F'), adult('L3', 8, 'M')]);
  expect(ladies.status).toBe(201);
  expect(ladies.body.quota).toBe('LD');
});

it('opens general booking 60 days before the journey, not counting the journey day, at 08:00 IST', async () => {
  const far = addDays(todayIst(), 62);
  const refused = await book(far, undefined, [adult('F')]);
  expect(refused.status).toBe(400);
  expect(refused.body.error.code).toBe('OUTSIDE_BOOKING_WINDOW');
  expect(refused.body.error.details.opensAt).toBe(`${addDays(far, -60)}T02:30:00.000Z`);
  expect((await book(addDays(todayIst(), 58), undefined, [adult('N')])).status).toBe(201);
});

it('at the chart, unsold Tatkal, ladies and senior berths join the general pool', async () => {
  const runDate = openRunDate();
  const admin = await staffToken(stack, 'admin');
  const chart = await api(stack, admin.token).post(`/admin/runs/${TRAIN}/${runDate}/${CLASS}/chart`, {});
  expect(chart.status).toBe(200);
  // Every pool berth was unsold over some hop except those booked above (SS, LD and TQ: cancelled, so free again).
  const map = await stack.client.workflow.getHandle(inventoryWorkflowId(TRAIN, runDate, CLASS)).query(seatMapQuery);
  const berths = map.coaches.flatMap((c) => c.berths);
  const pools = quotaSplit(CLASS, map.coaches.length, berths.length / map.coaches.length);
  expect(chart.body.releasedToGeneral).toBe(pools.TQ + pools.LD + pools.SS - 4); // the two seniors and the two ladies kept theirs
  expect(berths.filter((b) => b.quota === 'TQ').length).toBe(0);
  expect(berths.filter((b) => b.quota === 'SS').length + berths.filter((b) => b.quota === 'LD').length).toBe(4);
});
