// Seat allocation for one train run + class (or one bus trip / show).
//
// PURITY. This module runs inside the Temporal workflow that owns the
// inventory, so it is deterministic: no I/O, no clock, no randomness, and the
// whole state is plain JSON data (it is carried across continue-as-new and
// returned by queries). Functions MUTATE the state in place and return it,
// which keeps a Tatkal rush cheap; `allocate` computes its whole plan before
// touching anything, so a failed allocation leaves the state unchanged.
//
// STATE. `berths` is the fixed list of berths, grouped by coach (coaches in
// the order given, berth numbers ascending). `occupancy[i]` lists the segments
// taken on berth i as [fromSeq, toSeq, bookingId] tuples, sorted and
// non-overlapping, so "is berth i free over [f,t) and how big is the free gap
// around it" is one short scan that stops at the first tuple past t. A berth
// rarely carries more than a handful of tuples, which keeps the state small
// (unlike a berth×hop matrix: 720×84 cells) and the scan fast. `bookings` maps
// a booking id to its segment, status and berths: the one place a status
// lives, and the index that makes confirm/release/idempotency O(passengers).
//
// POLICY. A request is placed all-or-nothing, choosing, in priority order:
//   1. one coach for the whole group when any coach can take it
//      (otherwise the fewest coaches, filling the roomiest first);
//   2. the most honoured berth preferences;
//   3. the most lower berths (LB/SL) for passengers aged 60+ without a preference;
//   4. the most compact run of berth numbers (same bay / adjacent berths);
//   5. best fit: the berths whose free gap around the segment is tightest
//      (least free hops left either side), so whole free berths stay
//      available for long journeys.
// A family kept together outranks a preference, which the passenger asked for
// only "if available"; fit comes last because it only matters among otherwise
// equal choices for the passengers.
//
// EXTENSIONS (not implemented yet; the state already has room for them).
// - Quotas: every berth carries a `quota` pool (default 'GN') and a request
//   draws only from its own pool. Releasing unsold Tatkal berths to general at
//   charting is rewriting `berth.quota`; occupancy is untouched.
// - RAC: a side-lower shared by two passengers becomes two berth entries with
//   the same coach/berthNo in an 'RAC' quota pool (one per half), so the
//   interval logic here applies unchanged to each half.
// - Waitlist: when `allocate` answers NO_CAPACITY the actor appends the
//   request to `state.waitlist` (FIFO per quota). After every `release`, a
//   promotion pass walks the queue in order and calls `allocate` for each
//   entry, so promotion inherits all-or-nothing and the policy above; an RAC
//   passenger is promoted the same way by releasing the RAC half on success.
import { isValidSegment } from './segments';
import { BERTH_TYPES, QUOTAS, type BerthType, type PassengerInput, type Quota } from './types';

export const MAX_PASSENGERS_PER_BOOKING = 6;
/** Passengers this old with no preference are given lower berths where possible. */
export const SENIOR_AGE = 60;

export type HoldStatus = 'held' | 'sold';

export interface Berth {
  coach: string;
  berthNo: number;
  type: BerthType;
  quota: Quota;
}

/** A taken segment of one berth: [fromSeq, toSeq, bookingId]. */
export type Occupancy = [fromSeq: number, toSeq: number, bookingId: string];

export interface BookingRecord {
  status: HoldStatus;
  fromSeq: number;
  toSeq: number;
  quota: Quota;
  /** Index into `state.berths` for each passenger, in passenger order. */
  berths: number[];
  /** Caller-supplied expiry time of a hold (epoch ms), used by `expireHolds`. */
  holdExpiresAt?: number;
}

/** Reserved for the waitlist (see header); always empty until it is implemented. */
export interface WaitlistEntry {
  bookingId: string;
  fromSeq: number;
  toSeq: number;
  quota: Quota;
  passengers: PassengerInput[];
}

export interface InventoryState {
  /** Schema version, for migrating state carried across continue-as-new. */
  v: 1;
  stopCount: number;
  berths: Berth[];
  /** occupancy[i]: segments taken on berths[i], sorted by fromSeq, non-overlapping. */
  occupancy: Occupancy[][];
  bookings: Record<string, BookingRecord>;
  waitlist: WaitlistEntry[];
}

export interface BerthInput {
  coach: string;
  berthNo: number;
  type: BerthType;
  quota?: Quota;
}

