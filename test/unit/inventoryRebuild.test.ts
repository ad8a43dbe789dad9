// An inventory started after a terminated one is rebuilt from Postgres: every
// sold berth and every recorded hold back in place, berth for berth, so the
// next hold can never be given a berth that is already taken.
import { allocate, availability, bookingSeats, createInventory, heldBookings, type BerthInput } from '../../domain/allocation';
import { restoreBookings, type PersistedBooking } from '../../domain/inventoryRebuild';

const berths: BerthInput[] = [1, 2, 3, 4].map((n) => ({ coach: 'A1', berthNo: n, type: n % 2 ? 'LB' : 'UB' }));
const empty = () => createInventory({ berths, stopCount: 6 });

const sold = (bookingId: string, fromSeq: number, toSeq: number, ...berthNos: number[]): PersistedBooking => ({
  bookingId,
  status: 'sold',
  fromSeq,
  toSeq,
  seats: berthNos.map((berthNo, passengerIndex) => ({ passengerIndex, coach: 'A1', berthNo })),
});
const held = (bookingId: string, fromSeq: number, toSeq: number, holdExpiresAt: number, ...berthNos: number[]): PersistedBooking => ({
  ...sold(bookingId, fromSeq, toSeq, ...berthNos),
  status: 'held',
  holdExpiresAt,
});

it('puts sales and holds back on their own berths, in passenger order', () => {
  const state = empty();
  const r = restoreBookings(state, [
    held('H1', 0, 5, 1_000, 4),
    sold('S1', 0, 3, 2, 1),
    { ...sold('S2', 3, 5, 1), seats: [{ passengerIndex: 0, coach: 'A1', berthNo: 1 }] },
  ]);
  expect(r).toEqual({ sold: 2, held: 1, conflicts: [] });
  expect(bookingSeats(state, 'S1')).toEqual({
    status: 'sold',
    seats: [
      { coach: 'A1', berthNo: 2, type: 'UB', passengerIndex: 0 },
      { coach: 'A1', berthNo: 1, type: 'LB', passengerIndex: 1 },
    ],
  });
  expect(heldBookings(state)).toEqual([{ bookingId: 'H1', fromSeq: 0, toSeq: 5, passengerCount: 1, holdExpiresAt: 1_000 }]);
  expect(state.occupancy[0]).toEqual([
    [0, 3, 'S1'],
    [3, 5, 'S2'],
  ]);
  // Only berth 3 is free over the whole route, and a new hold gets exactly it.
  expect(availability(state, 0, 5).available).toBe(1);
  const next = allocate(state, { bookingId: 'N', fromSeq: 0, toSeq: 5, passengers: [{ name: 'N', age: 30, gender: 'F' }] });
  expect(next.ok && next.seats.map((s) => s.berthNo)).toEqual([3]);
  expect(allocate(state, { bookingId: 'M', fromSeq: 1, toSeq: 2, passengers: [{ name: 'M', age: 30, gender: 'F' }] })).toEqual({ ok: false, reason: 'NO_CAPACITY' });
});

it('places sales before holds, and leaves out a hold that collides with a sale', () => {
  const state = empty();
  const r = restoreBookings(state, [held('H1', 1, 4, 1_000, 3), sold('S1', 2, 5, 3)]);
  expect(r).toEqual({ sold: 1, held: 0, conflicts: [{ bookingId: 'H1', status: 'held', reason: 'OVERLAP' }] });
  expect(bookingSeats(state, 'H1')).toBeUndefined();
  expect(bookingSeats(state, 'S1')?.status).toBe('sold');
});

it('reports what cannot be placed and leaves the state untouched by it', () => {
  const state = empty();
  const r = restoreBookings(state, [
    sold('S1', 0, 2, 1),
    sold('S1', 2, 4, 2),
    sold('BAD-BERTH', 0, 1, 9),
    sold('BAD-SEG', 4, 4, 2),
    sold('TWICE', 0, 1, 3, 3),
    sold('NONE', 0, 1),
    sold('__proto__', 0, 1, 4),
  ]);
  expect(r.sold).toBe(1);
  expect(r.conflicts.map((c) => [c.bookingId, c.reason])).toEqual([
    ['S1', 'DUPLICATE'],
    ['BAD-BERTH', 'UNKNOWN_BERTH'],
    ['BAD-SEG', 'INVALID_SEGMENT'],
    ['TWICE', 'OVERLAP'],
    ['NONE', 'NO_SEATS'],
    ['__proto__', 'DUPLICATE'],
  ]);
  expect(Object.keys(state.bookings)).toEqual(['S1']);
  expect(state.occupancy.flat()).toEqual([[0, 2, 'S1']]);
});
