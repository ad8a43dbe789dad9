// Micro-benchmark of domain/allocation: one inventory of 720 berths
// (10 sleeper coaches × 72) on a 30-stop route, filled with random bookings
// (1–6 passengers, random segments, some preferences and seniors) until
// requests keep failing. Prints allocate throughput, latency percentiles and
// how much of the berth×hop capacity ended up sold (the best-fit payoff).
//
//   npx tsx bench/allocation.bench.ts
import { allocate, createInventory, type BerthInput, type InventoryState } from '../domain/allocation';
import type { BerthType, PassengerInput } from '../domain/types';

const STOPS = 30;
const COACHES = 10;
const BAY: readonly BerthType[] = ['LB', 'MB', 'UB', 'LB', 'MB', 'UB', 'SL', 'SU'];
/** The inventory counts as full after this many NO_CAPACITY answers in a row. */
const FULL_AFTER_FAILURES = 500;

/** xorshift32: tiny, seeded, deterministic. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function layout(): BerthInput[] {
  const berths: BerthInput[] = [];
  for (let c = 1; c <= COACHES; c++) {
    for (let n = 1; n <= 72; n++) berths.push({ coach: `S${c}`, berthNo: n, type: BAY[(n - 1) % 8]! });
  }
  return berths;
}

function randomPassengers(random: () => number): PassengerInput[] {
  // Mostly singles and couples, like real traffic.
  const count = random() < 0.5 ? 1 : random() < 0.6 ? 2 : 3 + Math.floor(random() * 4);
  return Array.from({ length: count }, (_, i) => ({
    name: `P${i}`,
    age: random() < 0.2 ? 65 : 30,
    gender: 'M',
    ...(random() < 0.3 ? { preference: BAY[Math.floor(random() * BAY.length)]! } : {}),
  }));
}

interface RunStats {
  bookings: number;
  calls: number;
  seconds: number;
  micros: number[];
  successMicros: number[];
  /** Share of berth×hop capacity occupied at the end. */
  filled: number;
}

function fill(seed: number): RunStats {
  const random = prng(seed);
  const state = createInventory({ berths: layout(), stopCount: STOPS });
  const micros: number[] = [];
  const successMicros: number[] = [];
  let failuresInARow = 0;
  let bookings = 0;
  const started = process.hrtime.bigint();
  while (failuresInARow < FULL_AFTER_FAILURES) {
    const fromSeq = Math.floor(random() * (STOPS - 1));
    const toSeq = fromSeq + 1 + Math.floor(random() * (STOPS - 1 - fromSeq));
    const passengers = randomPassengers(random);
    const t0 = process.hrtime.bigint();
    const result = allocate(state, { bookingId: `B${micros.length}`, fromSeq, toSeq, passengers });
    const us = Number(process.hrtime.bigint() - t0) / 1000;
    micros.push(us);
    if (result.ok) {
      successMicros.push(us);
      bookings++;
      failuresInARow = 0;
    } else failuresInARow++;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { bookings, calls: micros.length, seconds, micros, successMicros, filled: filledShare(state) };
}

function filledShare(state: InventoryState): number {
  const hops = state.occupancy.flat().reduce((n, [from, to]) => n + to - from, 0);
  return hops / (state.berths.length * (state.stopCount - 1));
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function describe(label: string, values: number[]): string {
  return `${label}: p50 ${percentile(values, 50).toFixed(1)} µs, p99 ${percentile(values, 99).toFixed(1)} µs, max ${Math.max(...values).toFixed(1)} µs`;
}

fill(1); // warm-up so the JIT has compiled the hot paths
const run = fill(42);
const seconds = (micros: number[]) => micros.reduce((a, b) => a + b, 0) / 1e6;
console.log(`inventory: ${COACHES * 72} berths, ${STOPS} stops; full after ${FULL_AFTER_FAILURES} refusals in a row`);
console.log(`${run.calls} allocate calls, ${run.bookings} bookings placed, in ${run.seconds.toFixed(2)} s`);
console.log(`successful allocations: ${Math.round(run.successMicros.length / seconds(run.successMicros))}/s`);
console.log(`all calls incl. refusals: ${Math.round(run.calls / seconds(run.micros))}/s`);
console.log(describe('successful calls ', run.successMicros));
console.log(describe('all calls        ', run.micros));
console.log(`berth×hop capacity sold at the end: ${(run.filled * 100).toFixed(1)}%`);
