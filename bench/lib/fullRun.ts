// A full, heavily fragmented run of the largest class of the largest real
// train, built through the domain functions, for measuring what an inventory
// carries across continue-as-new (bench/inventoryCarry.bench.ts and
// test/unit/inventoryCarry.test.ts).
//
// The train: 18237 SL, 85 stops, 10 coaches × 72 berths = 720 berths — the
// largest stops × berths product of one class in the seeded timetable
// (`select … from train_stops, train_coaches, coach_layout_berths`, see
// docs/architecture.md). Booking ids are 10-digit PNRs as in production.
import { allocate, confirm, createInventory, type BerthInput, type InventoryState } from '../../domain/allocation';
import type { BerthType, PassengerInput } from '../../domain/types';

export const LARGEST = { trainNumber: '18237', classCode: 'SL', stops: 85, coaches: 10, berthsPerCoach: 72 } as const;
const BAY: readonly BerthType[] = ['LB', 'MB', 'UB', 'LB', 'MB', 'UB', 'SL', 'SU'];

/** xorshift32: tiny, seeded, deterministic. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

export function largestLayout(): BerthInput[] {
  const berths: BerthInput[] = [];
  for (let c = 1; c <= LARGEST.coaches; c++) {
    for (let n = 1; n <= LARGEST.berthsPerCoach; n++) berths.push({ coach: `S${c}`, berthNo: n, type: BAY[(n - 1) % 8]! });
  }
  return berths;
}

export interface FillOptions {
  seed?: number;
  /** Longest segment in hops: short segments fragment the berths most. */
  maxHops?: number;
  /** Largest party; 1 fragments most (one booking per berth-segment). */
  maxPassengers?: number;
  /** Share of bookings left on hold (the rest sold). */
  heldShare?: number;
  /** Consecutive refusals after which the run counts as full. */
  fullAfter?: number;
}

/** Fills the largest run with random bookings until it refuses `fullAfter` in a row. */
export function fillLargestRun(opts: FillOptions = {}): { state: InventoryState; bookings: number; filled: number } {
  const { seed = 42, maxHops = 6, maxPassengers = 2, heldShare = 0.1, fullAfter = 2_000 } = opts;
  const random = prng(seed);
  const state = createInventory({ berths: largestLayout(), stopCount: LARGEST.stops });
  const lastStop = LARGEST.stops - 1;
  let refusals = 0;
  let bookings = 0;
  let pnr = 4_000_000_000;
  const now = Date.UTC(2026, 11, 2, 10, 0);
  while (refusals < fullAfter) {
    const fromSeq = Math.floor(random() * lastStop);
    const toSeq = Math.min(lastStop, fromSeq + 1 + Math.floor(random() * maxHops));
    const count = 1 + Math.floor(random() * maxPassengers);
    const passengers: PassengerInput[] = Array.from({ length: count }, (_, i) => ({ name: `P${i}`, age: 30, gender: 'F' }));
    const bookingId = String(pnr++);
    const held = random() < heldShare;
    const r = allocate(state, { bookingId, fromSeq, toSeq, passengers, ...(held ? { holdExpiresAt: now + Math.floor(random() * 900_000) } : {}) });
    if (!r.ok) {
      refusals++;
      continue;
    }
    refusals = 0;
    bookings++;
    if (!held) confirm(state, bookingId);
  }
  const hops = state.occupancy.flat().reduce((n, [from, to]) => n + to - from, 0);
  return { state, bookings, filled: hops / (state.berths.length * lastStop) };
}

/** Booking ids released in the last retention window, as the actor remembers them: `count` PNRs over `spanMs`. */
export function closedIds(count: number, now: number, spanMs: number): Record<string, number> {
  const closed: Record<string, number> = {};
  for (let i = 0; i < count; i++) closed[String(6_000_000_000 + i * 7)] = now - Math.floor((spanMs * i) / Math.max(count, 1));
  return closed;
}
