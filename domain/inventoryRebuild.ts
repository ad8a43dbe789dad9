// Rebuilds an inventory's seat state from the final records, for an actor that
// starts after an earlier one was terminated or failed (by hand or by a bug):
// a new, empty actor would sell berths that are already sold. Postgres holds
// every confirmed berth (seat_allocations) and every live hold whose booking
// actor has written its held record (bookings in held/payment_pending, with
// their passengers' berths), so those are placed back exactly as they were,
// berth for berth, before the actor takes any message.
//
// Sold bookings go first: the exclusion constraint has already proved them
// disjoint. A hold that collides with something placed before it (which only
// a bug could cause) is left out and reported; when its traveller pays, the
// confirmation finds no hold and the booking actor refunds in full.
import { isValidSegment } from './segments';
import type { BookingRecord, InventoryState, Occupancy } from './allocation';

export interface PersistedSeat {
  passengerIndex: number;
  coach: string;
  berthNo: number;
}

export interface PersistedBooking {
  bookingId: string;
  status: 'sold' | 'held';
  fromSeq: number;
  toSeq: number;
  /** The inventory's own deadline for a hold (epoch ms); none for a sale. */
  holdExpiresAt?: number;
  seats: PersistedSeat[];
}

export type RestoreConflict = 'UNKNOWN_BERTH' | 'INVALID_SEGMENT' | 'OVERLAP' | 'DUPLICATE' | 'NO_SEATS';

export interface RestoreResult {
  sold: number;
  held: number;
  conflicts: { bookingId: string; status: 'sold' | 'held'; reason: RestoreConflict }[];
}

/** Places the persisted bookings into `state` (mutated), sales before holds. */
export function restoreBookings(state: InventoryState, persisted: readonly PersistedBooking[]): RestoreResult {
  const index = new Map(state.berths.map((b, i) => [`${b.coach}/${b.berthNo}`, i]));
  const result: RestoreResult = { sold: 0, held: 0, conflicts: [] };
  const ordered = [...persisted.filter((b) => b.status === 'sold'), ...persisted.filter((b) => b.status === 'held')];
  for (const b of ordered) {
    const reason = place(state, index, b);
    if (reason) result.conflicts.push({ bookingId: b.bookingId, status: b.status, reason });
    else result[b.status] += 1;
  }
  return result;
}

function place(state: InventoryState, index: Map<string, number>, b: PersistedBooking): RestoreConflict | undefined {
  if (b.bookingId === '__proto__' || Object.hasOwn(state.bookings, b.bookingId)) return 'DUPLICATE';
  if (!isValidSegment(state.stopCount, b.fromSeq, b.toSeq)) return 'INVALID_SEGMENT';
  if (b.seats.length === 0) return 'NO_SEATS';
  const berths: number[] = [];
  for (const seat of [...b.seats].sort((x, y) => x.passengerIndex - y.passengerIndex)) {
    const i = index.get(`${seat.coach}/${seat.berthNo}`);
    if (i === undefined) return 'UNKNOWN_BERTH';
    if (berths.includes(i)) return 'OVERLAP';
    if (state.occupancy[i]!.some((o) => o[0] < b.toSeq && b.fromSeq < o[1])) return 'OVERLAP';
    berths.push(i);
  }
  const record: BookingRecord = { status: b.status, fromSeq: b.fromSeq, toSeq: b.toSeq, quota: 'GN', berths };
  if (b.status === 'held' && b.holdExpiresAt !== undefined) record.holdExpiresAt = b.holdExpiresAt;
  for (const i of berths) insertSorted(state.occupancy[i]!, [b.fromSeq, b.toSeq, b.bookingId]);
  state.bookings[b.bookingId] = record;
  return undefined;
}

function insertSorted(list: Occupancy[], entry: Occupancy): void {
  let at = 0;
  while (at < list.length && list[at]![0] < entry[0]) at++;
  list.splice(at, 0, entry);
}
