import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { allocate, availability, bookingSeats, createInventory, type AllocatedSeat, type BerthInput, type InventoryState } from '../../domain/allocation';
import { restoreBookings } from '../../domain/inventoryRebuild';
import {
  chartRail,
  confirmRail,
  createRailState,
  expireWaiting,
  extendWaiting,
  holdRail,
  nextWaitingExpiry,
  passengerAllocationId,
  releasePassengers,
  releaseRail,
  restoreWaiting,
  seatsOf,
  statusesOf,
  railStatusLabel as statusLabel,
  type BookingStatusChange,
  type RailHoldResult,
  type RailState,
} from '../../domain/railInventory';
import { waitlistCap } from '../../domain/railwayRules';
import { waitingCount, WAITLIST_KINDS } from '../../domain/waitlist';
import type { BerthType, PassengerInput, Quota } from '../../domain/types';

const adult: PassengerInput = { name: 'Passenger', age: 30, gender: 'F' };
const pax = (count: number): PassengerInput[] => Array.from({ length: count }, () => adult);

/** One small SL coach: two side-lowers (7, 15) among a few ordinary berths. Stops 0..5. */
const SMALL: BerthInput[] = [
  { coach: 'S1', berthNo: 1, type: 'LB' },
  { coach: 'S1', berthNo: 2, type: 'UB' },
  { coach: 'S1', berthNo: 7, type: 'SL' },
  { coach: 'S1', berthNo: 8, type: 'SU' },
  { coach: 'S1', berthNo: 15, type: 'SL' },
];
const STOPS_SMALL = 6;
const END = STOPS_SMALL - 1;

function small(racPerCoach: number, berths: readonly BerthInput[] = SMALL): { inv: InventoryState; rs: RailState } {
  const inv = createInventory({ berths, stopCount: STOPS_SMALL });
  const rs = createRailState(inv, 'SL', { racPerCoach });
  return { inv, rs };
}

interface HoldOptions {
  waitlist?: boolean;
  holdExpiresAt?: number;
  quota?: Quota;
}

function hold(inv: InventoryState, rs: RailState, bookingId: string, fromSeq: number, toSeq: number, n: number, options: HoldOptions = {}): RailHoldResult {
  const { waitlist = true, holdExpiresAt, quota } = options;
  return holdRail(
    inv,
    rs,
    { bookingId, fromSeq, toSeq, passengers: pax(n), ...(quota ? { quota } : {}), ...(holdExpiresAt !== undefined ? { holdExpiresAt } : {}) },
    waitlist,
  );
}

