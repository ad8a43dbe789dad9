// RAC and the waitlist end to end, on the real dev server, Postgres and an
// SMTP server: a class sold out through the API gives RAC places, then
// waitlist numbers, then REGRET; cancelling a confirmed booking promotes the
// first RAC passengers to confirmed berths and the first waitlisted to RAC, in
// the inventory, in Postgres, in the booking actors (search attribute
// TicketStatus) and by email; on overlapping segments the freed berth goes to
// the first waiting passenger it fits, not to the first in line.
import { sql } from 'drizzle-orm';
import { chartQuery, inventorySummaryQuery, inventoryWorkflowId, waitlistQuery } from '../../contracts';
import { addDays } from '../../domain/calendar';
import { clerkageCharge } from '../../domain/partialCancellation';
import { recordHistory, recording } from '../helpers/histories';
import { staffToken } from '../helpers/staff';
import { api, CARDS, futureDate, passenger, registerTraveller, startStack, type Stack } from '../helpers/stack';

const TRAIN = '12423'; // Rajdhani, 21 stops
const CLASS = '2A';

let stack: Stack;
let traveller: Awaited<ReturnType<typeof registerTraveller>>;
let route: { stationCode: string; seq: number; departureDay: number }[];
const toRecord = new Map<string, string>();

beforeAll(async () => {
  // Past the 60-day advance reservation period: this file's dates are its own (test/helpers/stack.ts futureDate).
  stack = await startStack('waitlist', { BOOKING_ADVANCE_DAYS: '200' });
  traveller = await registerTraveller(stack, 'waitlist');
  // One 2A coach, as booking.concurrency sets it (the same change, so the two files agree in either order):
  // 48 berths, of which the side-lowers A1/5, A1/11 and A1/17 are kept for RAC (3 per 2A coach).
  await stack.db.db.execute(sql`delete from train_coaches where train_number = ${TRAIN} and class_code = ${CLASS} and coach <> 'A1'`);
  route = (await api(stack).get(`/trains/${TRAIN}`)).body.route;
});
afterAll(async () => {
  const { address, namespace } = stack.config.temporal;
  if (recording) for (const [name, id] of toRecord) await recordHistory(address, namespace, id, name);
  await stack?.close();
});

const rows = async <T>(q: ReturnType<typeof sql>) => (await stack.db.db.execute(q)).rows as T[];
const names = (n: number, tag: string) => Array.from({ length: n }, (_, i) => passenger(`${tag}${i}`));

function book(runDate: string, fromSeq: number, toSeq: number, n: number, tag: string) {
  const from = route[fromSeq]!;
  return api(stack, traveller.token).post('/bookings', {
    trainNumber: TRAIN,
    date: addDays(runDate, from.departureDay),
    classCode: CLASS,
    from: from.stationCode,
    to: route[toSeq]!.stationCode,
    passengers: names(n, tag),
  });
}

async function bookAndPay(runDate: string, fromSeq: number, toSeq: number, n: number, tag: string) {
  const held = await book(runDate, fromSeq, toSeq, n, tag);
  expect(held.status).toBe(201);
  const paid = await api(stack, traveller.token).post(`/bookings/${held.body.pnr}/payment`, { card: CARDS.ok });
  expect(paid.status).toBe(200);
  expect(paid.body.status).toBe('confirmed');
  return paid.body;
}

const statusesOf = (b: { passengers: { currentStatus: string }[] }) => b.passengers.map((p) => p.currentStatus);

