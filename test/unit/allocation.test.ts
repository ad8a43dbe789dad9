import {
  allocate,
  availability,
  bookingSeats,
  confirm,
  createInventory,
  expireHolds,
  heldBookings,
  MAX_PASSENGERS_PER_BOOKING,
  release,
  seatMap,
  type AllocatedSeat,
  type AllocationRequest,
  type BerthInput,
  type InventoryState,
} from '../../domain/allocation';
import { segmentsOverlap } from '../../domain/segments';
import { BERTH_TYPES, type BerthType, type PassengerInput, type Quota } from '../../domain/types';

/** Sleeper / 3A bay order: berths 1–8 of every bay. */
const BAY: readonly BerthType[] = ['LB', 'MB', 'UB', 'LB', 'MB', 'UB', 'SL', 'SU'];

function coach(code: string, berthCount: number, quota?: Quota): BerthInput[] {
  return Array.from({ length: berthCount }, (_, i) => ({
    coach: code,
    berthNo: i + 1,
    type: BAY[i % BAY.length]!,
    ...(quota ? { quota } : {}),
  }));
}

function adult(preference?: BerthType, age = 30): PassengerInput {
  return { name: 'Passenger', age, gender: 'F', ...(preference ? { preference } : {}) };
}

function adults(count: number): PassengerInput[] {
  return Array.from({ length: count }, () => adult());
}

function book(state: InventoryState, bookingId: string, fromSeq: number, toSeq: number, passengers = adults(1), quota?: Quota) {
  return allocate(state, { bookingId, fromSeq, toSeq, passengers, ...(quota ? { quota } : {}) });
}

function seatsOf(result: ReturnType<typeof allocate>): AllocatedSeat[] {
  if (!result.ok) throw new Error(`expected a successful allocation, got ${result.reason}`);
  return result.seats;
}

const label = (s: AllocatedSeat) => `${s.coach}-${s.berthNo}`;
const snapshot = (state: InventoryState) => JSON.stringify(state);

describe('segments on one berth', () => {
  it('resells a berth for a following segment (A→C then C→E) but not an overlapping one (A→D)', () => {
    const state = createInventory({ berths: coach('B1', 1), stopCount: 5 });
    expect(seatsOf(book(state, 'AC', 0, 2))).toEqual([{ coach: 'B1', berthNo: 1, type: 'LB', passengerIndex: 0 }]);
    expect(book(state, 'AD', 0, 3)).toEqual({ ok: false, reason: 'NO_CAPACITY' });
    expect(seatsOf(book(state, 'CE', 2, 4)).map(label)).toEqual(['B1-1']);
    expect(seatMap(state).coaches[0]!.berths[0]!.occupied).toEqual([
      { fromSeq: 0, toSeq: 2, bookingId: 'AC', status: 'held' },
      { fromSeq: 2, toSeq: 4, bookingId: 'CE', status: 'held' },
    ]);
  });

  it('refuses any segment sharing a hop and accepts the ones that only touch', () => {
    const state = createInventory({ berths: coach('B1', 1), stopCount: 6 });
    seatsOf(book(state, 'middle', 2, 4));
    for (const [from, to] of [[1, 3], [3, 5], [2, 4], [0, 5], [2, 3]] as const) {
      expect(book(state, `x${from}${to}`, from, to)).toEqual({ ok: false, reason: 'NO_CAPACITY' });
    }
    seatsOf(book(state, 'before', 0, 2));
    seatsOf(book(state, 'after', 4, 5));
    expect(availability(state, 0, 5).available).toBe(0);
  });
});

