import fc from 'fast-check';
import { coachLayout } from '../../db/seed/classes';
import { allocate, availability, createInventory, release, type BerthInput, type InventoryState } from '../../domain/allocation';
import { inventoryChartReleases } from '../../domain/quotas';
import {
  assign,
  cancel,
  chart,
  createWaitlist,
  outlook,
  promote,
  racSeatMap,
  splitRacBerths,
  statusLabel,
  waitingCount,
  waitingOf,
  WAITLIST_KINDS,
  waitlistKind,
  type Candidate,
  type WaitlistKind,
  type WaitlistState,
} from '../../domain/waitlist';
import type { PassengerInput, Quota } from '../../domain/types';

const racBerths = (count: number) => Array.from({ length: count }, (_, i) => ({ coach: 'S1', berthNo: 7 + 8 * i }));
const labels = (state: WaitlistState, bookingId: string) => waitingOf(state, bookingId).map((p) => statusLabel(p.status));
const never = () => false;
const adult: PassengerInput = { name: 'Passenger', age: 30, gender: 'F' };

/** Most RAC passengers on any one RAC berth at any hop. */
function maxPerBerthHop(state: WaitlistState): number {
  let max = 0;
  state.racBerths.forEach((_, b) => {
    for (let hop = 0; hop < state.stopCount - 1; hop++) {
      max = Math.max(max, state.rac.filter((r) => r.berth === b && r.fromSeq <= hop && hop < r.toSeq).length);
    }
  });
  return max;
}

/** Does one more RAC passenger over the segment fit (fewer than 2 × berths at every hop)? */
function racHasRoom(state: WaitlistState, fromSeq: number, toSeq: number): boolean {
  for (let hop = fromSeq; hop < toSeq; hop++) {
    if (state.rac.filter((r) => r.fromSeq <= hop && hop < r.toSeq).length >= 2 * state.racBerths.length) return false;
  }
  return true;
}

describe('waitlistKind', () => {
  // 11 stops, 10 hops: GNWL from the origin or for 5+ hops, RLWL to the last stop, PQWL between intermediate stops.
  it.each([
    [0, 1, 'GN', 'GNWL'],
    [0, 10, 'GN', 'GNWL'],
    [0, 3, 'LD', 'GNWL'],
    [2, 10, 'GN', 'GNWL'],
    [5, 10, 'GN', 'GNWL'],
    [1, 6, 'GN', 'GNWL'],
    [6, 10, 'GN', 'RLWL'],
    [9, 10, 'SS', 'RLWL'],
    [1, 5, 'GN', 'PQWL'],
    [3, 6, 'GN', 'PQWL'],
    [0, 10, 'TQ', 'TQWL'],
    [3, 6, 'TQ', 'TQWL'],
  ] as const)('%p→%p in %p waits on %p', (fromSeq, toSeq, quota, kind) => {
    expect(waitlistKind(11, fromSeq, toSeq, quota)).toBe(kind);
  });

  it('covers every segment of every short route with exactly the documented rule', () => {
    for (let stops = 2; stops <= 14; stops++) {
      for (let from = 0; from < stops - 1; from++) {
        for (let to = from + 1; to < stops; to++) {
          const kind = waitlistKind(stops, from, to);
          const long = (to - from) * 2 >= stops - 1;
          if (from === 0 || long) expect(kind).toBe('GNWL');
          else expect(kind).toBe(to === stops - 1 ? 'RLWL' : 'PQWL');
        }
      }
    }
  });
});