async function waitForStatuses(pnr: string, want: string[], timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api(stack, traveller.token).get(`/bookings/${pnr}`);
    if (JSON.stringify(statusesOf(res.body)) === JSON.stringify(want)) return res.body;
    if (Date.now() > deadline) throw new Error(`booking ${pnr} shows ${JSON.stringify(statusesOf(res.body))}, not ${JSON.stringify(want)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function ticketStatusAttribute(pnr: string, want: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let found = 0;
    for await (const _ of stack.client.workflow.list({ query: `WorkflowId = 'booking-${pnr}' AND TicketStatus = '${want}'` })) found++;
    if (found === 1) return;
    if (Date.now() > deadline) throw new Error(`booking-${pnr} is not listed with TicketStatus = ${want}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

it('sells a class out into RAC, then the waitlist, then REGRET; a cancellation promotes RAC to berths and the waitlist to RAC', async () => {
  const runDate = futureDate(135);
  const last = route.length - 1;
  // 45 confirmed berths: seven parties of six and one of three, over the whole route.
  const confirmed = [];
  for (let i = 0; i < 7; i++) confirmed.push(await bookAndPay(runDate, 0, last, 6, `C${i}-`));
  const three = await bookAndPay(runDate, 0, last, 3, 'T');
  expect(statusesOf(three)).toEqual(['CNF', 'CNF', 'CNF']);

  // Full: RAC places next (3 side-lowers, two passengers each).
  const rac = await book(runDate, 0, last, 2, 'R');
  expect(rac.status).toBe(201);
  expect(rac.body).toMatchObject({ ticketStatus: 'RAC' });
  expect(statusesOf(rac.body)).toEqual(['RAC 1', 'RAC 2']);
  expect(rac.body.passengers.every((p: { coach: string | null }) => p.coach === null)).toBe(true);
  const racPaid = (await api(stack, traveller.token).post(`/bookings/${rac.body.pnr}/payment`, { card: CARDS.ok })).body;
  expect(racPaid).toMatchObject({ status: 'confirmed', ticketStatus: 'RAC', amountPaid: rac.body.fareTotal });
  const racMail = await stack.smtp.waitFor((m) => m.subject?.startsWith(`Ticket PNR ${rac.body.pnr}`) === true);
  expect(racMail.text).toContain('RAC 1');
  expect(racMail.text).toContain('share a side-lower berth');

  const mixed = await bookAndPay(runDate, 0, last, 4, 'M'); // RAC 3–6
  expect(statusesOf(mixed)).toEqual(['RAC 3', 'RAC 4', 'RAC 5', 'RAC 6']);
  // RAC full: the waitlist, general (GNWL) for a journey from the origin.
  const wl = await bookAndPay(runDate, 0, last, 2, 'W');
  expect(statusesOf(wl)).toEqual(['GNWL 1', 'GNWL 2']);
  expect(wl.ticketStatus).toBe('WL');
  await ticketStatusAttribute(wl.pnr, 'WL');

  // The waitlist's cap is 60% of the class's 48 berths: 28 passengers. 26 more, then REGRET.
  for (let i = 0; i < 4; i++) expect((await book(runDate, 0, last, 6, `F${i}-`)).status).toBe(201);
  const lastWl = await book(runDate, 0, last, 2, 'L');
  expect(statusesOf(lastWl.body)).toEqual(['GNWL 27', 'GNWL 28']);
  const regret = await book(runDate, 0, last, 1, 'X');
  expect(regret.status).toBe(409);
  expect(regret.body.error.code).toBe('REGRET');
  // Confirmed berths only: the traveller's choice, answered as before.
  const onlyConfirmed = await api(stack, traveller.token).post('/bookings', {
    trainNumber: TRAIN,
    date: runDate,
    classCode: CLASS,
    from: route[0]!.stationCode,
    to: route[last]!.stationCode,
    passengers: names(1, 'Y'),
    confirmedOnly: true,
  });
  expect(onlyConfirmed.body.error.code).toBe('NO_SEATS_AVAILABLE');

  const inventory = stack.client.workflow.getHandle(inventoryWorkflowId(TRAIN, runDate, CLASS));
  expect(await inventory.query(inventorySummaryQuery)).toMatchObject({ rac: 6, waitlisted: 28, waitlistCap: 28 });

  // Cancel the party of three: RAC 1–3 get its berths, GNWL 1–2 and the next in line take their RAC places.
  const cancelled = await api(stack, traveller.token).post(`/bookings/${three.pnr}/cancel`, { reason: 'plans changed' });
  expect(cancelled.status).toBe(200);
  const promoted = await waitForStatuses(rac.body.pnr, ['CNF', 'CNF']);
  expect(promoted.ticketStatus).toBe('CNF');
  const freed = three.passengers.map((p: { coach: string; berthNo: number }) => `${p.coach}/${p.berthNo}`);
  for (const p of promoted.passengers) expect(freed).toContain(`${p.coach}/${p.berthNo}`);
  expect(statusesOf(await waitForStatuses(mixed.pnr, ['CNF', 'RAC 1', 'RAC 2', 'RAC 3']))).toEqual(['CNF', 'RAC 1', 'RAC 2', 'RAC 3']);
  const wlNow = await waitForStatuses(wl.pnr, ['RAC 4', 'RAC 5']);
  expect(wlNow.passengers.map((p: { bookingStatus: string }) => p.bookingStatus)).toEqual(['GNWL 1', 'GNWL 2']);
  await ticketStatusAttribute(wl.pnr, 'RAC');
  await ticketStatusAttribute(rac.body.pnr, 'CNF');

  // Emails: the new statuses, with the berths.
  const update = await stack.smtp.waitFor((m) => m.subject?.startsWith(`Status update PNR ${rac.body.pnr}`) === true);
  for (const p of promoted.passengers) expect(update.text).toContain(`${p.coach}/${p.berthNo}`);
  expect(update.text).toContain('booked RAC 1');
  const wlMail = await stack.smtp.waitFor((m) => m.subject?.startsWith(`Status update PNR ${wl.pnr}`) === true);
  expect(wlMail.text).toContain('RAC 4');

  // Postgres agrees: the promoted berths are sold (the exclusion constraint holds them), and the statuses recorded.
  const seats = await rows<{ pnr: string; n: number }>(sql`
    select pnr, count(*)::int as n from seat_allocations where pnr in (${rac.body.pnr}, ${mixed.pnr}, ${wl.pnr}) and status = 'confirmed' group by pnr order by pnr`);
  expect(Object.fromEntries(seats.map((r) => [r.pnr, r.n]))).toEqual({ [rac.body.pnr]: 2, [mixed.pnr]: 1 });
  const pax = await rows<{ idx: number; current_status: string; booking_status: string }>(
    sql`select idx, current_status, booking_status from passengers where pnr = ${wl.pnr} order by idx`,
  );
  expect(pax).toEqual([
    { idx: 0, current_status: 'RAC 4', booking_status: 'GNWL 1' },
    { idx: 1, current_status: 'RAC 5', booking_status: 'GNWL 2' },
  ]);
  const [sold] = await rows<{ n: number }>(sql`
    select count(*)::int as n from seat_allocations s join train_runs r on r.id = s.run_id
    where r.train_number = ${TRAIN} and r.run_date = ${runDate} and s.class_code = ${CLASS} and s.status = 'confirmed'`);
  expect(sold!.n).toBe(45); // the three freed berths were resold by promotion
  expect(await inventory.query(inventorySummaryQuery)).toMatchObject({ rac: 6, waitlisted: 25 });
  // Numbers close up: the last two, unpaid and told nothing, read their places now (three moved up ahead of them).
  expect(statusesOf((await api(stack, traveller.token).get(`/bookings/${lastWl.body.pnr}`)).body)).toEqual(['GNWL 24', 'GNWL 25']);
  const view = await inventory.query(waitlistQuery);
  expect(view.racBerths.every((b) => b.passengers.length <= 2)).toBe(true);

  toRecord.set('bookingV2-waitlist-promoted', `booking-${wl.pnr}`);
  toRecord.set('inventory-waitlist', inventoryWorkflowId(TRAIN, runDate, CLASS));
});

it('on overlapping segments, a freed berth goes to the first waiting passenger whose journey it fits', async () => {
  const runDate = futureDate(136);
  const last = route.length - 1;
  // 44 berths for the whole route, and the 45th shared: one passenger 0→10, another 10→last.
  for (let i = 0; i < 7; i++) await bookAndPay(runDate, 0, last, 6, `C${i}-`);
  await bookAndPay(runDate, 0, last, 2, 'D');
  const firstHalf = await bookAndPay(runDate, 0, 10, 1, 'H');
  await bookAndPay(runDate, 10, last, 1, 'K');
  // RAC full with six passengers over the whole route.
  await bookAndPay(runDate, 0, last, 6, 'R');
  // Waiting, in this order: P over 12→15, Q over the whole route, S over 3→8.
  const p = await bookAndPay(runDate, 12, 15, 1, 'P');
  const q = await bookAndPay(runDate, 0, last, 1, 'Q');
  const s = await bookAndPay(runDate, 3, 8, 1, 'S');
  expect(statusesOf(p)).toEqual(['PQWL 1']);
  expect(statusesOf(q)).toEqual(['GNWL 1']);
  expect(statusesOf(s)).toEqual(['PQWL 2']);

  // Freeing 0→10: P's journey is elsewhere and Q's does not fit; S's (3→8) does.
  expect((await api(stack, traveller.token).post(`/bookings/${firstHalf.pnr}/cancel`, {})).status).toBe(200);
  const sNow = await waitForStatuses(s.pnr, ['CNF']);
  expect(sNow.passengers[0]).toMatchObject({ coach: firstHalf.passengers[0].coach, berthNo: firstHalf.passengers[0].berthNo });
  expect(statusesOf((await api(stack, traveller.token).get(`/bookings/${p.pnr}`)).body)).toEqual(['PQWL 1']);
  expect(statusesOf((await api(stack, traveller.token).get(`/bookings/${q.pnr}`)).body)).toEqual(['GNWL 1']);
});

it('cancels some passengers of a booking: only theirs refunded, their berth promoted, the others kept, a new ticket mailed', async () => {
  const runDate = futureDate(139);
  const last = route.length - 1;
  const family = await bookAndPay(runDate, 0, last, 3, 'A');
  for (let i = 0; i < 7; i++) await bookAndPay(runDate, 0, last, 6, `C${i}-`); // 45 berths sold
  const rac = await bookAndPay(runDate, 0, last, 2, 'R');
  expect(statusesOf(rac)).toEqual(['RAC 1', 'RAC 2']);

  // The second passenger of the family cancels (numbers as on the ticket).
  const partial = await api(stack, traveller.token).post(`/bookings/${family.pnr}/cancel`, { passengers: [2], reason: 'one cannot travel' });
  expect(partial.status).toBe(200);
  expect(partial.body.status).toBe('confirmed');
  expect(statusesOf(partial.body)).toEqual(['CNF', 'CAN', 'CNF']);
  const kept = [0, 2].map((i) => `${family.passengers[i].coach}/${family.passengers[i].berthNo}`);
  expect([0, 2].map((i) => `${partial.body.passengers[i].coach}/${partial.body.passengers[i].berthNo}`)).toEqual(kept);
  const perPassenger = family.fareTotal / 3;
  expect(partial.body.amountRefunded).toBeGreaterThan(0);
  expect(partial.body.amountRefunded).toBeLessThanOrEqual(perPassenger);

  // Their berth went to RAC 1.
  const promoted = await waitForStatuses(rac.pnr, ['CNF', 'RAC 1']);
  expect(`${promoted.passengers[0].coach}/${promoted.passengers[0].berthNo}`).toBe(`${family.passengers[1].coach}/${family.passengers[1].berthNo}`);
  const mail = await stack.smtp.waitFor((m) => m.subject?.startsWith(`Partially cancelled PNR ${family.pnr}`) === true);
  expect(mail.text).toContain('A1');
  expect(mail.text).toContain('CAN');
  expect(mail.text).toContain(kept[0]);

  const refunds = await rows<{ idempotency_key: string; amount: number }>(sql`select idempotency_key, amount from refunds where pnr = ${family.pnr} order by id`);
  expect(refunds).toEqual([{ idempotency_key: `refund:${family.pnr}:p1`, amount: partial.body.amountRefunded }]);
  const seats = await rows<{ passenger_idx: number; status: string }>(sql`select passenger_idx, status from seat_allocations where pnr = ${family.pnr} order by passenger_idx`);
  expect(seats).toEqual([
    { passenger_idx: 0, status: 'confirmed' },
    { passenger_idx: 1, status: 'cancelled' },
    { passenger_idx: 2, status: 'confirmed' },
  ]);

  // The same passenger again, or everyone left, is refused with a stable code.
  const again = await api(stack, traveller.token).post(`/bookings/${family.pnr}/cancel`, { passengers: [2] });
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('BOOKING_NOT_CANCELLABLE');
  const everyone = await api(stack, traveller.token).post(`/bookings/${family.pnr}/cancel`, { passengers: [1, 3] });
  expect(everyone.status).toBe(400);
  expect(everyone.body.error.code).toBe('INVALID_PASSENGERS');

  // Then the rest: refunded for the two left, never more than was paid.
  const rest = await api(stack, traveller.token).post(`/bookings/${family.pnr}/cancel`, {});
  expect(rest.status).toBe(200);
  expect(rest.body.status).toBe('cancelled');
  expect(rest.body.amountRefunded).toBeGreaterThan(partial.body.amountRefunded);
  expect(rest.body.amountRefunded).toBeLessThanOrEqual(family.fareTotal);
  await waitForStatuses(rac.pnr, ['CNF', 'CNF']);
  toRecord.set('bookingV2-partially-cancelled', `booking-${family.pnr}`);
  // Since patch booking-record-cancel-before-release: each cancellation recorded before the berths are released.
  toRecord.set('bookingV2-cancelled-recorded-first', `booking-${family.pnr}`);
});

it('prepares the chart on its timer: the waitlist left is cancelled and refunded less clerkage, everyone is told, booking closes, staff read the chart', async () => {
  const runDate = futureDate(140);
  const last = route.length - 1;
  const confirmed = [];
  for (let i = 0; i < 7; i++) confirmed.push(await bookAndPay(runDate, 0, last, 6, `C${i}-`));
  const three = await bookAndPay(runDate, 0, last, 3, 'T'); // 45 berths sold
  const rac = await bookAndPay(runDate, 0, last, 4, 'R'); // RAC 1–4
  const mixed = await bookAndPay(runDate, 0, last, 3, 'M'); // RAC 5, RAC 6, GNWL 1
  expect(statusesOf(mixed)).toEqual(['RAC 5', 'RAC 6', 'GNWL 1']);
  const wl = await bookAndPay(runDate, 0, last, 2, 'W'); // GNWL 2, GNWL 3
  const unpaid = await book(runDate, 0, last, 1, 'U'); // GNWL 4, never paid
  expect(statusesOf(unpaid.body)).toEqual(['GNWL 4']);

  const admin = await staffToken(stack, 'admin');
  const support = await staffToken(stack, 'support');
  const chartPath = `/admin/runs/${TRAIN}/${runDate}/${CLASS}/chart`;
  const readPath = `/support/runs/${TRAIN}/${runDate}/${CLASS}/chart`;
  const before = await api(stack, support.token).get(readPath);
  expect(before.status).toBe(404);
  expect(before.body.error.code).toBe('CHART_NOT_PREPARED');
  expect(before.body.error.details.chartAt).toMatch(/^\d{4}-/); // 4 h before the origin departure
  expect((await api(stack, support.token).post(chartPath, {})).status).toBe(403); // preparing is for admins

  // Due in two seconds: the inventory's own (durable) timer prepares it.
  const at = new Date(Date.now() + 2_000).toISOString();
  const moved = await api(stack, admin.token).post(chartPath, { at });
  expect(moved.status).toBe(202);
  expect(moved.body).toMatchObject({ prepared: false, chartAt: at });

  // The waitlisted booking is cancelled whole and refunded its fare less clerkage per passenger.
  const clerkage = clerkageCharge(CLASS);
  const deadline = Date.now() + 30_000;
  let wlNow;
  for (;;) {
    wlNow = (await api(stack, traveller.token).get(`/bookings/${wl.pnr}`)).body;
    if (wlNow.status === 'cancelled' || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(wlNow).toMatchObject({ status: 'cancelled', amountRefunded: wl.fareTotal - 2 * clerkage });
  expect(statusesOf(wlNow)).toEqual(['CAN', 'CAN']);
  // The mixed booking keeps its RAC passengers; its waitlisted one is cancelled and refunded.
  const mixedNow = await waitForStatuses(mixed.pnr, ['RAC 5', 'RAC 6', 'CAN']);
  expect(mixedNow.status).toBe('confirmed');
  expect(mixedNow.amountRefunded).toBe(mixed.fareTotal / 3 - clerkage);
  const refunds = await rows<{ pnr: string; idempotency_key: string; amount: number }>(
    sql`select pnr, idempotency_key, amount from refunds where pnr in (${wl.pnr}, ${mixed.pnr}) order by pnr`,
  );
  expect(refunds).toEqual(
    [
      { pnr: wl.pnr, idempotency_key: `refund:${wl.pnr}:chart`, amount: wl.fareTotal - 2 * clerkage },
      { pnr: mixed.pnr, idempotency_key: `refund:${mixed.pnr}:chart`, amount: mixed.fareTotal / 3 - clerkage },
    ].sort((a, b) => (a.pnr < b.pnr ? -1 : 1)),
  );

  // Everyone is told the final status: confirmed, RAC and the dropped.
  for (const pnr of [three.pnr, rac.pnr, mixed.pnr, wl.pnr]) await stack.smtp.waitFor((m) => m.subject?.startsWith(`Chart prepared PNR ${pnr}`) === true);
  const dropMail = await stack.smtp.waitFor((m) => m.subject?.startsWith(`Chart prepared PNR ${wl.pnr}`) === true);
  expect(dropMail.text).toContain('Still waitlisted when the chart was prepared');
  const cnfMail = await stack.smtp.waitFor((m) => m.subject?.startsWith(`Chart prepared PNR ${three.pnr}`) === true);
  expect(cnfMail.text).toContain(`${three.passengers[0].coach}/${three.passengers[0].berthNo}`);

  // The unpaid waiting hold was released: it can no longer be paid.
  const late = await api(stack, traveller.token).post(`/bookings/${unpaid.body.pnr}/payment`, { card: CARDS.ok });
  expect(late.body.status).not.toBe('confirmed');
  // Booking has closed; the chart cannot be prepared twice.
  const closedHold = await book(runDate, 0, last, 1, 'X');
  expect(closedHold.status).toBe(409);
  expect(closedHold.body.error.code).toBe('CHART_PREPARED');
  const again = await api(stack, admin.token).post(chartPath, {});
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('CHART_PREPARED');

  // Staff read the chart: 45 confirmed passengers, six RAC on three berths, three dropped, with names.
  const chart = await api(stack, support.token).get(readPath);
  expect(chart.status).toBe(200);
  expect(chart.body).toMatchObject({ preparedBy: 'schedule', counts: { confirmed: 45, rac: 6, dropped: 3, vacantBerths: 0 } });
  expect(chart.body.rac.map((b: { passengers: unknown[] }) => b.passengers.length)).toEqual([2, 2, 2]);
  expect(chart.body.dropped.map((d: { pnr: string; passenger: number; status: string }) => `${d.pnr}/${d.passenger} ${d.status}`)).toEqual([
    `${mixed.pnr}/3 GNWL 1`,
    `${wl.pnr}/1 GNWL 2`,
    `${wl.pnr}/2 GNWL 3`,
  ]);
  const seatOfThree = chart.body.berths.find((b: { coach: string; berthNo: number }) => b.coach === three.passengers[0].coach && b.berthNo === three.passengers[0].berthNo);
  expect(seatOfThree.passengers).toEqual([{ pnr: three.pnr, passenger: 1, name: 'T0', from: 0, to: last, status: 'CNF' }]);
  const [stored] = await rows<{ prepared_by: string }>(sql`select prepared_by from run_charts where train_number = ${TRAIN} and run_date = ${runDate} and class_code = ${CLASS}`);
  expect(stored).toEqual({ prepared_by: 'schedule' });
  const inventory = stack.client.workflow.getHandle(inventoryWorkflowId(TRAIN, runDate, CLASS));
  expect(await inventory.query(chartQuery)).toMatchObject({ prepared: true, by: 'schedule' });

  // After the chart, a confirmed berth cancelled is not refunded.
  const after = await api(stack, traveller.token).post(`/bookings/${confirmed[0].pnr}/cancel`, { passengers: [1] });
  expect(after.status).toBe(200);
  expect(after.body.amountRefunded).toBe(0);
  toRecord.set('inventory-charted', inventoryWorkflowId(TRAIN, runDate, CLASS));
  toRecord.set('bookingV2-dropped-at-chart', `booking-${wl.pnr}`);
});

it('rebuilds its RAC and waiting lists from Postgres when the inventory actor is terminated, and goes on promoting', async () => {
  const runDate = futureDate(141);
  const last = route.length - 1;
  for (let i = 0; i < 7; i++) await bookAndPay(runDate, 0, last, 6, `C${i}-`);
  const three = await bookAndPay(runDate, 0, last, 3, 'T'); // 45 berths sold
  const rac = await bookAndPay(runDate, 0, last, 4, 'R'); // RAC 1–4
  const mixed = await bookAndPay(runDate, 0, last, 3, 'M'); // RAC 5, RAC 6, GNWL 1
  const wl = await bookAndPay(runDate, 0, last, 2, 'W'); // GNWL 2, GNWL 3
  expect(statusesOf(wl)).toEqual(['GNWL 2', 'GNWL 3']);
  const id = inventoryWorkflowId(TRAIN, runDate, CLASS);
  const before = await stack.client.workflow.getHandle(id).query(waitlistQuery);
  await stack.client.workflow.getHandle(id).terminate('test: support terminated the inventory');

  // The next request starts a new actor, rebuilt from the records: without its lists it would offer RAC 1.
  const next = await book(runDate, 0, last, 1, 'N');
  expect(next.status).toBe(201);
  expect(statusesOf(next.body)).toEqual(['GNWL 4']);
  const after = await stack.client.workflow.getHandle(id).query(waitlistQuery);
  const who = (v: typeof before) => ({
    rac: v.racBerths.flatMap((b) => b.passengers.map((p) => `${p.bookingId}#${p.passengerIndex}`)).sort(),
    gnwl: v.waitlists.GNWL.map((p) => `${p.bookingId}#${p.passengerIndex}`),
  });
  expect(who(after)).toEqual({ rac: who(before).rac, gnwl: [...who(before).gnwl, `${next.body.pnr}#0`] });
  expect(after.racBerths.every((b) => b.passengers.length <= 2)).toBe(true);

  // And it goes on: a cancellation promotes in order, as before the termination.
  expect((await api(stack, traveller.token).post(`/bookings/${three.pnr}/cancel`, {})).status).toBe(200);
  await waitForStatuses(rac.pnr, ['CNF', 'CNF', 'CNF', 'RAC 1']);
  await waitForStatuses(mixed.pnr, ['RAC 2', 'RAC 3', 'RAC 4']);
  await waitForStatuses(wl.pnr, ['RAC 5', 'RAC 6']);
  expect(statusesOf((await api(stack, traveller.token).get(`/bookings/${next.body.pnr}`)).body)).toEqual(['GNWL 1']);
  toRecord.set('inventory-waitlist-rebuilt', id); // the run started after the termination
});
