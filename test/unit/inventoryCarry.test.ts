// The compact carry is lossless (whatever the allocation functions can build
// decodes to the same state) and small enough: the full, fragmented run of
// the largest real class stays under the SDK's 512 kB payload warning with
// room left for the queue of booking-actor starts.
import fc from 'fast-check';
import { allocate, availability, confirm, createInventory, release, seatMap, type BerthInput } from '../../domain/allocation';
import { decodeClosed, decodeInventory, encodeClosed, encodeInventory, estimateCarryBytes, jsonBytes, pruneClosed } from '../../domain/inventoryCarry';
import { closedIds, fillLargestRun } from '../../bench/lib/fullRun';

const TYPES = ['LB', 'MB', 'UB', 'SL'] as const;
const layout = (): BerthInput[] => [
  ...Array.from({ length: 8 }, (_, i): BerthInput => ({ coach: 'B1', berthNo: i + 1, type: TYPES[i % 4]! })),
  // Gaps in the numbering and a Tatkal pool: the non-trivial layout forms.
  { coach: 'B2', berthNo: 3, type: 'LB', quota: 'TQ' },
  { coach: 'B2', berthNo: 7, type: 'UB', quota: 'TQ' },
  { coach: 'B2', berthNo: 9, type: 'SU' },
];

const op = fc.record({
  kind: fc.constantFrom('hold', 'hold', 'hold', 'confirm', 'release'),
  id: fc.constantFrom('1234567890', '0000000001', 'B 1', 'a,b', 'x+y', 'é%', 'constructor', 'Z'),
  from: fc.integer({ min: 0, max: 5 }),
  len: fc.integer({ min: 1, max: 6 }),
  pax: fc.integer({ min: 1, max: 3 }),
  quota: fc.constantFrom<'GN' | 'TQ'>('GN', 'TQ'),
  expiry: fc.option(fc.oneof(fc.integer({ min: 0, max: 2 ** 45 }), fc.double({ min: 0, max: 1e6, noNaN: true })), { nil: undefined }),
});

it('decodes to exactly the state it encoded, after any sequence of holds, sales and releases', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const state = createInventory({ berths: layout(), stopCount: 8 });
      for (const o of ops) {
        if (o.kind === 'hold') {
          const toSeq = Math.min(7, o.from + o.len);
          const passengers = Array.from({ length: o.pax }, () => ({ name: 'P', age: 30, gender: 'F' as const }));
          allocate(state, { bookingId: o.id, fromSeq: o.from, toSeq, passengers, quota: o.quota, ...(o.expiry === undefined ? {} : { holdExpiresAt: o.expiry }) });
        } else if (o.kind === 'confirm') confirm(state, o.id);
        else release(state, o.id);
      }
      const decoded = decodeInventory(JSON.parse(JSON.stringify(encodeInventory(state))));
      // A sale's old hold deadline is not carried: nothing reads it once sold.
      const expected = JSON.parse(JSON.stringify(state)) as typeof state;
      for (const b of Object.values(expected.bookings)) if (b.status === 'sold') delete b.holdExpiresAt;
      expect(decoded).toEqual(expected);
      expect(seatMap(decoded)).toEqual(seatMap(state));
      expect(availability(decoded, 0, 7, 'TQ')).toEqual(availability(state, 0, 7, 'TQ'));
    }),
    { numRuns: 300 },
  );
});

it('keeps closed ids within the retention window and the cap, newest first', () => {
  const now = 10_000_000;
  const closed: Record<string, number> = { old: now - 3_600_001, a: now - 10, b: now - 20, c: now - 30, 'd e': now - 5 };
  expect(pruneClosed(closed, now, 3_600_000, 3)).toBe(2);
  expect(Object.keys(closed).sort()).toEqual(['a', 'b', 'd e']);
  const round = decodeClosed(JSON.parse(JSON.stringify(encodeClosed(closed))));
  expect(Object.keys(round).sort()).toEqual(['a', 'b', 'd e']);
  // Rounded up to the minute: an id is never forgotten early.
  for (const id of Object.keys(closed)) {
    expect(round[id]).toBeGreaterThanOrEqual(closed[id]!);
    expect(round[id]! - closed[id]!).toBeLessThan(60_000);
  }
});

it('carries the full, fragmented run of the largest class (18237 SL) in under a fifth of the plain size', () => {
  // Parties of 1–2 over 1–6 hops until 2,000 refusals in a row: ~12,800 bookings, 99.8 % of berth×hops sold.
  const { state, bookings, filled } = fillLargestRun();
  expect(bookings).toBeGreaterThan(10_000);
  expect(filled).toBeGreaterThan(0.99);
  const closed = closedIds(5_000, Date.now(), 3_600_000);
  const plain = jsonBytes({ state, closed });
  const compact = jsonBytes({ compact: encodeInventory(state), closedCompact: encodeClosed(closed) });
  // Measured: 1,688,097 → 330,895 bytes (docs/architecture.md).
  expect(plain).toBeGreaterThan(1_500_000);
  expect(compact).toBeLessThan(plain / 5);
  expect(compact).toBeLessThan(400 * 1024);
}, 240_000);

it('estimates the carry from above, closely, without encoding it', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.integer({ min: 0, max: 10_000_000 })), { maxLength: 30 }), (ops, closedList) => {
      const state = createInventory({ berths: layout(), stopCount: 8 });
      for (const o of ops) {
        if (o.kind === 'hold') {
          const passengers = Array.from({ length: o.pax }, () => ({ name: 'P', age: 30, gender: 'F' as const }));
          allocate(state, { bookingId: o.id, fromSeq: o.from, toSeq: Math.min(7, o.from + o.len), passengers, quota: o.quota, ...(o.expiry === undefined ? {} : { holdExpiresAt: o.expiry }) });
        } else if (o.kind === 'confirm') confirm(state, o.id);
        else release(state, o.id);
      }
      const closed = Object.fromEntries(closedList.filter(([id]) => id !== '__proto__'));
      const stats = { runs: 1, holds: ops.length };
      const actual = jsonBytes({ compact: encodeInventory(state), closedCompact: encodeClosed(closed), stats, lastBoardingAt: 1_800_000_000_000 });
      expect(estimateCarryBytes(state, closed, stats)).toBeGreaterThanOrEqual(actual);
    }),
    { numRuns: 300 },
  );
  const { state } = fillLargestRun({ fullAfter: 300 });
  const closed = closedIds(5_000, 1_800_000_000_000, 3_600_000);
  const stats = { runs: 3, holds: 12_000 };
  const actual = jsonBytes({ compact: encodeInventory(state), closedCompact: encodeClosed(closed), stats, lastBoardingAt: 1_800_000_000_000 });
  const estimate = estimateCarryBytes(state, closed, stats);
  expect(estimate).toBeGreaterThanOrEqual(actual);
  expect(estimate).toBeLessThan(actual * 1.1);
}, 240_000);