describe('assign', () => {
  it('seats two RAC passengers per side-lower at every hop, segment by segment', () => {
    const state = createWaitlist({ stopCount: 6, racBerths: racBerths(1), cap: 10 });
    expect(assign(state, { bookingId: 'A', fromSeq: 0, toSeq: 3, passengers: 1 })).toMatchObject({ ok: true, statuses: [{ status: 'RAC', number: 1 }] });
    expect(assign(state, { bookingId: 'B', fromSeq: 0, toSeq: 5, passengers: 1 })).toMatchObject({ ok: true, statuses: [{ status: 'RAC', number: 2 }] });
    // Hops 3 and 4 carry only B, so C shares the berth after A leaves.
    expect(assign(state, { bookingId: 'C', fromSeq: 3, toSeq: 5, passengers: 1 })).toMatchObject({ ok: true, statuses: [{ status: 'RAC', number: 3 }] });
    // Hop 1 has A and B already.
    expect(assign(state, { bookingId: 'D', fromSeq: 1, toSeq: 2, passengers: 1 })).toMatchObject({
      ok: true,
      statuses: [{ status: 'WL', kind: 'PQWL', number: 1 }],
    });
    expect(maxPerBerthHop(state)).toBe(2);
    expect(racSeatMap(state)[0]!.passengers.map((p) => p.bookingId)).toEqual(['A', 'B', 'C']);
  });

  it('gives a group RAC while it fits and the waitlist for the rest', () => {
    const state = createWaitlist({ stopCount: 4, racBerths: racBerths(1), cap: 10 });
    const result = assign(state, { bookingId: 'G', fromSeq: 0, toSeq: 3, passengers: 3 });
    expect(result.ok && result.statuses.map(statusLabel)).toEqual(['RAC 1', 'RAC 2', 'GNWL 1']);
    expect(waitingOf(state, 'G').map((p) => p.booked)).toEqual([
      { status: 'RAC', number: 1 },
      { status: 'RAC', number: 2 },
      { status: 'WL', kind: 'GNWL', number: 1 },
    ]);
  });

  it('re-seats RAC passengers rather than refuse a segment that has room at every hop', () => {
    const state = createWaitlist({ stopCount: 5, racBerths: racBerths(2), cap: 0 });
    // Carried state: berth 0 full on hop 0, berth 1 full on hop 3, so no single berth takes 0→4 as seated.
    const entry = (bookingId: string, fromSeq: number, toSeq: number, berth: number) => ({
      bookingId,
      passengerIndex: 0,
      fromSeq,
      toSeq,
      quota: 'GN' as const,
      seq: state.seq++,
      booked: { status: 'RAC' as const, number: 1 },
      berth,
    });
    state.rac.push(entry('P', 0, 1, 0), entry('Q', 0, 1, 0), entry('R', 3, 4, 1), entry('S', 3, 4, 1));
    expect(assign(state, { bookingId: 'T', fromSeq: 0, toSeq: 4, passengers: 1 })).toMatchObject({ ok: true, statuses: [{ status: 'RAC', number: 5 }] });
    expect(maxPerBerthHop(state)).toBe(2);
    expect(outlook(state, 0, 1)).toEqual([{ status: 'RAC', number: 6 }]);
    expect(assign(state, { bookingId: 'U', fromSeq: 0, toSeq: 1, passengers: 1 })).toMatchObject({ ok: true, statuses: [{ status: 'RAC', number: 6 }] });
    // Hop 0 now carries four RAC passengers on two berths: full (and the cap of 0 leaves no waitlist).
    expect(outlook(state, 0, 2)).toBe('REGRET');
    expect(outlook(state, 1, 3)).toEqual([{ status: 'RAC', number: 7 }]);
    expect(maxPerBerthHop(state)).toBe(2);
  });

  it('answers REGRET when the waitlisted passengers would pass the cap, changing nothing', () => {
    const state = createWaitlist({ stopCount: 4, racBerths: [], cap: 3 });
    expect(assign(state, { bookingId: 'A', fromSeq: 0, toSeq: 3, passengers: 2 })).toMatchObject({ ok: true });
    const before = JSON.stringify(state);
    expect(assign(state, { bookingId: 'B', fromSeq: 1, toSeq: 2, passengers: 2 })).toEqual({ ok: false, reason: 'REGRET' });
    expect(JSON.stringify(state)).toBe(before);
    expect(assign(state, { bookingId: 'C', fromSeq: 1, toSeq: 2, passengers: 1 })).toMatchObject({ ok: true, statuses: [{ kind: 'PQWL', number: 1 }] });
    expect(waitingCount(state)).toBe(3);
    expect(outlook(state, 0, 1)).toBe('REGRET');
  });

  it('is idempotent per booking id and refuses a different request under the same id', () => {
    const state = createWaitlist({ stopCount: 4, racBerths: racBerths(1), cap: 5 });
    const first = assign(state, { bookingId: 'A', fromSeq: 0, toSeq: 2, passengers: 3 });
    const again = assign(state, { bookingId: 'A', fromSeq: 0, toSeq: 2, passengers: 3 });
    expect(again).toEqual(first.ok ? { ...first, duplicate: true } : first);
    expect(assign(state, { bookingId: 'A', fromSeq: 0, toSeq: 3, passengers: 3 })).toEqual({ ok: false, reason: 'ALREADY_WAITING' });
    expect(state.rac.length + waitingCount(state)).toBe(3);
  });

  it.each([
    [{ bookingId: '', fromSeq: 0, toSeq: 1, passengers: 1 }, 'INVALID_REQUEST'],
    [{ bookingId: 'x', fromSeq: 0, toSeq: 1, passengers: 0 }, 'INVALID_REQUEST'],
    [{ bookingId: 'x', fromSeq: 0, toSeq: 1, passengers: 7 }, 'INVALID_REQUEST'],
    [{ bookingId: 'x', fromSeq: 0, toSeq: 1, passengers: 1, quota: 'XX' as never }, 'INVALID_REQUEST'],
    [{ bookingId: 'x', fromSeq: 2, toSeq: 2, passengers: 1 }, 'INVALID_SEGMENT'],
    [{ bookingId: 'x', fromSeq: 0, toSeq: 4, passengers: 1 }, 'INVALID_SEGMENT'],
  ])('refuses a malformed request %p', (request, reason) => {
    const state = createWaitlist({ stopCount: 4, racBerths: racBerths(1), cap: 5 });
    expect(assign(state, request)).toEqual({ ok: false, reason });
  });

  it('refuses a malformed layout', () => {
    expect(() => createWaitlist({ stopCount: 1, racBerths: [], cap: 0 })).toThrow(RangeError);
    expect(() => createWaitlist({ stopCount: 3, racBerths: [], cap: -1 })).toThrow(RangeError);
    expect(() => createWaitlist({ stopCount: 3, racBerths: [{ coach: 'S1', berthNo: 7 }, { coach: 'S1', berthNo: 7 }], cap: 0 })).toThrow(/twice/);
  });
});