export interface AllocatedSeat {
  coach: string;
  berthNo: number;
  type: BerthType;
  passengerIndex: number;
}

export interface AllocationRequest {
  bookingId: string;
  fromSeq: number;
  toSeq: number;
  passengers: readonly PassengerInput[];
  /** Quota pool to draw from; 'GN' when omitted. */
  quota?: Quota;
  holdExpiresAt?: number;
}

export type AllocationFailure =
  | 'NO_CAPACITY'
  | 'INVALID_SEGMENT'
  | 'TOO_MANY_PASSENGERS'
  /** The booking id already holds seats for a different request. */
  | 'ALREADY_ALLOCATED'
  /** Malformed request: empty booking id, no passengers, unknown quota or berth type, bad age. */
  | 'INVALID_REQUEST';

export type AllocationResult =
  | {
      ok: true;
      state: InventoryState;
      seats: AllocatedSeat[];
      /** True when the booking already held these seats (a repeated request). */
      duplicate: boolean;
    }
  | { ok: false; reason: AllocationFailure };

/** Outcome of `confirm` / `release`. */
export interface ChangeResult {
  changed: boolean;
  /** The booking's status after the call; 'none' once it holds nothing. */
  status: HoldStatus | 'none';
  /** The booking's seats (for `release`: the seats it held before the call). */
  seats: AllocatedSeat[];
}

export interface Availability {
  /** Berths free over the whole segment. */
  available: number;
  /** The same count per berth type, for every type present in the quota pool. */
  byType: Partial<Record<BerthType, number>>;
}

export interface SeatMapView {
  stopCount: number;
  coaches: {
    coach: string;
    berths: {
      berthNo: number;
      type: BerthType;
      quota: Quota;
      occupied: { fromSeq: number; toSeq: number; bookingId: string; status: HoldStatus }[];
    }[];
  }[];
}

export interface HeldBooking {
  bookingId: string;
  fromSeq: number;
  toSeq: number;
  passengerCount: number;
  holdExpiresAt?: number;
}

// ---------------------------------------------------------------------------
// Construction

/** Builds an empty inventory. Throws RangeError on a malformed layout (a configuration bug). */
export function createInventory(input: { berths: readonly BerthInput[]; stopCount: number }): InventoryState {
  const { stopCount } = input;
  if (!Number.isInteger(stopCount) || stopCount < 2) throw new RangeError(`stopCount must be an integer ≥ 2, got ${stopCount}`);
  if (input.berths.length === 0) throw new RangeError('an inventory needs at least one berth');
  const seen = new Set<string>();
  for (const b of input.berths) {
    const key = `${b.coach}/${b.berthNo}`;
    if (typeof b.coach !== 'string' || b.coach === '') throw new RangeError(`berth ${key}: coach must be a non-empty string`);
    if (!Number.isInteger(b.berthNo) || b.berthNo < 1) throw new RangeError(`berth ${key}: berthNo must be a positive integer`);
    if (!BERTH_TYPES.includes(b.type)) throw new RangeError(`berth ${key}: unknown type ${String(b.type)}`);
    if (b.quota !== undefined && !QUOTAS.includes(b.quota)) throw new RangeError(`berth ${key}: unknown quota ${String(b.quota)}`);
    if (seen.has(key)) throw new RangeError(`berth ${key} is listed twice`);
    seen.add(key);
  }
  const berths = orderByCoach(input.berths).map((b) => ({ coach: b.coach, berthNo: b.berthNo, type: b.type, quota: b.quota ?? 'GN' }));
  return { v: 1, stopCount, berths, occupancy: berths.map(() => []), bookings: {}, waitlist: [] };
}

/** Coaches in order of first appearance (B1 before B10), berth numbers ascending within a coach. */
function orderByCoach(berths: readonly BerthInput[]): BerthInput[] {
  const coachRank = new Map<string, number>();
  for (const b of berths) if (!coachRank.has(b.coach)) coachRank.set(b.coach, coachRank.size);
  return [...berths].sort((a, b) => coachRank.get(a.coach)! - coachRank.get(b.coach)! || a.berthNo - b.berthNo);
}

// ---------------------------------------------------------------------------
// Allocation

/**
 * Places a hold for every passenger, or nothing. Idempotent per booking id:
 * repeating the same request returns the seats already held (`duplicate: true`).
 * Mutates and returns `state`; on failure `state` is untouched.
 */
