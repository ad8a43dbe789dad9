// domain/chart.ts: what the inventory does at chart time, and the chart it shows.
import { createInventory, type BerthInput, type InventoryState } from '../../domain/allocation';
import { chartOf, finalStatuses, prepareChart } from '../../domain/chart';
import { confirmRail, createRailState, holdRail, railStatusLabel, statusesOf, type RailState } from '../../domain/railInventory';
import type { PassengerInput, Quota } from '../../domain/types';

const adult: PassengerInput = { name: 'P', age: 30, gender: 'F' };
const pax = (n: number) => Array.from({ length: n }, () => adult);

// One SL coach of ten berths: eight general, 8 SU kept for Tatkal, side-lower 7 kept for RAC. Stops 0..4.
// The waitlist's cap is 30% of ten berths: 3.
const BERTHS: BerthInput[] = [
  ...(['LB', 'MB', 'UB', 'LB', 'MB', 'UB'] as const).map((type, i) => ({ coach: 'S1', berthNo: i + 1, type })),
  { coach: 'S1', berthNo: 7, type: 'SL' },
  { coach: 'S1', berthNo: 8, type: 'SU', quota: 'TQ' },
  { coach: 'S1', berthNo: 15, type: 'SL' },
  { coach: 'S1', berthNo: 16, type: 'SU' },
];
const END = 4;

function run(): { inv: InventoryState; rs: RailState } {
  const inv = createInventory({ berths: BERTHS, stopCount: END + 1 });
  return { inv, rs: createRailState(inv, 'SL', { racPerCoach: 1 }) };
}

function book(inv: InventoryState, rs: RailState, id: string, n: number, opts: { from?: number; to?: number; paid?: boolean; quota?: Quota } = {}) {
  const r = holdRail(inv, rs, { bookingId: id, fromSeq: opts.from ?? 0, toSeq: opts.to ?? END, passengers: pax(n), ...(opts.quota ? { quota: opts.quota } : {}), holdExpiresAt: 1e15 }, true);
  if (!r.ok) throw new Error(`${id}: ${r.reason}`);
  if (opts.paid !== false) confirmRail(inv, rs, id);
  return r;
}

const labels = (inv: InventoryState, rs: RailState, id: string) => statusesOf(inv, rs, id)?.map(railStatusLabel);

describe('prepareChart', () => {
  it('releases unsold quota berths to the general pool, promotes into them, drops the rest of the waitlist and reports every paid booking', () => {
    const { inv, rs } = run();
    book(inv, rs, 'A', 6);
    book(inv, rs, 'B', 2); // the eight general berths sold
    book(inv, rs, 'R', 2); // RAC 1, RAC 2 on berth 7
    book(inv, rs, 'W', 2); // GNWL 1, GNWL 2
    book(inv, rs, 'U', 1, { paid: false }); // unpaid: GNWL 3
    expect(labels(inv, rs, 'W')).toEqual(['GNWL 1', 'GNWL 2']);

    const out = prepareChart(inv, rs);
    expect(out.unpaidReleased).toEqual(['U']);
    expect(out.releasedToGeneral).toBe(1); // Tatkal berth 8, unsold
    expect(inv.berths.find((b) => b.berthNo === 8)!.quota).toBe('GN');
    // Berth 8 went to RAC 1; GNWL 1 took the RAC place; GNWL 2 was dropped.
    expect(labels(inv, rs, 'R')).toEqual(['CNF', 'RAC 1']);
    expect(labels(inv, rs, 'W')).toEqual(['RAC 2', 'CAN']);
    expect(out.dropped.map((d) => `${d.bookingId}#${d.passengerIndex}`)).toEqual(['W#1']);
    expect(out.promoted).toBeGreaterThan(0);
    expect(out.finals.map((f) => f.bookingId)).toEqual(['A', 'B', 'R', 'W']);
    expect(out.finals.find((f) => f.bookingId === 'B')!.statuses).toEqual([{ status: 'CNF' }, { status: 'CNF' }]);
    expect(out.finals.find((f) => f.bookingId === 'W')!.statuses.map(railStatusLabel)).toEqual(['RAC 2', 'CAN']);
  });

  it('leaves sold quota berths in their pool and changes nothing on a run with nobody waiting', () => {
    const { inv, rs } = run();
    book(inv, rs, 'T', 1, { quota: 'TQ' });
    book(inv, rs, 'G', 1);
    const out = prepareChart(inv, rs);
    expect(out).toMatchObject({ unpaidReleased: [], releasedToGeneral: 0, promoted: 0, dropped: [] });
    expect(inv.berths.find((b) => b.berthNo === 8)!.quota).toBe('TQ');
    expect(finalStatuses(inv, rs).map((f) => f.bookingId)).toEqual(['G', 'T']);
  });
});

describe('chartOf', () => {
  it('lists each berth with its passengers per segment, the RAC berths and the dropped passengers, with counts', () => {
    const { inv, rs } = run();
    book(inv, rs, 'A', 6, { from: 0, to: 2 });
    book(inv, rs, 'B', 1, { from: 2, to: END });
    book(inv, rs, 'C', 3); // two general berths left over the whole route, then RAC 1
    book(inv, rs, 'D', 2, { from: 1, to: 3 }); // RAC 2, then waitlisted
    const out = prepareChart(inv, rs);
    const chart = chartOf(inv, rs, out.dropped);
    const occupants = chart.berths.flatMap((b) => b.occupants.map((o) => `${b.berthNo}:${o.pnr}#${o.passengerIndex}@${o.fromSeq}-${o.toSeq}`));
    // Every passenger with a confirmed berth appears once, on the segment they travel.
    const confirmedIds = finalStatuses(inv, rs).flatMap((f) => f.statuses.flatMap((s, i) => (s.status === 'CNF' ? [`${f.bookingId}#${i}`] : [])));
    expect(confirmedIds.length).toBeGreaterThan(7);
    expect(occupants.map((o) => o.split(':')[1]!.split('@')[0]).sort()).toEqual(confirmedIds.sort());
    expect(chart.counts.confirmed).toBe(occupants.length);
    expect(chart.rac).toHaveLength(1);
    expect(chart.rac[0]!.occupants.length).toBeLessThanOrEqual(2);
    expect(chart.counts.vacantBerths).toBe(chart.berths.filter((b) => b.occupants.length === 0).length);
    expect(chart.berths.some((b) => b.quota === 'RAC')).toBe(false);
    expect(chart.dropped.map((d) => `${d.pnr}#${d.passengerIndex}`)).toEqual(out.dropped.map((d) => `${d.bookingId}#${d.passengerIndex}`));
    expect(chart.counts.dropped).toBe(out.dropped.length);
  });
});