describe('promote, cancel, chart', () => {
  /** One RAC berth: R1, R2 RAC over 0→3, W1 and W2 GNWL over 0→2, L1 RAC over 4→5 (the berth's free end). */
  function busy() {
    const state = createWaitlist({ stopCount: 6, racBerths: racBerths(1), cap: 10 });
    assign(state, { bookingId: 'R1', fromSeq: 0, toSeq: 3, passengers: 1 });
    assign(state, { bookingId: 'R2', fromSeq: 0, toSeq: 3, passengers: 1 });
    assign(state, { bookingId: 'W1', fromSeq: 0, toSeq: 2, passengers: 1 });
    assign(state, { bookingId: 'L1', fromSeq: 4, toSeq: 5, passengers: 1 });
    assign(state, { bookingId: 'W2', fromSeq: 0, toSeq: 2, passengers: 1 });
    return state;
  }

  it('confirms RAC first in RAC order, then moves the waitlist up into the freed RAC places in order', () => {
    const state = busy();
    expect(['R1', 'R2', 'W1', 'L1', 'W2'].flatMap((id) => labels(state, id))).toEqual(['RAC 1', 'RAC 2', 'GNWL 1', 'RAC 3', 'GNWL 2']);
    // L1 (4→5) fits the RAC berth's free end, so it was given RAC 3 at once. One confirmed berth comes free:
    const offered: string[] = [];
    let berths = 1;
    const promotions = promote(state, (c: Candidate) => {
      offered.push(c.bookingId);
      if (berths === 0) return false;
      berths--;
      return true;
    });
    expect(offered).toEqual(['R1', 'R2', 'L1', 'W1', 'W2']);
    expect(promotions.map((p) => [p.bookingId, statusLabel(p.from), statusLabel(p.to)])).toEqual([
      ['R1', 'RAC 1', 'CNF'],
      ['W1', 'GNWL 1', 'RAC 3'],
    ]);
    expect(['R2', 'L1', 'W1', 'W2'].flatMap((id) => labels(state, id))).toEqual(['RAC 1', 'RAC 2', 'RAC 3', 'GNWL 1']);
    expect(waitingOf(state, 'W2')[0]!.booked).toEqual({ status: 'WL', kind: 'GNWL', number: 2 });
  });

  it('offers only passengers whose segment overlaps what was freed, when told', () => {
    const state = busy();
    const offered: string[] = [];
    promote(state, (c) => (offered.push(c.bookingId), false), [{ fromSeq: 3, toSeq: 5 }]);
    expect(offered).toEqual(['L1']);
  });

  it('counts the RAC places a confirmed RAC passenger frees as touched, beyond the segments given', () => {
    const state = createWaitlist({ stopCount: 6, racBerths: racBerths(1), cap: 10 });
    assign(state, { bookingId: 'R1', fromSeq: 1, toSeq: 5, passengers: 1 });
    assign(state, { bookingId: 'R2', fromSeq: 1, toSeq: 5, passengers: 1 });
    assign(state, { bookingId: 'W', fromSeq: 3, toSeq: 5, passengers: 1 });
    expect(labels(state, 'W')).toEqual(['RLWL 1']);
    // A confirmed booking over 0→2 is released: R1 takes its berth, and W takes R1's RAC place over 3→5.
    const promotions = promote(state, (c) => c.bookingId === 'R1', [{ fromSeq: 0, toSeq: 2 }]);
    expect(promotions.map((p) => `${p.bookingId} ${statusLabel(p.from)} → ${statusLabel(p.to)}`)).toEqual(['R1 RAC 1 → CNF', 'W RLWL 1 → RAC 2']);
  });

  it('closes up the numbers on cancellation and keeps the booked status', () => {
    const state = busy();
    expect(cancel(state, 'W1')).toEqual([{ bookingId: 'W1', passengerIndex: 0, fromSeq: 0, toSeq: 2, status: { status: 'WL', kind: 'GNWL', number: 1 } }]);
    expect(labels(state, 'W2')).toEqual(['GNWL 1']);
    expect(cancel(state, 'W1')).toEqual([]);
    expect(cancel(state, 'R1')).toMatchObject([{ status: { status: 'RAC', number: 1 } }]);
    expect(labels(state, 'R2')).toEqual(['RAC 1']);
    // R1's half of the berth is free over 0→3: W2 moves up to RAC.
    expect(promote(state, never, [{ fromSeq: 0, toSeq: 3 }]).map((p) => statusLabel(p.to))).toEqual(['RAC 3']);
    expect(waitingOf(state, 'W2')[0]).toMatchObject({ status: { status: 'RAC', number: 3 }, booked: { kind: 'GNWL', number: 2 } });
  });

  it('cancels some passengers of a booking', () => {
    const state = createWaitlist({ stopCount: 4, racBerths: [], cap: 10 });
    assign(state, { bookingId: 'G', fromSeq: 1, toSeq: 3, passengers: 3 });
    expect(cancel(state, 'G', [1]).map((c) => c.passengerIndex)).toEqual([1]);
    expect(waitingOf(state, 'G').map((p) => [p.passengerIndex, statusLabel(p.status)])).toEqual([
      [0, 'GNWL 1'],
      [2, 'GNWL 2'],
    ]);
  });

  it('keeps each kind in order and interleaves kinds by booking order', () => {
    const state = createWaitlist({ stopCount: 11, racBerths: [], cap: 10 });
    assign(state, { bookingId: 'g1', fromSeq: 0, toSeq: 4, passengers: 1 });
    assign(state, { bookingId: 'p1', fromSeq: 2, toSeq: 4, passengers: 1 });
    assign(state, { bookingId: 't1', fromSeq: 2, toSeq: 4, passengers: 1, quota: 'TQ' });
    assign(state, { bookingId: 'g2', fromSeq: 0, toSeq: 4, passengers: 1 });
    assign(state, { bookingId: 'r1', fromSeq: 8, toSeq: 10, passengers: 1 });
    const offered: string[] = [];
    promote(state, (c) => (offered.push(`${c.bookingId}:${statusLabel(c.status)}`), false));
    expect(offered).toEqual(['g1:GNWL 1', 'p1:PQWL 1', 't1:TQWL 1', 'g2:GNWL 2', 'r1:RLWL 1']);
  });

  it('at the chart promotes once more, then drops the waitlist and keeps RAC', () => {
    const state = busy();
    const { promotions, dropped } = chart(state, (c) => c.bookingId === 'W2');
    expect(promotions.map((p) => p.bookingId)).toEqual(['W2']);
    expect(dropped.map((d) => [d.bookingId, statusLabel(d.status)])).toEqual([['W1', 'GNWL 1']]);
    expect(waitingCount(state)).toBe(0);
    expect(state.rac.map((r) => r.bookingId)).toEqual(['R1', 'R2', 'L1']);
  });

  it('survives a JSON round trip (carried across continue-as-new)', () => {
    const state = busy();
    const copy = JSON.parse(JSON.stringify(state)) as WaitlistState;
    expect(copy).toEqual(state);
    expect(promote(copy, (c) => c.bookingId === 'R2').map((p) => p.bookingId)).toEqual(['R2', 'W1']);
  });
});