export function allocate(state: InventoryState, request: AllocationRequest): AllocationResult {
  const invalid = validateRequest(state, request);
  if (invalid) return { ok: false, reason: invalid };
  const quota = request.quota ?? 'GN';
  const existing = findBooking(state, request.bookingId);
  if (existing) {
    const same =
      existing.fromSeq === request.fromSeq &&
      existing.toSeq === request.toSeq &&
      existing.quota === quota &&
      existing.berths.length === request.passengers.length;
    return same ? { ok: true, state, seats: seatsOf(state, existing), duplicate: true } : { ok: false, reason: 'ALREADY_ALLOCATED' };
  }
  const pool = freePool(state, request.fromSeq, request.toSeq, quota);
  const chosen = choosePlacement(pool, request.passengers.map(toPax));
  if (!chosen) return { ok: false, reason: 'NO_CAPACITY' };

  const record: BookingRecord = { status: 'held', fromSeq: request.fromSeq, toSeq: request.toSeq, quota, berths: chosen };
  if (request.holdExpiresAt !== undefined) record.holdExpiresAt = request.holdExpiresAt;
  for (const berth of chosen) insertOccupancy(state.occupancy[berth]!, [request.fromSeq, request.toSeq, request.bookingId]);
  state.bookings[request.bookingId] = record;
  return { ok: true, state, seats: seatsOf(state, record), duplicate: false };
}

function validateRequest(state: InventoryState, request: AllocationRequest): AllocationFailure | undefined {
  const { bookingId, passengers, quota } = request;
  // '__proto__' would be swallowed by the plain-object bookings map.
  if (typeof bookingId !== 'string' || bookingId === '' || bookingId === '__proto__') return 'INVALID_REQUEST';
  if (!Array.isArray(passengers) || passengers.length === 0) return 'INVALID_REQUEST';
  // 'RAC' berths are shared by two RAC passengers (railInventory.ts), never sold whole.
  if (quota !== undefined && (!QUOTAS.includes(quota) || quota === 'RAC')) return 'INVALID_REQUEST';
  const badPassenger = passengers.some(
    (p) => !(Number.isFinite(p.age) && p.age >= 0) || (p.preference !== undefined && !BERTH_TYPES.includes(p.preference)),
  );
  if (badPassenger) return 'INVALID_REQUEST';
  if (passengers.length > MAX_PASSENGERS_PER_BOOKING) return 'TOO_MANY_PASSENGERS';
  if (!isValidSegment(state.stopCount, request.fromSeq, request.toSeq)) return 'INVALID_SEGMENT';
  return undefined;
}

/** Inserts a segment already known to be free, keeping the list sorted. */
function insertOccupancy(list: Occupancy[], entry: Occupancy): void {
  let at = 0;
  while (at < list.length && list[at]![0] < entry[0]) at++;
  list.splice(at, 0, entry);
}

// --- Placement search ------------------------------------------------------
// The hot path of a Tatkal rush, so it avoids per-berth objects: the free
// berths are gathered into parallel number arrays (transient, never part of
// the state), and berth types are small integers (index in BERTH_TYPES).

const TYPE_COUNT = BERTH_TYPES.length;
const TYPE_INDEX = Object.fromEntries(BERTH_TYPES.map((t, i) => [t, i])) as Record<BerthType, number>;
const IS_LOWER = BERTH_TYPES.map((t) => t === 'LB' || t === 'SL');
const NO_PREFERENCE = -1;

/**
 * Berths of the quota pool free over the requested segment, grouped by coach:
 * candidates coachStart[c] .. coachStart[c+1]-1 belong to coach c.
 */
interface FreePool {
  berth: number[];
  berthNo: number[];
  type: number[];
  /** Free hops left on both sides of the segment in the berth's free gap: lower is a tighter fit. */
  slack: number[];
  coachStart: number[];
}

interface Pax {
  pref: number;
  senior: boolean;
}

interface Demand {
  /** Passengers asking for each berth type. */
  wanted: Int32Array;
  /** Seniors without a preference, who default to lower berths. */
  seniors: number;
}

interface Plan {
  /** Preferences and senior lower berths served (`tallyScore`); higher is better. */
  match: number;
  /** Berth-number distance between the run's first and last berth. */
  span: number;
  /** Total slack of the berths given. */
  slack: number;
  /** Berth index per passenger. */
  berths: number[];
}