/** A successful hold's answer (throws on a refusal, naming it). */
function held(result: RailHoldResult): Extract<RailHoldResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected a hold, got ${result.reason}`);
  return result;
}

const labelsOf = (inv: InventoryState, rs: RailState, bookingId: string) => statusesOf(inv, rs, bookingId)?.map(statusLabel);
const berthNos = (seats: readonly AllocatedSeat[]) => seats.map((s) => s.berthNo);
const seatOf = (inv: InventoryState, bookingId: string) => {
  const record = inv.bookings[bookingId]!;
  return inv.berths[record.berths[0]!]!;
};
const snapshot = (inv: InventoryState, rs: RailState) => JSON.stringify({ inv, rs });
const own = <T>(map: Record<string, T>, key: string): T | undefined => (Object.hasOwn(map, key) ? map[key] : undefined);

// ---------------------------------------------------------------------------
// Examples

describe('releasePassengers (partial cancellation)', () => {
  it('splits an ordinary booking, frees only the named passengers and promotes into their berths', () => {
    const { inv, rs } = small(1); // confirmed berths 1, 2, 8, 15; RAC berth 7
    const family = held(hold(inv, rs, 'F', 0, END, 3));
    confirmRail(inv, rs, 'F');
    held(hold(inv, rs, 'A', 0, END, 1));
    held(hold(inv, rs, 'R', 0, END, 1));
    expect(labelsOf(inv, rs, 'R')).toEqual(['RAC 1']);
    const before = family.seats.map((x) => `${x.passengerIndex}:${x.berthNo}`);

    const r = releasePassengers(inv, rs, 'F', [1], pax(3));
    expect(r.changed).toBe(true);
    expect(r.changes.map((c) => c.bookingId)).toEqual(['R']);
    expect(labelsOf(inv, rs, 'F')).toEqual(['CNF', 'CAN', 'CNF']);
    expect(seatsOf(inv, rs, 'F').map((x) => `${x.passengerIndex}:${x.berthNo}`)).toEqual([before[0], before[2]]);
    expect(labelsOf(inv, rs, 'R')).toEqual(['CNF']);
    expect(seatsOf(inv, rs, 'R')[0]!.berthNo).toBe(family.seats[1]!.berthNo);
    // The split booking stays sold; a repeat changes nothing.
    expect(inv.bookings[passengerAllocationId('F', 0)]!.status).toBe('sold');
    expect(releasePassengers(inv, rs, 'F', [1], pax(3)).changed).toBe(false);
    // Everyone left: the whole booking goes.
    expect(releasePassengers(inv, rs, 'F', [0, 2], pax(3)).changed).toBe(true);
    expect(own(rs.waits, 'F')).toBeUndefined();
    expect(Object.keys(inv.bookings).filter((id) => id.startsWith('F'))).toEqual([]);
  });

  it('cancels an RAC passenger: the passengers behind move up a place', () => {
    const { inv, rs } = small(1);
    held(hold(inv, rs, 'A', 0, END, 4)); // every confirmed berth
    const g = held(hold(inv, rs, 'G', 0, END, 3)); // RAC 1, RAC 2, GNWL 1
    expect(g.statuses!.map(statusLabel)).toEqual(['RAC 1', 'RAC 2', 'GNWL 1']);
    const r = releasePassengers(inv, rs, 'G', [0], pax(3));
    expect(r.changed).toBe(true);
    // RAC 1 left: G's waitlisted passenger takes the RAC place.
    expect(labelsOf(inv, rs, 'G')).toEqual(['CAN', 'RAC 1', 'RAC 2']);
  });

  it('ignores an unknown booking or a malformed list', () => {
    const { inv, rs } = small(1);
    held(hold(inv, rs, 'F', 0, END, 2));
    const before = snapshot(inv, rs);
    expect(releasePassengers(inv, rs, 'X', [0], pax(1)).changed).toBe(false);
    expect(releasePassengers(inv, rs, 'F', [0], pax(3)).changed).toBe(false); // not the booking's passengers
    expect(snapshot(inv, rs)).toBe(before);
  });
});

describe('createRailState', () => {
  it('moves the first N side-lowers of the coach out of the confirmed pool into quota RAC', () => {
    const one = small(1);
    expect(one.inv.berths.map((b) => `${b.berthNo}:${b.quota}`)).toEqual(['1:GN', '2:GN', '7:RAC', '8:GN', '15:GN']);
    expect(one.rs.wl.racBerths).toEqual([{ coach: 'S1', berthNo: 7 }]);
    expect(one.rs.wl.cap).toBe(waitlistCap('SL', SMALL.length));
    expect(one.rs.waits).toEqual({});

    const two = small(2);
    expect(two.inv.berths.filter((b) => b.quota === 'RAC').map((b) => b.berthNo)).toEqual([7, 15]);
    expect(two.rs.wl.racBerths).toEqual([
      { coach: 'S1', berthNo: 7 },
      { coach: 'S1', berthNo: 15 },
    ]);
  });

  it('takes only side-lowers that are wholly free: a sold one stays in the confirmed pool', () => {
    const inv = createInventory({ berths: SMALL, stopCount: STOPS_SMALL });
    const sold = allocate(inv, { bookingId: 'early', fromSeq: 2, toSeq: 3, passengers: [{ ...adult, preference: 'SL' }] });
    expect(sold.ok && berthNos(sold.seats)).toEqual([7]);
    const rs = createRailState(inv, 'SL', { racPerCoach: 1 });
    expect(rs.wl.racBerths).toEqual([{ coach: 'S1', berthNo: 15 }]);
    expect(inv.berths.map((b) => `${b.berthNo}:${b.quota}`)).toEqual(['1:GN', '2:GN', '7:GN', '8:GN', '15:RAC']);
  });

  it('gives no RAC with racPerCoach 0, and neither RAC nor a waitlist to a class the tables do not know', () => {
    const none = small(0);
    expect(none.rs.wl.racBerths).toEqual([]);
    expect(none.inv.berths.every((b) => b.quota === 'GN')).toBe(true);
    const inv = createInventory({ berths: SMALL, stopCount: STOPS_SMALL });
    const unknown = createRailState(inv, 'XX');
    expect(unknown.wl.racBerths).toEqual([]);
    expect(unknown.wl.cap).toBe(0);
    expect(inv.berths.every((b) => b.quota === 'GN')).toBe(true);
  });

  it('never sells an RAC berth confirmed, and refuses a request naming the RAC quota', () => {
    const { inv, rs } = small(1);
    const sold = ['a', 'b', 'c', 'd'].flatMap((id) => berthNos(held(hold(inv, rs, id, 0, END, 1, { waitlist: false })).seats));
    expect(sold.sort((x, y) => x - y)).toEqual([1, 2, 8, 15]);
    expect(availability(inv, 0, END, 'GN').available).toBe(0);
    expect(hold(inv, rs, 'e', 0, END, 1, { waitlist: false })).toEqual({ ok: false, reason: 'NO_CAPACITY' });
    expect(hold(inv, rs, 'f', 0, END, 1, { quota: 'RAC' })).toEqual({ ok: false, reason: 'INVALID_REQUEST' });
    expect(inv.occupancy[inv.berths.findIndex((b) => b.berthNo === 7)]).toEqual([]);
  });
});

describe('holdRail', () => {
  it('once sold out answers RAC 1, RAC 2, then the waitlist of each kind up to the cap, then REGRET (changing nothing)', () => {
    const { inv, rs } = small(1);
    const group = held(hold(inv, rs, 'A', 0, END, 4));
    expect(group).toMatchObject({ duplicate: false, changes: [] });
    expect(group.statuses).toBeUndefined(); // the ordinary path
    expect(berthNos(group.seats).sort((x, y) => x - y)).toEqual([1, 2, 8, 15]);
    rs.wl.cap = 4;

    expect(held(hold(inv, rs, 'R1', 0, END, 1)).statuses!.map(statusLabel)).toEqual(['RAC 1']);
    expect(held(hold(inv, rs, 'R2', 0, END, 1)).statuses!.map(statusLabel)).toEqual(['RAC 2']);
    expect(held(hold(inv, rs, 'W1', 0, END, 1)).statuses!.map(statusLabel)).toEqual(['GNWL 1']);
    // 5 stops, 5 hops: to the last stop from an intermediate stop, short: RLWL; between intermediate stops: PQWL.
    expect(held(hold(inv, rs, 'W2', 4, END, 1)).statuses!.map(statusLabel)).toEqual(['RLWL 1']);
    expect(held(hold(inv, rs, 'W3', 1, 2, 1)).statuses!.map(statusLabel)).toEqual(['PQWL 1']);
    expect(held(hold(inv, rs, 'W4', 0, END, 1)).statuses!.map(statusLabel)).toEqual(['GNWL 2']);
    for (const id of ['R1', 'R2', 'W1', 'W4']) expect(seatsOf(inv, rs, id)).toEqual([]);

    const before = snapshot(inv, rs);
    expect(hold(inv, rs, 'W5', 0, END, 1)).toEqual({ ok: false, reason: 'REGRET' });
    expect(hold(inv, rs, 'W6', 1, 2, 1)).toEqual({ ok: false, reason: 'REGRET' });
    expect(hold(inv, rs, 'W7', 0, END, 1, { waitlist: false })).toEqual({ ok: false, reason: 'NO_CAPACITY' });
    expect(snapshot(inv, rs)).toBe(before);
    expect(Object.keys(rs.waits)).toEqual(['R1', 'R2', 'W1', 'W2', 'W3', 'W4']);
    expect(waitingCount(rs.wl)).toBe(4);
  });

  it('gives a group of 3 with only 2 single berths free CNF, CNF, RAC 1, and repeats it as a duplicate', () => {
    const { inv, rs } = small(1);
    held(hold(inv, rs, 'A', 0, END, 2));
    const group = held(hold(inv, rs, 'G', 0, END, 3));
    expect(group.statuses!.map(statusLabel)).toEqual(['CNF', 'CNF', 'RAC 1']);
    expect(group.seats.map((s) => s.passengerIndex)).toEqual([0, 1]);
    expect(berthNos(group.seats).sort((x, y) => x - y)).toEqual([8, 15]);
    expect(group).toMatchObject({ duplicate: false, changes: [] });
    expect(inv.bookings[passengerAllocationId('G', 0)]!.status).toBe('held');
    expect(inv.bookings[passengerAllocationId('G', 1)]!.status).toBe('held');
    expect(inv.bookings[passengerAllocationId('G', 2)]).toBeUndefined();
    expect(rs.wl.rac.map((r) => `${r.bookingId}/${r.passengerIndex}`)).toEqual(['G/2']);
    expect(rs.waits.G).toMatchObject({ sold: false, fromSeq: 0, toSeq: END, quota: 'GN' });

    const before = snapshot(inv, rs);
    const repeat = held(hold(inv, rs, 'G', 0, END, 3));
    expect(repeat).toEqual({ ok: true, seats: group.seats, statuses: group.statuses, duplicate: true, changes: [] });
    expect(snapshot(inv, rs)).toBe(before);
    expect(hold(inv, rs, 'G', 1, END, 3)).toEqual({ ok: false, reason: 'ALREADY_ALLOCATED' });
    expect(hold(inv, rs, 'G', 0, END, 2)).toEqual({ ok: false, reason: 'ALREADY_ALLOCATED' });
    expect(snapshot(inv, rs)).toBe(before);

    // The ordinary path's repeat is allocation.ts's duplicate.
    const again = held(hold(inv, rs, 'A', 0, END, 2));
    expect(again).toMatchObject({ duplicate: true, changes: [] });
    expect(again.statuses).toBeUndefined();
  });

  it('does not turn away, on a full waitlist, a group whose passengers all get a berth or an RAC place', () => {
    // Single passengers are confirmed before the rest wait, so only those who really wait count against the cap.
    const { inv, rs } = small(1);
    held(hold(inv, rs, 'A', 0, END, 2));
    rs.wl.cap = 0; // the waitlist is full (or, as for an unknown class, absent)
    const group = hold(inv, rs, 'G', 0, END, 3);
    expect(group.ok && group.statuses!.map(statusLabel)).toEqual(['CNF', 'CNF', 'RAC 1']);
  });
});

describe('confirmRail and releaseRail', () => {
  it('releasing a confirmed booking promotes RAC 1 to CNF and GNWL 1 to RAC, reporting both', () => {
    const { inv, rs } = small(1);
    for (const id of ['A', 'B', 'C', 'D']) held(hold(inv, rs, id, 0, END, 1));
    rs.wl.cap = 2;
    held(hold(inv, rs, 'R1', 0, END, 1));
    held(hold(inv, rs, 'R2', 0, END, 1));
    held(hold(inv, rs, 'W1', 0, END, 1));
    expect(confirmRail(inv, rs, 'R1')).toEqual({ changed: true, sold: true, seats: [], statuses: [{ status: 'RAC', number: 1 }] });
    expect(confirmRail(inv, rs, 'R1')).toMatchObject({ changed: false, sold: true });
    expect(rs.waits.R1).toMatchObject({ sold: true });

    const freed = seatOf(inv, 'B');
    const result = releaseRail(inv, rs, 'B');
    expect(result.changed).toBe(true);
    const expected: BookingStatusChange[] = [
      { bookingId: 'R1', statuses: [{ status: 'CNF' }], seats: [{ coach: 'S1', berthNo: freed.berthNo, type: freed.type, passengerIndex: 0 }], sold: true },
      { bookingId: 'W1', statuses: [{ status: 'RAC', number: 2 }], seats: [], sold: false },
    ];
    expect(result.changes).toEqual(expected);
    // Promoted into a paid booking, the berth is sold at once.
    expect(inv.bookings[passengerAllocationId('R1', 0)]!.status).toBe('sold');
    // R2's number closed up; that is not reported.
    expect(labelsOf(inv, rs, 'R2')).toEqual(['RAC 1']);
    expect(waitingCount(rs.wl)).toBe(0);
    expect(releaseRail(inv, rs, 'B')).toEqual({ changed: false, changes: [] });

    // W1 pays, then R2 (RAC) cancels: W1 moves up a number, still RAC, no news.
    expect(confirmRail(inv, rs, 'W1')).toMatchObject({ changed: true, sold: true, statuses: [{ status: 'RAC', number: 2 }] });
    expect(releaseRail(inv, rs, 'R2')).toEqual({ changed: true, changes: [] });
    expect(labelsOf(inv, rs, 'W1')).toEqual(['RAC 1']);
    expect(rs.waits.R2).toBeUndefined();

    // An ordinary booking: confirm, then a late expiry (onlyIfHeld) leaves the sale alone.
    expect(confirmRail(inv, rs, 'C')).toMatchObject({ changed: true, sold: true });
    expect(confirmRail(inv, rs, 'C').statuses).toBeUndefined();
    expect(releaseRail(inv, rs, 'C', true)).toEqual({ changed: false, changes: [] });
    expect(inv.bookings.C!.status).toBe('sold');
  });

  it('promotes over overlapping segments only where the freed berth covers the whole journey', () => {
    // One confirmed berth (1), one RAC berth (7).
    const { inv, rs } = small(1, [
      { coach: 'S1', berthNo: 1, type: 'LB' },
      { coach: 'S1', berthNo: 7, type: 'SL' },
    ]);
    held(hold(inv, rs, 'A', 0, 3, 1));
    held(hold(inv, rs, 'B', 3, END, 1));
    expect(held(hold(inv, rs, 'P', 1, 2, 1)).statuses!.map(statusLabel)).toEqual(['RAC 1']);
    expect(held(hold(inv, rs, 'Q', 2, END, 1)).statuses!.map(statusLabel)).toEqual(['RAC 2']);

    // A's 0→3 frees berth 1 for P's 1→2, but Q's 2→5 still meets B on 3→5.
    const result = releaseRail(inv, rs, 'A');
    expect(result.changes).toEqual([{ bookingId: 'P', statuses: [{ status: 'CNF' }], seats: [{ coach: 'S1', berthNo: 1, type: 'LB', passengerIndex: 0 }], sold: false }]);
    expect(labelsOf(inv, rs, 'Q')).toEqual(['RAC 1']);
    expect(inv.occupancy[0]).toEqual([
      [1, 2, passengerAllocationId('P', 0)],
      [3, END, 'B'],
    ]);
    // B leaving frees 3→5: berth 1 now carries only P on 1→2, so Q's 2→5 fits.
    expect(releaseRail(inv, rs, 'B').changes).toEqual([
      { bookingId: 'Q', statuses: [{ status: 'CNF' }], seats: [{ coach: 'S1', berthNo: 1, type: 'LB', passengerIndex: 0 }], sold: false },
    ]);
    expect(rs.wl.rac).toEqual([]);
  });

  it('releasing a waiting booking frees its confirmed berths and RAC places for those behind it', () => {
    const { inv, rs } = small(1);
    held(hold(inv, rs, 'A', 0, END, 2));
    expect(held(hold(inv, rs, 'G', 0, END, 3)).statuses!.map(statusLabel)).toEqual(['CNF', 'CNF', 'RAC 1']);
    rs.wl.cap = 3;
    expect(held(hold(inv, rs, 'H', 0, END, 3)).statuses!.map(statusLabel)).toEqual(['RAC 2', 'GNWL 1', 'GNWL 2']);
    const result = releaseRail(inv, rs, 'G');
    expect(result.changed).toBe(true);
    expect(result.changes).toHaveLength(1);
    expect(result.changes[0]!.bookingId).toBe('H');
    expect(result.changes[0]!.statuses.map(statusLabel)).toEqual(['CNF', 'CNF', 'RAC 1']);
    expect(berthNos(result.changes[0]!.seats).sort((x, y) => x - y)).toEqual([8, 15]);
    expect(Object.keys(inv.bookings).sort()).toEqual(['A', passengerAllocationId('H', 0), passengerAllocationId('H', 1)]);
    expect(statusesOf(inv, rs, 'G')).toBeUndefined();
    expect(seatsOf(inv, rs, 'G')).toEqual([]);
  });
});

describe('expireWaiting, nextWaitingExpiry, extendWaiting', () => {
  it('releases only unpaid waiting bookings whose deadline passed, and promotes into what they freed', () => {
    const { inv, rs } = small(1);
    held(hold(inv, rs, 'A', 0, END, 3, { holdExpiresAt: 10 })); // ordinary: not expireWaiting's
    expect(held(hold(inv, rs, 'G', 0, END, 2, { holdExpiresAt: 1000 })).statuses!.map(statusLabel)).toEqual(['CNF', 'RAC 1']);
    expect(held(hold(inv, rs, 'S', 0, END, 1, { holdExpiresAt: 1000 })).statuses!.map(statusLabel)).toEqual(['RAC 2']);
    expect(held(hold(inv, rs, 'L', 0, END, 1, { holdExpiresAt: 5000 })).statuses!.map(statusLabel)).toEqual(['GNWL 1']);
    expect(nextWaitingExpiry(rs)).toBe(1000);
    confirmRail(inv, rs, 'S'); // paid: no deadline any more
    expect(rs.waits.S!.holdExpiresAt).toBeUndefined();

    expect(expireWaiting(inv, rs, 999)).toEqual({ expired: [], changes: [] });
    const result = expireWaiting(inv, rs, 1000);
    expect(result.expired).toEqual(['G']);
    // G's berth goes to S (RAC 1, paid: sold at once), G's RAC place to L.
    expect(result.changes).toEqual([
      { bookingId: 'S', statuses: [{ status: 'CNF' }], seats: [expect.objectContaining({ passengerIndex: 0 })], sold: true },
      { bookingId: 'L', statuses: [{ status: 'RAC', number: 1 }], seats: [], sold: false },
    ]);
    expect(inv.bookings[passengerAllocationId('S', 0)]!.status).toBe('sold');
    expect(inv.bookings.A).toBeDefined();
    expect(rs.waits.G).toBeUndefined();
    expect(nextWaitingExpiry(rs)).toBe(5000);

    // extendWaiting moves a held waiting booking's deadline; not a sold one's, nor an unknown one's.
    expect(extendWaiting(rs, 'L', 7000)).toBe(true);
    expect(extendWaiting(rs, 'S', 7000)).toBe(false);
    expect(extendWaiting(rs, 'A', 7000)).toBe(false);
    expect(extendWaiting(rs, 'nobody', 7000)).toBe(false);
    expect(nextWaitingExpiry(rs)).toBe(7000);
    expect(expireWaiting(inv, rs, 6000).expired).toEqual([]);
    expect(expireWaiting(inv, rs, 7000)).toEqual({ expired: ['L'], changes: [] });
    expect(nextWaitingExpiry(rs)).toBe(Number.POSITIVE_INFINITY);
    expect(Object.keys(rs.waits)).toEqual(['S']);
  });

  it('releaseRail with onlyIfHeld leaves a sold waiting booking alone, and releases a held one', () => {
    const { inv, rs } = small(1);
    held(hold(inv, rs, 'A', 0, END, 4));
    held(hold(inv, rs, 'S', 0, END, 1));
    held(hold(inv, rs, 'H', 0, END, 1));
    confirmRail(inv, rs, 'S');
    const before = snapshot(inv, rs);
    expect(releaseRail(inv, rs, 'S', true)).toEqual({ changed: false, changes: [] });
    expect(snapshot(inv, rs)).toBe(before);
    expect(releaseRail(inv, rs, 'H', true)).toEqual({ changed: true, changes: [] });
    expect(rs.waits.H).toBeUndefined();
    expect(labelsOf(inv, rs, 'S')).toEqual(['RAC 1']);
    expect(releaseRail(inv, rs, 'S')).toEqual({ changed: true, changes: [] });
    expect(rs.wl.rac).toEqual([]);
  });
});

describe('chartRail', () => {
  function waitlisted() {
    const { inv, rs } = small(1);
    held(hold(inv, rs, 'A', 0, END, 4));
    rs.wl.cap = 3;
    expect(held(hold(inv, rs, 'R', 0, END, 2)).statuses!.map(statusLabel)).toEqual(['RAC 1', 'RAC 2']);
    expect(held(hold(inv, rs, 'W1', 0, END, 1)).statuses!.map(statusLabel)).toEqual(['GNWL 1']);
    expect(held(hold(inv, rs, 'W2', 1, 2, 2)).statuses!.map(statusLabel)).toEqual(['PQWL 1', 'PQWL 2']);
    return { inv, rs };
  }

  it('drops the passengers still waitlisted and keeps RAC', () => {
    const { inv, rs } = waitlisted();
    const { changes, dropped } = chartRail(inv, rs);
    expect(changes).toEqual([]);
    expect(dropped.map((d) => `${d.bookingId}/${d.passengerIndex} ${statusLabel(d.status)}`)).toEqual(['W1/0 GNWL 1', 'W2/0 PQWL 1', 'W2/1 PQWL 2']);
    for (const kind of WAITLIST_KINDS) expect(rs.wl.waitlists[kind]).toEqual([]);
    expect(labelsOf(inv, rs, 'R')).toEqual(['RAC 1', 'RAC 2']);
    expect(seatsOf(inv, rs, 'W1')).toEqual([]);
  });

  it('does not report a dropped passenger as CNF', () => {
    // Dropped at the chart: CAN, with no berth (CNF passengers are exactly those with seats).
    const { inv, rs } = waitlisted();
    chartRail(inv, rs);
    expect(seatsOf(inv, rs, 'W1')).toEqual([]);
    expect(statusesOf(inv, rs, 'W1')![0]).toEqual({ status: 'CAN' });
  });

  it('makes a last promotion pass into berths the chart released to the general pool', () => {
    const { inv, rs } = small(1, [
      { coach: 'S1', berthNo: 1, type: 'LB' },
      { coach: 'S1', berthNo: 2, type: 'UB', quota: 'TQ' },
      { coach: 'S1', berthNo: 7, type: 'SL' },
    ]);
    held(hold(inv, rs, 'A', 0, END, 1));
    expect(held(hold(inv, rs, 'R', 0, END, 1)).statuses!.map(statusLabel)).toEqual(['RAC 1']);
    inv.berths[1]!.quota = 'GN'; // the unsold Tatkal berth joins the general pool at the chart
    const { changes, dropped } = chartRail(inv, rs);
    expect(changes).toEqual([{ bookingId: 'R', statuses: [{ status: 'CNF' }], seats: [{ coach: 'S1', berthNo: 2, type: 'UB', passengerIndex: 0 }], sold: false }]);
    expect(dropped).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Property test: random operations, every invariant after every one.
// The checks collect plain-JS findings and fail once per operation (an
// expect() per berth and hop would make 200 runs slow).

const STOPS = 10;
const BAY: readonly BerthType[] = ['LB', 'MB', 'UB', 'LB', 'MB', 'UB', 'SL', 'SU'];
/** Two 8-berth coaches (side-lowers 7), one Tatkal berth: with racPerCoach 1, 13 GN berths, 1 TQ, 2 RAC (4 places). */
const LAYOUT: BerthInput[] = ['S1', 'S2'].flatMap((coach) =>
  BAY.map((type, i): BerthInput => ({ coach, berthNo: i + 1, type, ...(coach === 'S2' && i === 7 ? { quota: 'TQ' as const } : {}) })),
);

type Op =
  | { t: 'hold'; from: number; len: number; n: number; waitlist: boolean; tatkal: boolean; ttl: number }
  | { t: 'repeat'; pick: number }
  | { t: 'confirm'; pick: number }
  | { t: 'release'; pick: number; onlyIfHeld: boolean }
  | { t: 'extend'; pick: number; ttl: number }
  | { t: 'expire'; advance: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant('hold' as const),
      from: fc.nat(STOPS - 2),
      len: fc.integer({ min: 1, max: STOPS - 1 }),
      n: fc.integer({ min: 1, max: 4 }),
      waitlist: fc.boolean(),
      tatkal: fc.boolean(),
      ttl: fc.integer({ min: 1, max: 40 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('repeat' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('confirm' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('release' as const), pick: fc.nat(), onlyIfHeld: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('extend' as const), pick: fc.nat(), ttl: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('expire' as const), advance: fc.integer({ min: 0, max: 20 }) }) },
);

/** The test's own record of a live booking. */
interface Live {
  fromSeq: number;
  toSeq: number;
  n: number;
  quota: Quota;
  /** On the waiting path (rs.waits) rather than the ordinary one. */
  waiting: boolean;
  sold: boolean;
  holdExpiresAt: number;
}

// CAN (dropped at the chart, or cancelled) never appears here: no operation in the random test cancels part of a booking.
const RANK = { CAN: -1, WL: 0, RAC: 1, CNF: 2 } as const;
const show = (value: unknown) => JSON.stringify(value);

function runOps(ops: readonly Op[]): void {
  const inv = createInventory({ berths: LAYOUT, stopCount: STOPS });
  const rs = createRailState(inv, 'SL', { racPerCoach: 1 });
  rs.wl.cap = 8;
  const racCapacity = 2 * rs.wl.racBerths.length;
  expect(racCapacity).toBe(4);
  expect(inv.berths.filter((b) => b.quota === 'GN')).toHaveLength(13);
  const live = new Map<string, Live>();
  let now = 0;
  let nextId = 0;
  const problems: string[] = [];
  const must = (ok: boolean, message: () => string) => {
    if (!ok) problems.push(message());
  };

  const poolOf = (quota: string): Quota => (quota === 'TQ' ? 'TQ' : 'GN');
  const racAt = (hop: number) => rs.wl.rac.filter((r) => r.fromSeq <= hop && hop < r.toSeq).length;

  /** Every waiting booking's passenger ranks (WL < RAC < CNF). */
  function ranks(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const id of Object.keys(rs.waits)) out.set(id, statusesOf(inv, rs, id)!.map((s) => RANK[s.status]));
    return out;
  }

  /** The waiting passengers in the order promotion offers them: RAC in RAC order, then the waitlist in joining order. */
  function queue(): { key: string; rank: number; segment: string }[] {
    const entry = (rank: number) => (e: (typeof rs.wl.rac)[number] | (typeof rs.wl.waitlists.GNWL)[number]) => ({
      key: `${e.bookingId}/${e.passengerIndex}`,
      rank,
      segment: `${e.fromSeq}→${e.toSeq} ${poolOf(e.quota)}`,
    });
    const waitlisted = WAITLIST_KINDS.flatMap((k) => rs.wl.waitlists[k]).sort((a, b) => a.seq - b.seq);
    return [...rs.wl.rac.map(entry(RANK.RAC)), ...waitlisted.map(entry(RANK.WL))];
  }

  /**
   * First come, first served among equals: of two passengers who waited with the same status over the same
   * segment and pool, the later one never ends an operation above the earlier one (when both are still there).
   */
  function checkQueueOrder(before: ReturnType<typeof queue>): void {
    const rankNow = new Map<string, number>();
    for (const id of Object.keys(rs.waits)) statusesOf(inv, rs, id)!.forEach((s, i) => rankNow.set(`${id}/${i}`, RANK[s.status]));
    before.forEach((a, i) => {
      for (const b of before.slice(i + 1)) {
        if (a.rank !== b.rank || a.segment !== b.segment) continue;
        const [ra, rb] = [rankNow.get(a.key), rankNow.get(b.key)];
        if (ra === undefined || rb === undefined) continue;
        must(ra >= rb, () => `${b.key} overtook ${a.key} (${a.segment}): now ${rb} > ${ra}`);
      }
    });
  }

  /** Bookings (other than `except`) with a passenger who moved up since `before`; checks that nobody moved down. */
  function movedUp(before: Map<string, number[]>, except?: string): string[] {
    const after = ranks();
    const up: string[] = [];
    for (const [id, was] of before) {
      const is = after.get(id);
      if (!is) continue;
      must(
        is.every((r, i) => r >= was[i]!),
        () => `${id} moved down: ${show(was)} → ${show(is)}`,
      );
      if (id !== except && is.some((r, i) => r > was[i]!)) up.push(id);
    }
    return up.sort();
  }

  /** The changes reported are exactly the bookings that moved up, each as it stands now (`exact`: numbers too). */
  function checkChanges(changes: readonly BookingStatusChange[], up: readonly string[], exact: boolean): void {
    const ids = changes.map((c) => c.bookingId);
    must(isDeepStrictEqual([...ids].sort(), up), () => `changes for ${show(ids)}, but ${show(up)} moved up`);
    for (const c of changes) {
      const w = own(rs.waits, c.bookingId);
      if (!w) {
        problems.push(`change for ${c.bookingId}, which is not a live waiting booking`);
        continue;
      }
      must(c.sold === w.sold, () => `change for ${c.bookingId}: sold ${c.sold}, booking sold ${w.sold}`);
      const seats = seatsOf(inv, rs, c.bookingId);
      must(isDeepStrictEqual(c.seats, seats), () => `change for ${c.bookingId}: seats ${show(c.seats)}, now ${show(seats)}`);
      const statuses = statusesOf(inv, rs, c.bookingId)!;
      const same = exact ? isDeepStrictEqual(c.statuses, statuses) : isDeepStrictEqual(c.statuses.map((s) => s.status), statuses.map((s) => s.status));
      must(same, () => `change for ${c.bookingId}: statuses ${show(c.statuses)}, now ${show(statuses)}`);
    }
  }

  function check(): void {
    // No berth segment held twice; RAC berths never sold; occupancy and booking records agree.
    inv.occupancy.forEach((list, b) => {
      if (inv.berths[b]!.quota === 'RAC') must(list.length === 0, () => `RAC berth ${b} occupied: ${show(list)}`);
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) {
          const [x, y] = [list[i]!, list[j]!];
          must(x[1] <= y[0] || y[1] <= x[0], () => `berth ${b} held twice: ${show(x)} and ${show(y)}`);
        }
        const [fromSeq, toSeq, id] = list[i]!;
        const record = own(inv.bookings, id);
        must(!!record && record.fromSeq === fromSeq && record.toSeq === toSeq && record.berths.includes(b), () => `berth ${b}: ${id} has no matching record`);
      }
    });
    for (const [id, record] of Object.entries(inv.bookings)) {
      for (const b of record.berths) {
        must(inv.berths[b]!.quota !== 'RAC', () => `${id} holds RAC berth ${b}`);
        must(inv.occupancy[b]!.filter((o) => o[2] === id).length === 1, () => `${id}: berth ${b} not in occupancy once`);
      }
    }

    // No RAC berth over two passengers at any hop.
    for (const r of rs.wl.rac) must(r.berth >= 0 && r.berth < rs.wl.racBerths.length, () => `RAC entry on berth ${r.berth}`);
    for (let berth = 0; berth < rs.wl.racBerths.length; berth++) {
      for (let hop = 0; hop < STOPS - 1; hop++) {
        const count = rs.wl.rac.filter((r) => r.berth === berth && r.fromSeq <= hop && hop < r.toSeq).length;
        must(count <= 2, () => `RAC berth ${berth} carries ${count} at hop ${hop}`);
      }
    }
    must(waitingCount(rs.wl) <= rs.wl.cap, () => `${waitingCount(rs.wl)} waitlisted over the cap ${rs.wl.cap}`);

    // The fixpoint: nobody waiting fits a free berth of their pool; nobody waitlisted fits an RAC place.
    for (const r of rs.wl.rac) {
      const free = availability(inv, r.fromSeq, r.toSeq, poolOf(r.quota)).available;
      must(free === 0, () => `RAC ${r.bookingId}/${r.passengerIndex} ${r.fromSeq}→${r.toSeq} waits with ${free} berths free`);
    }
    for (const kind of WAITLIST_KINDS) {
      const list = rs.wl.waitlists[kind];
      list.forEach((e, i) => {
        const who = `${kind} ${e.bookingId}/${e.passengerIndex} ${e.fromSeq}→${e.toSeq}`;
        must(e.kind === kind, () => `${who} has kind ${e.kind}`);
        // Waitlist order within each kind.
        if (i > 0) must(list[i - 1]!.seq < e.seq, () => `${who}: seq ${e.seq} after ${list[i - 1]!.seq}`);
        const free = availability(inv, e.fromSeq, e.toSeq, poolOf(e.quota)).available;
        must(free === 0, () => `${who} waits with ${free} berths free`);
        let full = false;
        for (let hop = e.fromSeq; hop < e.toSeq; hop++) if (racAt(hop) >= racCapacity) full = true;
        must(full, () => `${who} waits while RAC has room at every hop: ${show(rs.wl.rac)}`);
      });
    }

    // Nobody is lost: the live bookings are exactly the ordinary ones and the waiting ones, each passenger in exactly one place.
    const ordinary = Object.keys(inv.bookings).filter((id) => !id.includes('#'));
    const waiting = Object.keys(rs.waits);
    const found = [...ordinary, ...waiting].sort();
    const expectedIds = [...live.keys()].sort();
    must(isDeepStrictEqual(found, expectedIds), () => `live bookings ${show(found)}, expected ${show(expectedIds)}`);
    const places = new Map<string, number>();
    const put = (key: string) => places.set(key, (places.get(key) ?? 0) + 1);
    for (const [id, record] of Object.entries(inv.bookings)) {
      const [bookingId, index] = id.split('#');
      if (index === undefined) record.berths.forEach((_, i) => put(`${bookingId}/${i}`));
      else {
        must(record.berths.length === 1, () => `${id} holds ${record.berths.length} berths`);
        put(`${bookingId}/${index}`);
      }
    }
    for (const e of [...rs.wl.rac, ...WAITLIST_KINDS.flatMap((k) => rs.wl.waitlists[k])]) put(`${e.bookingId}/${e.passengerIndex}`);
    const expectedKeys: string[] = [];
    for (const [id, b] of live) for (let i = 0; i < b.n; i++) expectedKeys.push(`${id}/${i}`);
    const keys = [...places.keys()].sort();
    must(isDeepStrictEqual(keys, expectedKeys.sort()), () => `passengers placed ${show(keys)}, expected ${show(expectedKeys)}`);
    for (const [key, count] of places) must(count === 1, () => `${key} is in ${count} places`);

    for (const id of ordinary) {
      const b = live.get(id);
      if (!b) continue; // reported above
      must(!b.waiting, () => `${id} should be waiting`);
      must(inv.bookings[id]!.status === (b.sold ? 'sold' : 'held'), () => `${id} is ${inv.bookings[id]!.status}`);
      must(statusesOf(inv, rs, id) === undefined, () => `${id}: statuses on the ordinary path`);
    }

    // statusesOf and seatsOf agree, with an allocation record for each confirmed passenger, held or sold as its booking.
    let heldDeadline = Number.POSITIVE_INFINITY;
    for (const id of waiting) {
      const w = rs.waits[id]!;
      const b = live.get(id);
      if (!b) continue; // reported above
      must(b.waiting, () => `${id} should be on the ordinary path`);
      must(w.sold === b.sold, () => `${id}: sold ${w.sold}, expected ${b.sold}`);
      must(w.fromSeq === b.fromSeq && w.toSeq === b.toSeq && w.passengers.length === b.n, () => `${id}: request changed`);
      if (!w.sold) {
        must(w.holdExpiresAt === b.holdExpiresAt, () => `${id}: deadline ${w.holdExpiresAt}, expected ${b.holdExpiresAt}`);
        heldDeadline = Math.min(heldDeadline, b.holdExpiresAt);
      }
      const statuses = statusesOf(inv, rs, id)!;
      must(statuses.length === b.n, () => `${id}: ${statuses.length} statuses for ${b.n} passengers`);
      const cnf = statuses.flatMap((s, i) => (s.status === 'CNF' ? [i] : []));
      const seated = seatsOf(inv, rs, id).map((s) => s.passengerIndex);
      must(isDeepStrictEqual(seated, cnf), () => `${id}: CNF passengers ${show(cnf)}, seats for ${show(seated)}`);
      statuses.forEach((s, i) => {
        const record = own(inv.bookings, passengerAllocationId(id, i));
        if (s.status === 'CNF') {
          must(!!record, () => `${id}/${i} CNF without an allocation record`);
          if (record) {
            must(record.status === (w.sold ? 'sold' : 'held'), () => `${id}/${i} is ${record.status}, booking sold ${w.sold}`);
            must(record.fromSeq === w.fromSeq && record.toSeq === w.toSeq, () => `${id}/${i} on another segment`);
          }
        } else if (s.status === 'CAN') {
          must(false, () => `${id}/${i} is CAN, but the random test cancels no passenger alone`);
        } else {
          must(!record, () => `${id}/${i} is ${statusLabel(s)} with an allocation record`);
          const entry = s.status === 'RAC' ? rs.wl.rac[s.number - 1] : rs.wl.waitlists[s.kind][s.number - 1];
          must(entry?.bookingId === id && entry.passengerIndex === i, () => `${id}/${i} is ${statusLabel(s)}, which is ${show(entry)}`);
        }
      });
    }
    must(nextWaitingExpiry(rs) === heldDeadline, () => `nextWaitingExpiry ${nextWaitingExpiry(rs)}, expected ${heldDeadline}`);
  }

  const pick = (n: number) => {
    const ids = [...live.keys()];
    return ids.length === 0 ? undefined : ids[n % ids.length]!;
  };

  ops.forEach((op, step) => {
    const before = ranks();
    const waitingBefore = queue();
    switch (op.t) {
      case 'hold': {
        const id = `b${nextId++}`;
        const fromSeq = op.from;
        const toSeq = Math.min(STOPS - 1, fromSeq + op.len);
        const quota: Quota = op.tatkal ? 'TQ' : 'GN';
        const holdExpiresAt = now + op.ttl;
        const snap = snapshot(inv, rs);
        const result = holdRail(inv, rs, { bookingId: id, fromSeq, toSeq, passengers: pax(op.n), quota, holdExpiresAt }, op.waitlist);
        if (!result.ok) {
          must(result.reason === (op.waitlist ? 'REGRET' : 'NO_CAPACITY'), () => `hold refused: ${result.reason}`);
          must(snapshot(inv, rs) === snap, () => `a refused hold (${result.reason}) changed the state`);
          break;
        }
        must(!result.duplicate, () => `a new hold answered duplicate`);
        const waiting = result.statuses !== undefined;
        if (!waiting) {
          must(result.seats.length === op.n, () => `ordinary hold: ${result.seats.length} seats for ${op.n}`);
        } else {
          must(op.waitlist, () => `waiting without asking to`);
          must(isDeepStrictEqual(result.statuses, statusesOf(inv, rs, id)), () => `hold answered ${show(result.statuses)}, statusesOf differs`);
          must(isDeepStrictEqual(result.seats, seatsOf(inv, rs, id)), () => `hold answered ${show(result.seats)}, seatsOf differs`);
          // Waiting: the group as a whole did not fit.
          must(result.seats.length < op.n, () => `every passenger confirmed, yet waiting`);
        }
        live.set(id, { fromSeq, toSeq, n: op.n, quota, waiting, sold: false, holdExpiresAt });
        checkChanges(result.changes, movedUp(before, id), true);
        break;
      }
      case 'repeat': {
        const id = pick(op.pick);
        if (!id) break;
        const b = live.get(id)!;
        const snap = snapshot(inv, rs);
        const statuses = statusesOf(inv, rs, id);
        const seats = seatsOf(inv, rs, id);
        const result = holdRail(inv, rs, { bookingId: id, fromSeq: b.fromSeq, toSeq: b.toSeq, passengers: pax(b.n), quota: b.quota }, true);
        const expected = { ok: true, seats, ...(statuses ? { statuses } : {}), duplicate: true, changes: [] };
        must(isDeepStrictEqual(result, expected), () => `repeat of ${id}: ${show(result)}, expected ${show(expected)}`);
        must(snapshot(inv, rs) === snap, () => `a repeated hold changed the state`);
        break;
      }
      case 'confirm': {
        const id = pick(op.pick);
        if (!id) break;
        const b = live.get(id)!;
        const result = confirmRail(inv, rs, id);
        must(result.changed === !b.sold && result.sold, () => `confirm ${id} (sold ${b.sold}): ${show(result)}`);
        must(isDeepStrictEqual(result.seats, seatsOf(inv, rs, id)), () => `confirm ${id}: seats differ from seatsOf`);
        b.sold = true;
        must(movedUp(before).length === 0, () => `confirm moved someone up`);
        break;
      }
      case 'release': {
        const id = pick(op.pick);
        if (!id) break;
        const b = live.get(id)!;
        const result = releaseRail(inv, rs, id, op.onlyIfHeld);
        const releases = !(op.onlyIfHeld && b.sold);
        must(result.changed === releases, () => `release ${id} (sold ${b.sold}, onlyIfHeld ${op.onlyIfHeld}): changed ${result.changed}`);
        if (releases) live.delete(id);
        checkChanges(result.changes, movedUp(before), true);
        break;
      }
      case 'extend': {
        const id = pick(op.pick);
        if (!id) break;
        const b = live.get(id)!;
        const ok = b.waiting && !b.sold;
        must(extendWaiting(rs, id, now + op.ttl) === ok, () => `extendWaiting ${id} should answer ${ok}`);
        if (ok) b.holdExpiresAt = now + op.ttl;
        break;
      }
      case 'expire': {
        now += op.advance;
        const due = [...live].filter(([, b]) => b.waiting && !b.sold && b.holdExpiresAt <= now).map(([id]) => id);
        const result = expireWaiting(inv, rs, now);
        must(isDeepStrictEqual([...result.expired].sort(), due.sort()), () => `expired ${show(result.expired)}, expected ${show(due)}`);
        for (const id of due) live.delete(id);
        // Numbers may have closed up after a change was recorded; kinds and seats are current.
        checkChanges(result.changes, movedUp(before), false);
        break;
      }
    }
    check();
    checkQueueOrder(waitingBefore);
    if (problems.length > 0) throw new Error(`after step ${step} ${show(op)}:\n  ${problems.join('\n  ')}`);
  });
}

describe('random holds, confirmations, releases and expiries (property test)', () => {
  it('keeps every berth segment single, RAC at two per berth per hop, the fixpoint, the waitlist order, and every passenger', () => {
    fc.assert(fc.property(fc.array(opArb, { minLength: 20, maxLength: 60, size: 'max' }), runOps), { seed: 20260512, numRuns: 200 });
  });
});

describe('restoreWaiting (an actor rebuilt from the records)', () => {
  it('puts RAC and waitlisted passengers back in their order, with the confirmed ones of their bookings, as before', () => {
    const { inv, rs } = small(1); // confirmed berths 1, 2, 8, 15; RAC berth 7
    held(hold(inv, rs, 'A', 0, END, 3));
    confirmRail(inv, rs, 'A');
    held(hold(inv, rs, 'B', 0, 3, 2)); // one berth left: CNF, RAC 1
    confirmRail(inv, rs, 'B');
    held(hold(inv, rs, 'C', 1, END, 1)); // RAC 2 (shares berth 7's hops 1..3 with RAC 1)
    confirmRail(inv, rs, 'C');
    const ids = ['A', 'B', 'C'];
    const before = Object.fromEntries(ids.map((id) => [id, labelsOf(inv, rs, id) ?? ['CNF', 'CNF', 'CNF']]));
    expect(before.B).toEqual(['CNF', 'RAC 1']);

    // The records: ordinary bookings whole, waiting bookings' confirmed passengers one by one, and their labels.
    const fresh = small(1);
    const ordinary = ids.filter((id) => !Object.hasOwn(rs.waits, id));
    restoreBookings(fresh.inv, [
      ...ordinary.map((id) => ({ bookingId: id, status: 'sold' as const, fromSeq: inv.bookings[id]!.fromSeq, toSeq: inv.bookings[id]!.toSeq, seats: bookingSeats(inv, id)!.seats })),
      ...Object.keys(rs.waits).flatMap((id) =>
        seatsOf(inv, rs, id).map((seat) => ({
          bookingId: passengerAllocationId(id, seat.passengerIndex),
          status: 'sold' as const,
          fromSeq: rs.waits[id]!.fromSeq,
          toSeq: rs.waits[id]!.toSeq,
          seats: [{ ...seat, passengerIndex: 0 }],
        })),
      ),
    ]);
    const changes = restoreWaiting(
      fresh.inv,
      fresh.rs,
      Object.entries(rs.waits).map(([bookingId, w]) => ({
        bookingId,
        sold: w.sold,
        fromSeq: w.fromSeq,
        toSeq: w.toSeq,
        quota: w.quota,
        passengers: w.passengers,
        statuses: labelsOf(inv, rs, bookingId)!,
        booked: labelsOf(inv, rs, bookingId)!,
      })),
    );
    expect(changes).toEqual([]);
    for (const id of ids) expect(labelsOf(fresh.inv, fresh.rs, id) ?? ['CNF', 'CNF', 'CNF']).toEqual(before[id]);

    // And it goes on as the original would: A cancels, RAC 1 and RAC 2 get its berths.
    const original = releaseRail(inv, rs, 'A').changes.map((c) => c.bookingId).sort();
    const rebuilt = releaseRail(fresh.inv, fresh.rs, 'A').changes.map((c) => c.bookingId).sort();
    expect(rebuilt).toEqual(original);
    expect(labelsOf(fresh.inv, fresh.rs, 'B')).toEqual(['CNF', 'CNF']);
    expect(labelsOf(fresh.inv, fresh.rs, 'C')).toEqual(['CNF']);
  });

  it('promotes at once into berths freed while no actor ran, and treats a confirmed passenger with no berth as gone', () => {
    const { inv, rs } = small(1);
    const changes = restoreWaiting(inv, rs, [
      { bookingId: 'W', sold: true, fromSeq: 0, toSeq: END, quota: 'GN', passengers: pax(2), statuses: ['CNF', 'GNWL 1'], booked: ['CNF', 'GNWL 1'] },
    ]);
    // Passenger 0's berth is not in the seat state (the records lost it): cancelled. Passenger 1 takes a free berth.
    expect(labelsOf(inv, rs, 'W')).toEqual(['CAN', 'CNF']);
    expect(changes.map((c) => c.bookingId)).toEqual(['W']);
  });
});