describe('splitRacBerths', () => {
  it.each([
    ['SL', 7],
    ['3A', 4],
    ['2A', 3],
    ['1A', 0],
    ['CC', 0],
  ] as const)('keeps the documented side-lowers of each %s coach for RAC (%p)', (classCode, perCoach) => {
    const berths = ['C1', 'C2'].flatMap((coach) => coachLayout(classCode).map((b) => ({ coach, berthNo: b.berthNo, type: b.berthType })));
    const { confirmed, rac } = splitRacBerths(classCode, berths);
    expect(rac).toHaveLength(2 * perCoach);
    expect(confirmed).toHaveLength(berths.length - 2 * perCoach);
    for (const r of rac) expect(berths.find((b) => b.coach === r.coach && b.berthNo === r.berthNo)!.type).toBe('SL');
  });
});

// --- Property test: allocation.ts and waitlist.ts driven together --------------

type Op =
  | { t: 'book'; from: number; len: number; n: number; tatkal: boolean }
  | { t: 'cancel'; pick: number }
  | { t: 'cancelOne'; pick: number; passenger: number };

const STOPS = 8;

describe('randomised bookings and cancellations (property test)', () => {
  const layout: BerthInput[] = [
    { coach: 'S1', berthNo: 1, type: 'LB' },
    { coach: 'S1', berthNo: 2, type: 'MB' },
    { coach: 'S1', berthNo: 3, type: 'UB' },
    { coach: 'S1', berthNo: 4, type: 'LB' },
    { coach: 'S1', berthNo: 5, type: 'LB', quota: 'TQ' },
  ];
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ t: fc.constant('book' as const), from: fc.nat(STOPS - 2), len: fc.nat(STOPS - 2), n: fc.integer({ min: 1, max: 3 }), tatkal: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('cancel' as const), pick: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('cancelOne' as const), pick: fc.nat(), passenger: fc.nat(2) }) },
  );

  interface Booking {
    fromSeq: number;
    toSeq: number;
    quota: Quota;
    n: number;
    /** Confirmed as a group by allocate() at booking. */
    group: boolean;
  }
  type Fate = 'CNF' | 'WAIT' | 'CANCELLED' | 'REGRET';

  function run(ops: Op[]): void {
    const inv: InventoryState = createInventory({ berths: layout, stopCount: STOPS });
    const wl = createWaitlist({ stopCount: STOPS, racBerths: racBerths(3), cap: 6 });
    const bookings = new Map<string, Booking>();
    const fate = new Map<string, Fate>();
    let passengersMade = 0;
    let nextId = 0;
    let chartPhase = false;

    const poolOf = (quota: string): Quota => (chartPhase || quota !== 'TQ' ? 'GN' : 'TQ');
    const confirmIn = (state: InventoryState) => (c: Candidate) =>
      allocate(state, { bookingId: `${c.bookingId}#${c.passengerIndex}`, fromSeq: c.fromSeq, toSeq: c.toSeq, passengers: [adult], quota: poolOf(c.quota) }).ok;
    const tryConfirm = confirmIn(inv);
    const fits = (p: { fromSeq: number; toSeq: number; quota: string }) => availability(inv, p.fromSeq, p.toSeq, poolOf(p.quota)).available > 0;

    function promoteChecked(touched?: { fromSeq: number; toSeq: number }[]) {
      const key = (e: { bookingId: string; passengerIndex: number }) => `${e.bookingId}/${e.passengerIndex}`;
      const racOrder = wl.rac.map(key);
      const waitlisted = WAITLIST_KINDS.flatMap((k) => wl.waitlists[k]);
      const seqOf = new Map(waitlisted.map((e) => [key(e), e.seq]));
      const offered: string[] = [];
      // A pass told only what was freed must promote exactly as a full pass would.
      const [invCopy, wlCopy] = [structuredClone(inv), structuredClone(wl)];
      const full = promote(wlCopy, confirmIn(invCopy));
      const promotions = promote(wl, (c) => (offered.push(key(c)), tryConfirm(c)), touched);
      expect(promotions).toEqual(full);
      for (const p of promotions) if (p.to.status === 'CNF') fate.set(key(p), 'CNF');
      // Offered in RAC order, then the waitlist in the order it joined.
      const racOffered = offered.filter((k) => racOrder.includes(k));
      expect(offered.slice(0, racOffered.length)).toEqual(racOffered);
      expect(racOffered).toEqual(racOrder.filter((k) => racOffered.includes(k)));
      const wlSeqs = offered.slice(racOffered.length).map((k) => seqOf.get(k)!);
      expect(wlSeqs).toEqual([...wlSeqs].sort((a, b) => a - b));
      // No later waitlisted passenger of a kind is promoted while an earlier one stays that was not offered first.
      const promoted = new Set(promotions.map(key));
      for (const e of waitlisted) {
        if (!promoted.has(key(e))) continue;
        for (const s of wl.waitlists[e.kind]) {
          if (s.seq < e.seq) expect(offered.indexOf(key(s))).toBeGreaterThanOrEqual(0);
          if (s.seq < e.seq) expect(offered.indexOf(key(s))).toBeLessThan(offered.indexOf(key(e)));
        }
      }
    }

    function check() {
      expect(maxPerBerthHop(wl)).toBeLessThanOrEqual(2);
      expect(waitingCount(wl)).toBeLessThanOrEqual(wl.cap);
      // The fixpoint: nobody waiting fits a free berth (or, waitlisted, an RAC place).
      for (const r of wl.rac) expect(fits(r)).toBe(false);
      for (const kind of WAITLIST_KINDS) {
        const list = wl.waitlists[kind];
        list.forEach((e, i) => {
          expect(e.kind).toBe<WaitlistKind>(kind);
          if (i > 0) expect(list[i - 1]!.seq).toBeLessThan(e.seq);
          expect(fits(e)).toBe(false);
          expect(racHasRoom(wl, e.fromSeq, e.toSeq)).toBe(false);
        });
      }
      // Every passenger is in exactly one place, and the places agree with both states.
      const waiting = new Set([...wl.rac, ...WAITLIST_KINDS.flatMap((k) => wl.waitlists[k])].map((e) => `${e.bookingId}/${e.passengerIndex}`));
      const confirmed = new Set<string>();
      for (const [id, record] of Object.entries(inv.bookings)) {
        const [bookingId, index] = id.split('#');
        if (index === undefined) record.berths.forEach((_, i) => confirmed.add(`${bookingId}/${i}`));
        else confirmed.add(`${bookingId}/${index}`);
      }
      const counts = { CNF: 0, WAIT: 0, CANCELLED: 0, REGRET: 0 };
      for (const [key, f] of fate) {
        counts[f]++;
        expect(confirmed.has(key)).toBe(f === 'CNF');
        expect(waiting.has(key)).toBe(f === 'WAIT');
      }
      expect(counts.CNF).toBe(confirmed.size);
      expect(counts.WAIT).toBe(waiting.size);
      expect(counts.CNF + counts.WAIT + counts.CANCELLED + counts.REGRET).toBe(passengersMade);
    }

    for (const o of ops) {
      if (o.t === 'book') {
        const fromSeq = o.from;
        const toSeq = Math.min(STOPS - 1, fromSeq + 1 + o.len);
        const quota: Quota = o.tatkal ? 'TQ' : 'GN';
        const bookingId = `b${nextId++}`;
        const keys = Array.from({ length: o.n }, (_, i) => `${bookingId}/${i}`);
        passengersMade += o.n;
        const held = allocate(inv, { bookingId, fromSeq, toSeq, quota, passengers: Array.from({ length: o.n }, () => adult) });
        if (held.ok) {
          keys.forEach((k) => fate.set(k, 'CNF'));
          bookings.set(bookingId, { fromSeq, toSeq, quota, n: o.n, group: true });
        } else {
          const before = JSON.stringify(wl);
          const result = assign(wl, { bookingId, fromSeq, toSeq, passengers: o.n, quota });
          if (!result.ok) {
            expect(result.reason).toBe('REGRET');
            expect(JSON.stringify(wl)).toBe(before);
            keys.forEach((k) => fate.set(k, 'REGRET'));
          } else {
            keys.forEach((k) => fate.set(k, 'WAIT'));
            bookings.set(bookingId, { fromSeq, toSeq, quota, n: o.n, group: false });
            // RAC is refused only when a hop of the segment is really full.
            if (result.statuses.some((s) => s.status === 'WL')) expect(racHasRoom(wl, fromSeq, toSeq)).toBe(false);
            // Single passengers of the group may fit where the group did not.
            promoteChecked([{ fromSeq, toSeq }]);
          }
        }
      } else if (bookings.size > 0) {
        const ids = [...bookings.keys()];
        const bookingId = ids[o.pick % ids.length]!;
        const b = bookings.get(bookingId)!;
        const which = o.t === 'cancel' ? Array.from({ length: b.n }, (_, i) => i) : [o.passenger % b.n];
        if (o.t === 'cancelOne' && b.group) continue; // a group's confirmed berths are released together
        if (o.t === 'cancel' && b.group) release(inv, bookingId);
        for (const i of which) release(inv, `${bookingId}#${i}`);
        cancel(wl, bookingId, which);
        for (const i of which) if (fate.get(`${bookingId}/${i}`) !== 'CANCELLED') fate.set(`${bookingId}/${i}`, 'CANCELLED');
        if (o.t === 'cancel') bookings.delete(bookingId);
        promoteChecked([{ fromSeq: b.fromSeq, toSeq: b.toSeq }]);
      }
      check();
    }

    // The chart: unsold Tatkal berths join the general pool, a last pass, the waitlist dropped.
    chartPhase = true;
    for (const r of inventoryChartReleases(inv)) inv.berths[r.index]!.quota = 'GN';
    const { promotions, dropped } = chart(wl, tryConfirm);
    for (const p of promotions) if (p.to.status === 'CNF') fate.set(`${p.bookingId}/${p.passengerIndex}`, 'CNF');
    for (const d of dropped) fate.set(`${d.bookingId}/${d.passengerIndex}`, 'CANCELLED');
    expect(waitingCount(wl)).toBe(0);
    check();
  }

  it('keeps RAC at two per berth per hop, the waitlist in order, and every passenger counted', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 120 }), run), { seed: 20261210, numRuns: 300 });
  });
});