function toPax(p: PassengerInput): Pax {
  return {
    pref: p.preference === undefined ? NO_PREFERENCE : TYPE_INDEX[p.preference],
    senior: p.preference === undefined && p.age >= SENIOR_AGE,
  };
}

/** Free hops around [fromSeq, toSeq) in this berth's free gap, or -1 when the segment is taken. */
function slackAround(occupied: readonly Occupancy[], fromSeq: number, toSeq: number, lastStop: number): number {
  let gapStart = 0;
  let gapEnd = lastStop;
  for (let i = 0; i < occupied.length; i++) {
    const o = occupied[i]!;
    if (o[1] <= fromSeq) gapStart = o[1];
    else if (o[0] >= toSeq) {
      gapEnd = o[0];
      break;
    } else return -1;
  }
  return fromSeq - gapStart + (gapEnd - toSeq);
}

function freePool(state: InventoryState, fromSeq: number, toSeq: number, quota: Quota): FreePool {
  const size = state.berths.length;
  const pool: FreePool = { berth: [], berthNo: [], type: [], slack: [], coachStart: [] };
  const lastStop = state.stopCount - 1;
  let coach: string | undefined;
  for (let i = 0; i < size; i++) {
    const berth = state.berths[i]!;
    if (berth.quota !== quota) continue;
    const slack = slackAround(state.occupancy[i]!, fromSeq, toSeq, lastStop);
    if (slack < 0) continue;
    if (berth.coach !== coach) {
      pool.coachStart.push(pool.berth.length);
      coach = berth.coach;
    }
    pool.berth.push(i);
    pool.berthNo.push(berth.berthNo);
    pool.type.push(TYPE_INDEX[berth.type]);
    pool.slack.push(slack);
  }
  pool.coachStart.push(pool.berth.length);
  return pool;
}

/** Berth index per passenger, or undefined when the pool cannot seat everyone. */
function choosePlacement(pool: FreePool, pax: readonly Pax[]): number[] | undefined {
  let best: Plan | undefined;
  for (let c = 0; c + 1 < pool.coachStart.length; c++) {
    const plan = planInCoach(pool, pool.coachStart[c]!, pool.coachStart[c + 1]!, pax);
    if (plan && (!best || isBetter(plan, best))) best = plan;
  }
  return best ? best.berths : splitAcrossCoaches(pool, pax);
}

function isBetter(a: Plan, b: Plan): boolean {
  if (a.match !== b.match) return a.match > b.match;
  if (a.span !== b.span) return a.span < b.span;
  return a.slack < b.slack;
}

/**
 * When no coach can take the whole group: fill the roomiest coaches first
 * (fewest coaches), passengers in the order given so that passengers listed
 * together stay together.
 */
function splitAcrossCoaches(pool: FreePool, pax: readonly Pax[]): number[] | undefined {
  const { coachStart } = pool;
  const total = coachStart[coachStart.length - 1]!;
  if (total < pax.length) return undefined;
  const coaches = coachStart.slice(0, -1).map((lo, c) => ({ lo, hi: coachStart[c + 1]! }));
  coaches.sort((a, b) => b.hi - b.lo - (a.hi - a.lo));
  const berths: number[] = [];
  for (const { lo, hi } of coaches) {
    if (berths.length === pax.length) break;
    const chunk = pax.slice(berths.length, berths.length + hi - lo);
    // A coach can always seat a chunk no larger than its free count.
    berths.push(...planInCoach(pool, lo, hi, chunk)!.berths);
  }
  return berths;
}

/**
 * Best placement of the whole group within one coach (candidates lo..hi-1,
 * sorted by berth number). A sliding window finds, for each start, the
 * shortest run of free berths that seats everyone with as many preferences
 * (then senior lower berths) as the whole coach could give. The narrowest
 * run wins, ties going to the run with the least total slack.
 */