describe('request validation', () => {
  const state = createInventory({ berths: coach('B1', 8), stopCount: 4 });

  it.each([
    [0, 0],
    [2, 1],
    [-1, 2],
    [0, 4],
    [0.5, 2],
  ])('rejects segment %p→%p', (fromSeq, toSeq) => {
    expect(book(state, 'bad', fromSeq, toSeq)).toEqual({ ok: false, reason: 'INVALID_SEGMENT' });
  });

  it(`allows at most ${MAX_PASSENGERS_PER_BOOKING} passengers and at least one`, () => {
    expect(book(state, 'seven', 0, 3, adults(7))).toEqual({ ok: false, reason: 'TOO_MANY_PASSENGERS' });
    expect(book(state, 'none', 0, 3, [])).toEqual({ ok: false, reason: 'INVALID_REQUEST' });
    expect(seatsOf(book(state, 'six', 0, 3, adults(6)))).toHaveLength(6);
  });

  it('rejects malformed ids, quotas, ages and preferences', () => {
    const bad: Partial<AllocationRequest>[] = [
      { bookingId: '' },
      { bookingId: '__proto__' },
      { quota: 'XX' as Quota },
      { passengers: [{ ...adult(), age: -1 }] },
      { passengers: [adult('XX' as BerthType)] },
    ];
    for (const patch of bad) {
      expect(allocate(state, { bookingId: 'ok', fromSeq: 0, toSeq: 1, passengers: adults(1), ...patch })).toEqual({
        ok: false,
        reason: 'INVALID_REQUEST',
      });
    }
  });
});