describe('RAC seating alone (property test)', () => {
  it('gives RAC exactly when every hop of the segment has room, never three on a berth at a hop', () => {
    const stops = 9;
    const step = fc.record({ cancel: fc.boolean(), from: fc.nat(stops - 2), len: fc.nat(stops - 2), pick: fc.nat() });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.array(step, { maxLength: 150 }), (berths, steps) => {
        // No waitlist (cap 0): a passenger gets RAC or the request is REGRET.
        const state = createWaitlist({ stopCount: stops, racBerths: racBerths(berths), cap: 0 });
        let next = 0;
        for (const s of steps) {
          if (s.cancel && state.rac.length > 0) {
            cancel(state, state.rac[s.pick % state.rac.length]!.bookingId);
          } else {
            const fromSeq = s.from;
            const toSeq = Math.min(stops - 1, fromSeq + 1 + s.len);
            const room = racHasRoom(state, fromSeq, toSeq);
            const result = assign(state, { bookingId: `r${next++}`, fromSeq, toSeq, passengers: 1 });
            expect(result).toEqual(room ? { ok: true, statuses: [{ status: 'RAC', number: state.rac.length }], duplicate: false } : { ok: false, reason: 'REGRET' });
          }
          expect(maxPerBerthHop(state)).toBeLessThanOrEqual(2);
          state.rac.forEach((r, i) => expect(waitingOf(state, r.bookingId)[0]!.status).toEqual({ status: 'RAC', number: i + 1 }));
        }
      }),
      { seed: 1210, numRuns: 300 },
    );
  });
});