function planInCoach(pool: FreePool, lo: number, hi: number, pax: readonly Pax[]): Plan | undefined {
  if (hi - lo < pax.length) return undefined;
  const demand = demandOf(pax);
  const whole = newTally();
  for (let i = lo; i < hi; i++) tallyAdd(whole, demand, pool.type[i]!);
  const target = tallyScore(whole, demand);

  const window = newTally();
  const fits = (start: number, end: number) => end - start + 1 >= pax.length && tallyScore(window, demand) === target;
  let best = { start: -1, end: -1, span: Infinity, slack: Infinity };
  let slack = 0;
  let end = lo - 1;
  for (let start = lo; start < hi; start++) {
    while (!fits(start, end) && end + 1 < hi) {
      end++;
      tallyAdd(window, demand, pool.type[end]!);
      slack += pool.slack[end]!;
    }
    if (!fits(start, end)) break;
    const span = pool.berthNo[end]! - pool.berthNo[start]!;
    if (span < best.span || (span === best.span && slack < best.slack)) best = { start, end, span, slack };
    tallyRemove(window, demand, pool.type[start]!);
    slack -= pool.slack[start]!;
  }
  return assignWindow(pool, best.start, best.end, pax, target, best.span);
}

function demandOf(pax: readonly Pax[]): Demand {
  const wanted = new Int32Array(TYPE_COUNT);
  let seniors = 0;
  for (const p of pax) {
    if (p.pref !== NO_PREFERENCE) wanted[p.pref]!++;
    else if (p.senior) seniors++;
  }
  return { wanted, seniors };
}

/**
 * Type counts of a run of berths, kept up to date as the window slides, and
 * how well the run serves the demand: berths matching a preference, and
 * lower berths left over for seniors. Matches the greedy order of `assignWindow`.
 */
interface Tally {
  counts: Int32Array;
  preferences: number;
  spareLower: number;
}

function newTally(): Tally {
  return { counts: new Int32Array(TYPE_COUNT), preferences: 0, spareLower: 0 };
}

function tallyAdd(tally: Tally, demand: Demand, type: number): void {
  if (tally.counts[type]! < demand.wanted[type]!) tally.preferences++;
  else if (IS_LOWER[type]) tally.spareLower++;
  tally.counts[type]!++;
}

function tallyRemove(tally: Tally, demand: Demand, type: number): void {
  tally.counts[type]!--;
  if (tally.counts[type]! < demand.wanted[type]!) tally.preferences--;
  else if (IS_LOWER[type]) tally.spareLower--;
}

/** Preferences honoured × 8 + seniors on lower berths (at most 6 each, so this orders lexicographically). */
function tallyScore(tally: Tally, demand: Demand): number {
  return tally.preferences * 8 + Math.min(demand.seniors, tally.spareLower);
}

/**
 * Assigns berths within candidates start..end: preferences first, then
 * seniors to lower berths, then everyone else; each passenger takes the
 * tightest-fitting acceptable berth left.
 */
function assignWindow(pool: FreePool, start: number, end: number, pax: readonly Pax[], match: number, span: number): Plan {
  const taken: boolean[] = new Array<boolean>(end - start + 1).fill(false);
  const berths: number[] = new Array<number>(pax.length).fill(-1);
  let slack = 0;
  const take = (passenger: number, accepts: (type: number) => boolean) => {
    let pick = -1;
    for (let i = start; i <= end; i++) {
      if (!taken[i - start] && accepts(pool.type[i]!) && (pick < 0 || pool.slack[i]! < pool.slack[pick]!)) pick = i;
    }
    if (pick < 0) return;
    taken[pick - start] = true;
    berths[passenger] = pool.berth[pick]!;
    slack += pool.slack[pick]!;
  };
  pax.forEach((p, i) => {
    if (p.pref !== NO_PREFERENCE) take(i, (type) => type === p.pref);
  });
  pax.forEach((p, i) => {
    if (p.senior) take(i, (type) => IS_LOWER[type]!);
  });
  pax.forEach((_, i) => {
    if (berths[i]! < 0) take(i, () => true);
  });
  return { match, span, slack, berths };
}

// ---------------------------------------------------------------------------
// Booking lifecycle

/** Turns a hold into a sale. Idempotent: confirming a sold booking changes nothing. */
export function confirm(state: InventoryState, bookingId: string): ChangeResult {
  const booking = findBooking(state, bookingId);
  if (!booking) return { changed: false, status: 'none', seats: [] };
  const changed = booking.status === 'held';
  booking.status = 'sold';
  return { changed, status: 'sold', seats: seatsOf(state, booking) };
}

/**
 * Frees every berth a booking holds (hold expiry, payment failure, cancellation).
 * Idempotent: releasing an unknown or already released booking changes nothing.
 * With `onlyIfStatus`, releases only a booking in that status, so a late hold
 * timer cannot cancel a booking that has meanwhile been sold.
 */
