// What an inventory hands to its next run (continue-as-new), before and after
// the compact carry, for the largest class of the largest real train (18237
// SL: 85 stops, 720 berths) filled through the domain functions until full,
// at several degrees of fragmentation. The SDK warns above 512 KiB and the
// server refuses payloads above 2 MB.
//
//   npx tsx bench/inventoryCarry.bench.ts
import { closedIds, fillLargestRun, LARGEST } from './lib/fullRun';
import { decodeInventory, encodeClosed, encodeInventory, jsonBytes } from '../domain/inventoryCarry';

const scenarios = [
  { label: 'random segments, parties of 1–6', maxHops: 84, maxPassengers: 6 },
  { label: '1–10 hops, parties of 1–2', maxHops: 10, maxPassengers: 2 },
  { label: '1–6 hops, parties of 1–2 (the unit test)', maxHops: 6, maxPassengers: 2 },
  { label: '1–3 hops, singles', maxHops: 3, maxPassengers: 1 },
  { label: 'every hop sold alone (theoretical worst)', maxHops: 1, maxPassengers: 1 },
];
const kB = (n: number) => `${(n / 1000).toFixed(0)} kB`;

console.log(`${LARGEST.trainNumber} ${LARGEST.classCode}: ${LARGEST.stops} stops, ${LARGEST.coaches * LARGEST.berthsPerCoach} berths; 10 % of bookings on hold; 5,000 closed ids`);
console.log('scenario | bookings | sold share | plain state + closed | compact state + closed | encode / decode');
for (const s of scenarios) {
  const { state, bookings, filled } = fillLargestRun({ maxHops: s.maxHops, maxPassengers: s.maxPassengers });
  const closed = closedIds(5_000, Date.now(), 3_600_000);
  const plain = jsonBytes({ state, closed });
  const t0 = performance.now();
  const compact = encodeInventory(state);
  const t1 = performance.now();
  decodeInventory(compact);
  const t2 = performance.now();
  const packed = jsonBytes({ compact, closedCompact: encodeClosed(closed) });
  console.log(
    `${s.label} | ${bookings} | ${(filled * 100).toFixed(1)} % | ${kB(plain)} | ${kB(packed)} (state ${kB(jsonBytes(compact))}) | ${(t1 - t0).toFixed(0)} / ${(t2 - t1).toFixed(0)} ms`,
  );
}