describe('capacity', () => {
  it('is all-or-nothing: a group that does not fit changes nothing', () => {
    const state = createInventory({ berths: coach('B1', 4), stopCount: 3 });
    seatsOf(book(state, 'three', 0, 2, adults(3)));
    const before = snapshot(state);
    expect(book(state, 'pair', 0, 2, adults(2))).toEqual({ ok: false, reason: 'NO_CAPACITY' });
    expect(snapshot(state)).toBe(before);
    expect(seatsOf(book(state, 'single', 0, 2))).toHaveLength(1);
    expect(book(state, 'late', 1, 2)).toEqual({ ok: false, reason: 'NO_CAPACITY' });
    expect(availability(state, 0, 1)).toEqual({ available: 0, byType: { LB: 0, MB: 0, UB: 0 } });
  });

  it('gives each passenger a different berth', () => {
    const state = createInventory({ berths: coach('B1', 8), stopCount: 3 });
    const seats = seatsOf(book(state, 'six', 0, 2, adults(6)));
    expect(new Set(seats.map(label)).size).toBe(6);
    expect(seats.map((s) => s.passengerIndex)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('idempotency', () => {
  it('returns the same seats for a repeated booking id without taking more', () => {
    const state = createInventory({ berths: coach('B1', 8), stopCount: 4 });
    const first = book(state, 'PNR1', 0, 3, adults(2));
    const again = book(state, 'PNR1', 0, 3, adults(2));
    expect(first).toMatchObject({ ok: true, duplicate: false });
    expect(again).toMatchObject({ ok: true, duplicate: true, seats: seatsOf(first) });
    expect(availability(state, 0, 3).available).toBe(6);
    confirm(state, 'PNR1');
    expect(book(state, 'PNR1', 0, 3, adults(2))).toMatchObject({ ok: true, duplicate: true, seats: seatsOf(first) });
  });

  it('refuses a different request under a booking id that already holds seats', () => {
    const state = createInventory({ berths: coach('B1', 8), stopCount: 4 });
    seatsOf(book(state, 'PNR1', 0, 3, adults(2)));
    expect(book(state, 'PNR1', 0, 2, adults(2))).toEqual({ ok: false, reason: 'ALREADY_ALLOCATED' });
    expect(book(state, 'PNR1', 0, 3, adults(3))).toEqual({ ok: false, reason: 'ALREADY_ALLOCATED' });
    expect(book(state, 'PNR1', 0, 3, adults(2), 'TQ')).toEqual({ ok: false, reason: 'ALREADY_ALLOCATED' });
  });
});

describe('confirm and release', () => {
  it('confirms once and reports no change afterwards', () => {
    const state = createInventory({ berths: coach('B1', 8), stopCount: 4 });
    const seats = seatsOf(book(state, 'PNR1', 0, 3));
    expect(confirm(state, 'PNR1')).toEqual({ changed: true, status: 'sold', seats });
    expect(confirm(state, 'PNR1')).toEqual({ changed: false, status: 'sold', seats });
    expect(confirm(state, 'unknown')).toEqual({ changed: false, status: 'none', seats: [] });
    expect(bookingSeats(state, 'PNR1')).toEqual({ status: 'sold', seats });
  });

  it('releases once, freeing the berths, and reports no change afterwards', () => {
    const state = createInventory({ berths: coach('B1', 2), stopCount: 4 });
    const empty = snapshot(state);
    const seats = seatsOf(book(state, 'PNR1', 0, 3, adults(2)));
    expect(release(state, 'PNR1')).toEqual({ changed: true, status: 'none', seats });
    expect(release(state, 'PNR1')).toEqual({ changed: false, status: 'none', seats: [] });
    expect(snapshot(state)).toBe(empty);
    expect(bookingSeats(state, 'PNR1')).toBeUndefined();
    expect(seatsOf(book(state, 'PNR2', 0, 3, adults(2)))).toHaveLength(2);
  });

  it('releases a sold booking (cancellation) but not when only a hold may be released', () => {
    const state = createInventory({ berths: coach('B1', 2), stopCount: 4 });
    const seats = seatsOf(book(state, 'PNR1', 0, 3));
    confirm(state, 'PNR1');
    expect(release(state, 'PNR1', 'held')).toEqual({ changed: false, status: 'sold', seats });
    expect(release(state, 'PNR1')).toEqual({ changed: true, status: 'none', seats });
  });

  it('lists holds and expires those past their deadline', () => {
    const state = createInventory({ berths: coach('B1', 8), stopCount: 4 });
    allocate(state, { bookingId: 'early', fromSeq: 0, toSeq: 1, passengers: adults(2), holdExpiresAt: 1_000 });
    allocate(state, { bookingId: 'late', fromSeq: 0, toSeq: 1, passengers: adults(1), holdExpiresAt: 5_000 });
    allocate(state, { bookingId: 'paid', fromSeq: 0, toSeq: 1, passengers: adults(1), holdExpiresAt: 1_000 });
    confirm(state, 'paid');
    expect(heldBookings(state)).toEqual([
      { bookingId: 'early', fromSeq: 0, toSeq: 1, passengerCount: 2, holdExpiresAt: 1_000 },
      { bookingId: 'late', fromSeq: 0, toSeq: 1, passengerCount: 1, holdExpiresAt: 5_000 },
    ]);
    expect(expireHolds(state, 1_000)).toEqual(['early']);
    expect(expireHolds(state, 1_000)).toEqual([]);
    expect(Object.keys(state.bookings).sort()).toEqual(['late', 'paid']);
  });
});

describe('berth choice', () => {
  it('honours preferences when such berths are free', () => {
    const state = createInventory({ berths: coach('B1', 8), stopCount: 3 });
    const seats = seatsOf(book(state, 'pref', 0, 2, [adult('UB'), adult('SL'), adult('MB')]));
    expect(seats.map((s) => s.type)).toEqual(['UB', 'SL', 'MB']);
  });

  it('falls back to another berth when the preferred type is gone', () => {
    const state = createInventory({ berths: coach('B1', 8), stopCount: 3 });
    seatsOf(book(state, 'uppers', 0, 2, [adult('UB'), adult('UB')]));
    const seats = seatsOf(book(state, 'late', 0, 2, [adult('UB')]));
    expect(seats[0]!.type).not.toBe('UB');
  });

  it('prefers the coach that can honour the preference', () => {
    const state = createInventory({ berths: [...coach('B1', 8), ...coach('B2', 8)], stopCount: 3 });
    seatsOf(book(state, 'b1-sides', 0, 2, [adult('SL'), adult('SU')]));
    expect(seatsOf(book(state, 'side', 0, 2, [adult('SL')])).map(label)).toEqual(['B2-7']);
  });

  it('gives passengers aged 60+ without a preference lower berths', () => {
    const state = createInventory({ berths: coach('B1', 8), stopCount: 3 });
    seatsOf(book(state, 'first', 0, 2, [adult()]));
    const seats = seatsOf(book(state, 'elders', 0, 2, [adult(undefined, 30), adult(undefined, 67), adult(undefined, 72)]));
    // Berth 1 (LB) is gone; the lower berths left are 4 (LB) and 7 (SL).
    expect(seats.slice(1).map((s) => s.type).sort()).toEqual(['LB', 'SL']);
  });

  it('keeps a group in one coach, on adjacent berths', () => {
    const state = createInventory({ berths: [...coach('B1', 8), ...coach('B2', 8)], stopCount: 3 });
    seatsOf(book(state, 'b1', 0, 2, adults(5)));
    const seats = seatsOf(book(state, 'family', 0, 2, adults(4)));
    expect(new Set(seats.map((s) => s.coach))).toEqual(new Set(['B2']));
    const numbers = seats.map((s) => s.berthNo).sort((a, b) => a - b);
    expect(numbers[numbers.length - 1]! - numbers[0]!).toBe(3);
  });

  it('keeps a group together rather than splitting it to honour a preference', () => {
    const state = createInventory({ berths: [...coach('B1', 3), ...coach('B2', 2)], stopCount: 3 });
    expect(seatsOf(book(state, 'b1', 0, 2, [adult('LB'), adult('MB')])).map(label)).toEqual(['B1-1', 'B1-2']);
    // Only B1 has an upper left, but only B2 can seat the pair together.
    const seats = seatsOf(book(state, 'pair', 0, 2, [adult('UB'), adult()]));
    expect(seats.map(label)).toEqual(['B2-1', 'B2-2']);
  });

  it('chooses the most compact run of free berths in a coach', () => {
    const state = createInventory({ berths: coach('B1', 16), stopCount: 3 });
    for (let n = 1; n <= 8; n++) expect(seatsOf(book(state, `x${n}`, 0, 2)).map(label)).toEqual([`B1-${n}`]);
    for (const n of [2, 4, 6]) release(state, `x${n}`);
    // Free now: 2, 4, 6 (span 4 for three) and 9–16, where 9, 10, 11 span only 2.
    const seats = seatsOf(book(state, 'trio', 0, 2, adults(3)));
    expect(seats.map((s) => s.berthNo).sort((a, b) => a - b)).toEqual([9, 10, 11]);
  });

  it('splits a group over the fewest coaches when no coach can take it all', () => {
    const state = createInventory({ berths: [...coach('B1', 3), ...coach('B2', 4), ...coach('B3', 2)], stopCount: 3 });
    const seats = seatsOf(book(state, 'big', 0, 2, adults(6)));
    const perCoach = seats.reduce<Record<string, number>>((m, s) => ({ ...m, [s.coach]: (m[s.coach] ?? 0) + 1 }), {});
    expect(perCoach).toEqual({ B2: 4, B1: 2 });
  });

  it('picks the berth whose free gap fits the segment most tightly (best fit)', () => {
    // Stops 0..6. Berth 1 stays wholly free; berth 2 ends up free only 2→4, berth 3 free 2→6.
    const state = createInventory({ berths: coach('B1', 3), stopCount: 7 });
    expect(seatsOf(book(state, 'x', 0, 2, [adult('MB')])).map(label)).toEqual(['B1-2']);
    expect(seatsOf(book(state, 'y', 4, 6, [adult('MB')])).map(label)).toEqual(['B1-2']);
    expect(seatsOf(book(state, 'z', 0, 2, [adult('UB')])).map(label)).toEqual(['B1-3']);

    expect(seatsOf(book(state, 'gap', 2, 4)).map(label)).toEqual(['B1-2']); // fills the hole exactly
    expect(seatsOf(book(state, 'abut', 2, 5)).map(label)).toEqual(['B1-3']); // abuts 0→2, leaves 1 hop
    expect(availability(state, 0, 6).available).toBe(1); // the whole berth is still there for a long journey
  });

  it('prefers a tight gap in a later coach over a whole free berth in an earlier one', () => {
    const state = createInventory({ berths: [...coach('B1', 1), ...coach('B2', 1)], stopCount: 5 });
    expect(seatsOf(book(state, 'a', 0, 2)).map(label)).toEqual(['B1-1']);
    expect(seatsOf(book(state, 'b', 0, 2)).map(label)).toEqual(['B2-1']);
    release(state, 'a'); // B1-1 wholly free, B2-1 free only 2→4
    expect(seatsOf(book(state, 'tight', 2, 4)).map(label)).toEqual(['B2-1']);
    expect(seatsOf(book(state, 'long', 0, 4)).map(label)).toEqual(['B1-1']);
  });
});

describe('availability and quotas', () => {
  it('counts berths free over the whole segment, per type', () => {
    const state = createInventory({ berths: coach('B1', 8), stopCount: 5 });
    expect(availability(state, 0, 4)).toEqual({ available: 8, byType: { LB: 2, MB: 2, UB: 2, SL: 1, SU: 1 } });
    seatsOf(book(state, 'a', 1, 3, [adult('SL'), adult('LB')]));
    expect(availability(state, 0, 4)).toEqual({ available: 6, byType: { LB: 1, MB: 2, UB: 2, SL: 0, SU: 1 } });
    expect(availability(state, 3, 4).available).toBe(8);
    expect(availability(state, 0, 1).available).toBe(8);
    expect(availability(state, 2, 3).available).toBe(6);
    expect(() => availability(state, 3, 3)).toThrow(RangeError);
  });

  it('keeps quota pools apart', () => {
    const state = createInventory({ berths: [...coach('B1', 2), ...coach('T1', 2, 'TQ')], stopCount: 3 });
    expect(availability(state, 0, 2, 'TQ').available).toBe(2);
    expect(seatsOf(book(state, 'tatkal', 0, 2, adults(2), 'TQ')).map((s) => s.coach)).toEqual(['T1', 'T1']);
    expect(book(state, 'tatkal2', 0, 2, adults(1), 'TQ')).toEqual({ ok: false, reason: 'NO_CAPACITY' });
    expect(availability(state, 0, 2)).toEqual({ available: 2, byType: { LB: 1, MB: 1 } });
    expect(availability(state, 0, 2, 'LD')).toEqual({ available: 0, byType: {} });
  });
});

describe('inventory layout', () => {
  it('orders coaches as first listed and berths by number', () => {
    const berths = [...coach('B10', 2), ...coach('B2', 2)].reverse();
    const state = createInventory({ berths, stopCount: 2 });
    expect(state.berths.map((b) => `${b.coach}-${b.berthNo}`)).toEqual(['B2-1', 'B2-2', 'B10-1', 'B10-2']);
    expect(seatMap(state).coaches.map((c) => c.coach)).toEqual(['B2', 'B10']);
  });

  it('rejects malformed layouts', () => {
    expect(() => createInventory({ berths: [...coach('B1', 2), ...coach('B1', 1)], stopCount: 3 })).toThrow(/twice/);
    expect(() => createInventory({ berths: coach('B1', 2), stopCount: 1 })).toThrow(RangeError);
    expect(() => createInventory({ berths: [], stopCount: 3 })).toThrow(RangeError);
    expect(() => createInventory({ berths: [{ coach: 'B1', berthNo: 0, type: 'LB' }], stopCount: 3 })).toThrow(RangeError);
  });
});

describe('JSON round trip', () => {
  const script = (state: InventoryState) => [
    book(state, 'p1', 0, 3, adults(2)),
    confirm(state, 'p1'),
    book(state, '123', 1, 4, [adult('UB'), adult(undefined, 70)]),
    book(state, 'p1', 0, 3, adults(2)),
    release(state, 'constructor'),
    confirm(state, 'toString'),
    book(state, 'p3', 3, 5, adults(6)),
    release(state, '123'),
    book(state, 'p4', 0, 5, adults(3)),
    availability(state, 0, 5),
    heldBookings(state),
    seatMap(state),
  ];

  it('behaves identically after JSON.parse(JSON.stringify(state))', () => {
    const original = createInventory({ berths: [...coach('B1', 8), ...coach('B2', 8)], stopCount: 6 });
    book(original, 'seed', 2, 4, adults(3));
    confirm(original, 'seed');
    const copy = JSON.parse(JSON.stringify(original)) as InventoryState;
    expect(copy).toEqual(original);
    const fromOriginal = JSON.stringify(script(original));
    const fromCopy = JSON.stringify(script(copy));
    expect(fromCopy).toBe(fromOriginal);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(original));
  });

  it('holds only plain JSON data', () => {
    const state = createInventory({ berths: coach('B1', 8), stopCount: 4 });
    book(state, 'p', 0, 2, adults(2));
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    expect(structuredClone(state)).toEqual(state);
  });
});

// --- Randomised property test ------------------------------------------------

/** xorshift32: a tiny seeded PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

interface ModelBooking {
  fromSeq: number;
  toSeq: number;
  quota: Quota;
  berths: string[];
}

describe('randomised operations (property test)', () => {
  const STOPS = 8;
  const berths = [...coach('S1', 8), ...coach('S2', 8), ...coach('S3', 6, 'TQ')];
  const berthKeys = berths.map((b) => `${b.coach}-${b.berthNo}`);
  const quotaOf = new Map(berths.map((b, i) => [berthKeys[i]!, b.quota ?? 'GN']));

  /** Free berths of a quota over a segment, counted from the model's own bookings. */
  function bruteForceFree(model: Map<string, ModelBooking>, fromSeq: number, toSeq: number, quota: Quota) {
    const taken = new Set<string>();
    for (const b of model.values()) {
      if (segmentsOverlap(b.fromSeq, b.toSeq, fromSeq, toSeq)) b.berths.forEach((k) => taken.add(k));
    }
    const byType: Partial<Record<BerthType, number>> = {};
    let available = 0;
    berths.forEach((b, i) => {
      if ((b.quota ?? 'GN') !== quota) return;
      const free = taken.has(berthKeys[i]!) ? 0 : 1;
      byType[b.type] = (byType[b.type] ?? 0) + free;
      available += free;
    });
    return { available, byType };
  }

  function checkInvariants(state: InventoryState, model: Map<string, ModelBooking>) {
    state.occupancy.forEach((list, i) => {
      for (let a = 0; a < list.length; a++) {
        const [from, to, id] = list[a]!;
        expect(from).toBeLessThan(to);
        expect(state.bookings[id]!.berths).toContain(i);
        if (a > 0) expect(list[a - 1]![1]).toBeLessThanOrEqual(from);
        for (let b = a + 1; b < list.length; b++) {
          expect(segmentsOverlap(from, to, list[b]![0], list[b]![1])).toBe(false);
        }
      }
    });
    expect(Object.keys(state.bookings).sort()).toEqual([...model.keys()].sort());
    for (const quota of ['GN', 'TQ'] as const) {
      for (let from = 0; from < STOPS - 1; from++) {
        for (let to = from + 1; to < STOPS; to++) {
          expect(availability(state, from, to, quota)).toEqual(bruteForceFree(model, from, to, quota));
        }
      }
    }
  }

  it.each([1, 7, 2024])('keeps occupancy consistent over thousands of operations (seed %p)', (seed) => {
    const random = prng(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    let state = createInventory({ berths, stopCount: STOPS });
    const model = new Map<string, ModelBooking>();
    let nextId = 0;
    let placed = 0;
    let refused = 0;

    for (let op = 1; op <= 4000; op++) {
      const roll = random();
      if (roll < 0.55) {
        const fromSeq = Math.floor(random() * (STOPS - 1));
        const toSeq = fromSeq + 1 + Math.floor(random() * (STOPS - 1 - fromSeq));
        const count = random() < 0.6 ? 1 + Math.floor(random() * 2) : 1 + Math.floor(random() * 6);
        const passengers = Array.from({ length: count }, () =>
          adult(random() < 0.3 ? pick(BERTH_TYPES) : undefined, random() < 0.2 ? 65 : 25),
        );
        const quota: Quota = random() < 0.2 ? 'TQ' : 'GN';
        const bookingId = `b${nextId++}`;
        const freeBefore = bruteForceFree(model, fromSeq, toSeq, quota).available;
        const before = snapshot(state);
        const result = allocate(state, { bookingId, fromSeq, toSeq, passengers, quota });
        if (result.ok) {
          placed++;
          const keys = result.seats.map(label);
          expect(new Set(keys).size).toBe(count);
          for (const key of keys) expect(quotaOf.get(key)).toBe(quota);
          model.set(bookingId, { fromSeq, toSeq, quota, berths: keys });
        } else {
          refused++;
          expect(result.reason).toBe('NO_CAPACITY');
          expect(freeBefore).toBeLessThan(count); // never refuses a request that fits
          expect(snapshot(state)).toBe(before); // all-or-nothing
        }
      } else if (roll < 0.6 && model.size > 0) {
        const id = pick([...model.keys()]);
        const { fromSeq, toSeq, quota, berths: held } = model.get(id)!;
        const before = snapshot(state);
        const again = allocate(state, { bookingId: id, fromSeq, toSeq, quota, passengers: adults(held.length) });
        expect(again.ok && again.duplicate && again.seats.map(label)).toEqual(held);
        expect(snapshot(state)).toBe(before);
      } else if (roll < 0.75 && model.size > 0) {
        confirm(state, pick([...model.keys()]));
      } else if (model.size > 0) {
        const id = pick([...model.keys()]);
        expect(release(state, id).changed).toBe(true);
        model.delete(id);
      }
      if (op % 500 === 0) state = JSON.parse(JSON.stringify(state)) as InventoryState;
      if (op % 200 === 0) checkInvariants(state, model);
    }
    checkInvariants(state, model);
    expect(placed).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(50);
  });
});