export function release(state: InventoryState, bookingId: string, onlyIfStatus?: HoldStatus): ChangeResult {
  const booking = findBooking(state, bookingId);
  if (!booking) return { changed: false, status: 'none', seats: [] };
  const seats = seatsOf(state, booking);
  if (onlyIfStatus !== undefined && booking.status !== onlyIfStatus) return { changed: false, status: booking.status, seats };
  for (const berth of booking.berths) {
    const list = state.occupancy[berth]!;
    const at = list.findIndex((o) => o[2] === bookingId);
    if (at >= 0) list.splice(at, 1);
  }
  delete state.bookings[bookingId];
  return { changed: true, status: 'none', seats };
}

/** Releases every hold whose `holdExpiresAt` is at or before `now`; returns their booking ids. */
export function expireHolds(state: InventoryState, now: number): string[] {
  const expired = heldBookings(state)
    .filter((b) => b.holdExpiresAt !== undefined && b.holdExpiresAt <= now)
    .map((b) => b.bookingId);
  for (const bookingId of expired) release(state, bookingId, 'held');
  return expired;
}

// ---------------------------------------------------------------------------
// Queries

/** Berths of a quota pool free over the whole segment. Throws RangeError on an invalid segment. */
export function availability(state: InventoryState, fromSeq: number, toSeq: number, quota: Quota = 'GN'): Availability {
  if (!isValidSegment(state.stopCount, fromSeq, toSeq)) throw new RangeError(`invalid segment ${fromSeq}→${toSeq} for ${state.stopCount} stops`);
  const lastStop = state.stopCount - 1;
  const byType: Partial<Record<BerthType, number>> = {};
  let available = 0;
  state.berths.forEach((berth, i) => {
    if (berth.quota !== quota) return;
    const free = slackAround(state.occupancy[i]!, fromSeq, toSeq, lastStop) >= 0 ? 1 : 0;
    byType[berth.type] = (byType[berth.type] ?? 0) + free;
    available += free;
  });
  return { available, byType };
}

/** Per coach, per berth: type, quota and the segments taken, with booking id and status. */
export function seatMap(state: InventoryState): SeatMapView {
  const coaches: SeatMapView['coaches'] = [];
  state.berths.forEach((berth, i) => {
    if (coaches.at(-1)?.coach !== berth.coach) coaches.push({ coach: berth.coach, berths: [] });
    const occupied = state.occupancy[i]!.map(([fromSeq, toSeq, bookingId]) => ({
      fromSeq,
      toSeq,
      bookingId,
      status: state.bookings[bookingId]!.status,
    }));
    coaches.at(-1)!.berths.push({ berthNo: berth.berthNo, type: berth.type, quota: berth.quota, occupied });
  });
  return { stopCount: state.stopCount, coaches };
}

/** Bookings currently on hold (not yet sold), e.g. to re-arm expiry timers after continue-as-new. */
export function heldBookings(state: InventoryState): HeldBooking[] {
  return Object.entries(state.bookings)
    .filter(([, b]) => b.status === 'held')
    .map(([bookingId, b]) => ({
      bookingId,
      fromSeq: b.fromSeq,
      toSeq: b.toSeq,
      passengerCount: b.berths.length,
      ...(b.holdExpiresAt === undefined ? {} : { holdExpiresAt: b.holdExpiresAt }),
    }));
}

/** The seats a booking holds, in passenger order, with its status; undefined when it holds none. */
export function bookingSeats(state: InventoryState, bookingId: string): { status: HoldStatus; seats: AllocatedSeat[] } | undefined {
  const booking = findBooking(state, bookingId);
  return booking && { status: booking.status, seats: seatsOf(state, booking) };
}

// Own-property lookup: after a JSON round trip `bookings` has Object.prototype,
// so a plain index would find e.g. 'constructor'.
function findBooking(state: InventoryState, bookingId: string): BookingRecord | undefined {
  return Object.hasOwn(state.bookings, bookingId) ? state.bookings[bookingId] : undefined;
}

function seatsOf(state: InventoryState, booking: BookingRecord): AllocatedSeat[] {
  return booking.berths.map((i, passengerIndex) => {
    const { coach, berthNo, type } = state.berths[i]!;
    return { coach, berthNo, type, passengerIndex };
  });
}
