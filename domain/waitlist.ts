// RAC and waitlist for one train run + class, beside the confirmed berths of
// allocation.ts (which this module does not change).
//
// PURITY. Like allocation.ts this runs inside the inventory workflow: no I/O,
// no clock, no randomness; the state is plain JSON; functions mutate the state
// in place and plan before they touch it, so a refusal leaves it unchanged.
//
// HOW THE ACTOR USES IT, within one workflow task:
//   hold:     allocate() from allocation.ts; on NO_CAPACITY, assign() here:
//             each passenger gets RAC n or <kind>WL n, or the whole request is
//             REGRET (the waitlist is full) and nothing changes.
//   release:  release() the confirmed berths (allocation.ts) and/or cancel()
//             the booking's RAC and waitlisted passengers here, then promote()
//             with a `tryConfirm` callback that calls allocate() for ONE
//             passenger (e.g. booking id `<pnr>#<passengerIndex>`) and answers
//             whether it succeeded. allocate() is all-or-nothing, so a false
//             answer has changed nothing.
//   chart:    apply the quota releases of quotas.ts, then chart(): a last
//             promotion, and every passenger still waitlisted is dropped.
// promote() must run after every change that frees space, so that before any
// call nobody waiting fits a free berth or RAC place (the fixpoint that
// assign() relies on: a new request never overtakes someone who fits).
// allocate() places a group all-or-nothing; to confirm single passengers of a
// group where single berths are free (IRCTC's CNF, CNF, RAC 1), confirm them
// one by one first and assign() the rest with `firstPassengerIndex`, so that
// only passengers who really wait count against the cap (railInventory.ts).
// assign() is idempotent per booking id while all its passengers wait; once
// some are promoted or cancelled, repeats are the actor's to answer.
//
// RAC. Side-lower berths set aside for RAC (railwayRules.ts: SL 7, 3A 4, 2A 3
// per coach), each shared by at most two passengers at every hop: segment
// aware, so a berth can carry A over 0→3 and B over 0→5 and C over 3→5. A
// passenger is placed on the berth it pairs best with (most hops shared with
// one other passenger), the lowest berth on ties. When no berth has room but
// every hop of the segment has fewer than 2 × berths RAC passengers, the RAC
// passengers are re-seated (interval partitioning, keeping berths where it
// can), which always succeeds, so RAC refuses only when a hop is really full.
// RAC berths are provisional until the chart.
//
// WAITLIST KINDS (a simple rule on stop numbers, stops 0..n-1, modelled on
// IRCTC's quota waitlists):
//   TQWL  every Tatkal request;
//   GNWL  a journey from the origin (stop 0), or covering at least half the
//         route's hops (GNWL_MIN_ROUTE_SHARE);
//   RLWL  a shorter journey from an intermediate stop to the last stop
//         (remote location);
//   PQWL  a shorter journey between two intermediate stops (pooled quota).
// One cap (railwayRules.ts waitlistCap: 60% of the class's berths for AC
// classes, 30% otherwise) limits the passengers waiting across all kinds; a
// request whose waitlisted passengers would pass it is REGRET as a whole.
//
// NUMBERS. RAC n and <kind> n are positions (1 first) and close up when
// someone ahead leaves, as IRCTC shows the current status; each passenger also
// keeps the status given at booking (`booked`).
//
// PROMOTION ORDER, in one pass: first every RAC passenger in RAC order is
// offered a confirmed berth; then every waitlisted passenger in the order they
// joined (across kinds, so each kind keeps its own order) is offered a
// confirmed berth, else an RAC place. Promoting never frees space for someone
// already passed over, so one pass reaches the fixpoint and no later passenger
// of a kind is promoted while an earlier one who fits is still waiting.
import { MAX_PASSENGERS_PER_BOOKING } from './allocation';
import { GNWL_MIN_ROUTE_SHARE, isRailQuota, QUOTA_TABLE, RAC_PASSENGERS_PER_BERTH, type RailQuota } from './railwayRules';
import { isValidSegment, segmentsOverlap, type Segment } from './segments';
import type { BerthType, ClassCode } from './types';

export const WAITLIST_KINDS = ['GNWL', 'RLWL', 'PQWL', 'TQWL'] as const;
export type WaitlistKind = (typeof WAITLIST_KINDS)[number];

export type WaitingStatus = { status: 'RAC'; number: number } | { status: 'WL'; kind: WaitlistKind; number: number };
export type PassengerStatus = { status: 'CNF' } | WaitingStatus;

export interface RacBerth {
  coach: string;
  berthNo: number;
}

/** One passenger of a booking, over its segment. */
export interface PassengerSegment {
  bookingId: string;
  /** Position on the booking's passenger list (0-based). */
  passengerIndex: number;
  fromSeq: number;
  toSeq: number;
}

interface Waiting extends PassengerSegment {
  quota: RailQuota;
  /** Order of joining; orders the waitlist across kinds. */
  seq: number;
  /** Status given at booking, kept as IRCTC prints it ("booked as GNWL 12"). */
  booked: WaitingStatus;
}

export interface RacEntry extends Waiting {
  /** Index into `racBerths`. */
  berth: number;
}

export interface WlEntry extends Waiting {
  kind: WaitlistKind;
}

export interface WaitlistState {
  /** Schema version, for state carried across continue-as-new. */
  v: 1;
  stopCount: number;
  racBerths: RacBerth[];
  /** RAC passengers, RAC 1 first. */
  rac: RacEntry[];
  /** Waitlisted passengers of each kind, number 1 first. */
  waitlists: Record<WaitlistKind, WlEntry[]>;
  /** Most passengers waitlisted at once, all kinds together. */
  cap: number;
  /** Next `seq`. */
  seq: number;
}

export interface WaitRequest {
  bookingId: string;
  fromSeq: number;
  toSeq: number;
  /** How many passengers (the whole booking: allocate() found no confirmed berths for it). */
  passengers: number;
  /** 'GN' when omitted. */
  quota?: RailQuota;
  /** Position of the first of these passengers on the booking (default 0): the ones before it were confirmed. */
  firstPassengerIndex?: number;
}

export type AssignFailure =
  /** The waitlist cannot take the passengers who did not get RAC. */
  | 'REGRET'
  | 'INVALID_SEGMENT'
  /** Empty booking id, passenger count not 1..6, unknown quota. */
  | 'INVALID_REQUEST'
  /** The booking id is already waiting with a different request. */
  | 'ALREADY_WAITING';

export type AssignResult =
  | {
      ok: true;
      /** Per passenger, in passenger order. */
      statuses: WaitingStatus[];
      /** True when the booking was already waiting with this request (a repeat). */
      duplicate: boolean;
    }
  | { ok: false; reason: AssignFailure };

/** A waiting passenger offered a confirmed berth by `promote`. */
export interface Candidate extends PassengerSegment {
  quota: RailQuota;
  status: WaitingStatus;
}

export interface Promotion extends PassengerSegment {
  /** Status before the pass. */
  from: WaitingStatus;
  /** Status after the pass (RAC numbers as they stand at its end). */
  to: { status: 'CNF' } | { status: 'RAC'; number: number };
}

export interface WaitingPassenger extends Candidate {
  booked: WaitingStatus;
}

// ---------------------------------------------------------------------------
// Construction

/** An empty RAC pool and waitlist. Throws RangeError on a malformed layout (a configuration bug). */
export function createWaitlist(input: { stopCount: number; racBerths: readonly RacBerth[]; cap: number }): WaitlistState {
  const { stopCount, cap } = input;
  if (!Number.isInteger(stopCount) || stopCount < 2) throw new RangeError(`stopCount must be an integer ≥ 2, got ${stopCount}`);
  if (!Number.isInteger(cap) || cap < 0) throw new RangeError(`cap must be an integer ≥ 0, got ${cap}`);
  const seen = new Set<string>();
  for (const b of input.racBerths) {
    const key = `${b.coach}/${b.berthNo}`;
    if (typeof b.coach !== 'string' || b.coach === '' || !Number.isInteger(b.berthNo) || b.berthNo < 1) {
      throw new RangeError(`RAC berth ${key}: needs a coach and a positive berth number`);
    }
    if (seen.has(key)) throw new RangeError(`RAC berth ${key} is listed twice`);
    seen.add(key);
  }
  return {
    v: 1,
    stopCount,
    racBerths: input.racBerths.map(({ coach, berthNo }) => ({ coach, berthNo })),
    rac: [],
    waitlists: { GNWL: [], RLWL: [], PQWL: [], TQWL: [] },
    cap,
    seq: 0,
  };
}

/**
 * Splits a class's berths into those sold confirmed (for allocation.ts) and
 * the side-lowers kept for RAC: the first `racSideLowersPerCoach` side-lower
 * (SL) berths of each coach, in the order given.
 */
export function splitRacBerths<B extends { coach: string; berthNo: number; type: BerthType }>(
  classCode: ClassCode,
  berths: readonly B[],
  /** Overrides the table's side-lowers per coach (an operator's setting). */
  racPerCoach?: number,
): { confirmed: B[]; rac: RacBerth[] } {
  const perCoach = racPerCoach ?? QUOTA_TABLE[classCode].racSideLowersPerCoach;
  const taken = new Map<string, number>();
  const confirmed: B[] = [];
  const rac: RacBerth[] = [];
  for (const b of berths) {
    const used = taken.get(b.coach) ?? 0;
    if (b.type === 'SL' && used < perCoach) {
      taken.set(b.coach, used + 1);
      rac.push({ coach: b.coach, berthNo: b.berthNo });
    } else confirmed.push(b);
  }
  return { confirmed, rac };
}

// ---------------------------------------------------------------------------
// Assignment

/** Which waitlist a request joins (see the header). */
export function waitlistKind(stopCount: number, fromSeq: number, toSeq: number, quota: RailQuota = 'GN'): WaitlistKind {
  if (quota === 'TQ') return 'TQWL';
  if (fromSeq === 0) return 'GNWL';
  if (toSeq - fromSeq >= GNWL_MIN_ROUTE_SHARE * (stopCount - 1)) return 'GNWL';
  return toSeq === stopCount - 1 ? 'RLWL' : 'PQWL';
}

/**
 * Gives each passenger of a request that found no confirmed berths RAC (while
 * an RAC place fits) and then a waitlist number, or refuses the whole request
 * (REGRET when the waitlist is full). Idempotent per booking id. Mutates and
 * returns statuses; on failure the state is unchanged.
 */
export function assign(state: WaitlistState, request: WaitRequest): AssignResult {
  const invalid = validateRequest(state, request);
  if (invalid) return { ok: false, reason: invalid };
  const quota = request.quota ?? 'GN';
  const existing = waitingOf(state, request.bookingId);
  if (existing.length > 0) {
    const same =
      existing.length === request.passengers &&
      existing.every((p) => p.fromSeq === request.fromSeq && p.toSeq === request.toSeq && p.quota === quota);
    return same ? { ok: true, statuses: existing.map((p) => p.status), duplicate: true } : { ok: false, reason: 'ALREADY_WAITING' };
  }
  const plan = planRequest(state, request.fromSeq, request.toSeq, request.passengers);
  if (!plan) return { ok: false, reason: 'REGRET' };

  // Commit: re-seated RAC passengers, then the new RAC and waitlisted passengers.
  plan.seats.forEach((seat, i) => {
    if (i < state.rac.length) state.rac[i]!.berth = seat.berth;
  });
  const statuses: WaitingStatus[] = [];
  const kind = waitlistKind(state.stopCount, request.fromSeq, request.toSeq, quota);
  const first = request.firstPassengerIndex ?? 0;
  for (let i = 0; i < request.passengers; i++) {
    const passengerIndex = first + i;
    const base = { bookingId: request.bookingId, passengerIndex, fromSeq: request.fromSeq, toSeq: request.toSeq, quota, seq: state.seq++ };
    if (i < plan.racCount) {
      const booked: WaitingStatus = { status: 'RAC', number: state.rac.length + 1 };
      state.rac.push({ ...base, booked, berth: plan.seats[state.rac.length]!.berth });
      statuses.push(booked);
    } else {
      const list = state.waitlists[kind];
      const booked: WaitingStatus = { status: 'WL', kind, number: list.length + 1 };
      list.push({ ...base, booked, kind });
      statuses.push(booked);
    }
  }
  return { ok: true, statuses, duplicate: false };
}

/**
 * What a request of `passengers` over the segment would get now (RAC and
 * waitlist numbers, or REGRET), without changing anything: for availability
 * pages. Throws RangeError on an invalid segment.
 */
export function outlook(state: WaitlistState, fromSeq: number, toSeq: number, quota: RailQuota = 'GN', passengers = 1): WaitingStatus[] | 'REGRET' {
  if (!isValidSegment(state.stopCount, fromSeq, toSeq)) throw new RangeError(`invalid segment ${fromSeq}→${toSeq} for ${state.stopCount} stops`);
  const plan = planRequest(state, fromSeq, toSeq, passengers);
  if (!plan) return 'REGRET';
  const kind = waitlistKind(state.stopCount, fromSeq, toSeq, quota);
  const waiting = state.waitlists[kind].length;
  return Array.from({ length: passengers }, (_, i): WaitingStatus =>
    i < plan.racCount ? { status: 'RAC', number: state.rac.length + i + 1 } : { status: 'WL', kind, number: waiting + i - plan.racCount + 1 },
  );
}

function validateRequest(state: WaitlistState, request: WaitRequest): AssignFailure | undefined {
  const { bookingId, passengers, quota } = request;
  if (typeof bookingId !== 'string' || bookingId === '') return 'INVALID_REQUEST';
  if (!Number.isInteger(passengers) || passengers < 1 || passengers > MAX_PASSENGERS_PER_BOOKING) return 'INVALID_REQUEST';
  if (quota !== undefined && !isRailQuota(quota)) return 'INVALID_REQUEST';
  if (!isValidSegment(state.stopCount, request.fromSeq, request.toSeq)) return 'INVALID_SEGMENT';
  return undefined;
}

interface Seat {
  fromSeq: number;
  toSeq: number;
  /** Index into racBerths; -1 while unplaced. */
  berth: number;
}

/**
 * Plans RAC for as many passengers as fit (in passenger order: once one does
 * not fit, none after it on the same segment can), the rest on the waitlist.
 * `seats`: the RAC passengers' berths after the plan (existing ones first,
 * in RAC order, possibly re-seated, then the new ones). Undefined: REGRET.
 */
function planRequest(state: WaitlistState, fromSeq: number, toSeq: number, passengers: number) {
  const seats: Seat[] = state.rac.map(({ fromSeq: f, toSeq: t, berth }) => ({ fromSeq: f, toSeq: t, berth }));
  let racCount = 0;
  while (racCount < passengers && seatRac(seats, state.racBerths.length, fromSeq, toSeq)) racCount++;
  if (waitingCount(state) + passengers - racCount > state.cap) return undefined;
  return { racCount, seats };
}

/** Passengers waitlisted now, all kinds. */
export function waitingCount(state: WaitlistState): number {
  return WAITLIST_KINDS.reduce((sum, kind) => sum + state.waitlists[kind].length, 0);
}

// --- RAC seating -------------------------------------------------------------

/**
 * Per hop of [fromSeq, toSeq), how many of `seats` cover it. Index h - fromSeq.
 */
function loadOver(seats: readonly Seat[], fromSeq: number, toSeq: number): number[] {
  const diff = new Array<number>(toSeq - fromSeq + 1).fill(0);
  for (const s of seats) {
    if (!segmentsOverlap(s.fromSeq, s.toSeq, fromSeq, toSeq)) continue;
    diff[Math.max(s.fromSeq, fromSeq) - fromSeq]!++;
    diff[Math.min(s.toSeq, toSeq) - fromSeq]!--;
  }
  const load: number[] = [];
  let running = 0;
  for (let i = 0; i < toSeq - fromSeq; i++) {
    running += diff[i]!;
    load.push(running);
  }
  return load;
}

/** Adds an RAC seat over [fromSeq, toSeq) to `seats` (re-seating others if needed) and answers true, or answers false. */
function seatRac(seats: Seat[], berthCount: number, fromSeq: number, toSeq: number): boolean {
  if (berthCount === 0) return false;
  const byBerth: Seat[][] = Array.from({ length: berthCount }, () => []);
  for (const s of seats) byBerth[s.berth]!.push(s);
  let best = -1;
  let bestShared = -1;
  for (let b = 0; b < berthCount; b++) {
    const load = loadOver(byBerth[b]!, fromSeq, toSeq);
    if (load.some((n) => n >= RAC_PASSENGERS_PER_BERTH)) continue;
    const shared = load.filter((n) => n > 0).length;
    if (shared > bestShared) {
      best = b;
      bestShared = shared;
    }
  }
  if (best >= 0) {
    seats.push({ fromSeq, toSeq, berth: best });
    return true;
  }
  const capacity = RAC_PASSENGERS_PER_BERTH * berthCount;
  if (loadOver(seats, fromSeq, toSeq).some((n) => n >= capacity)) return false;
  seats.push({ fromSeq, toSeq, berth: -1 });
  reseat(seats, berthCount);
  return true;
}

/**
 * Interval partitioning: seats in order of boarding, each given a free place
 * (two places per berth), its own berth's places first. Succeeds whenever no
 * hop has more than 2 × berths passengers, which the caller has checked.
 */
function reseat(seats: Seat[], berthCount: number): void {
  const places = RAC_PASSENGERS_PER_BERTH * berthCount;
  const freeFrom = new Array<number>(places).fill(0);
  const order = seats.map((_, i) => i).sort((a, b) => seats[a]!.fromSeq - seats[b]!.fromSeq || seats[a]!.toSeq - seats[b]!.toSeq || a - b);
  for (const i of order) {
    const seat = seats[i]!;
    let place = -1;
    for (let p = 0; p < places; p++) {
      if (freeFrom[p]! > seat.fromSeq) continue;
      const own = Math.floor(p / RAC_PASSENGERS_PER_BERTH) === seat.berth;
      if (place < 0 || (own && Math.floor(place / RAC_PASSENGERS_PER_BERTH) !== seat.berth)) place = p;
    }
    if (place < 0) throw new Error('RAC re-seating found no place: a hop was over capacity'); // unreachable: checked by the caller
    freeFrom[place] = seat.toSeq;
    seat.berth = Math.floor(place / RAC_PASSENGERS_PER_BERTH);
  }
}

// ---------------------------------------------------------------------------
// Promotion, cancellation, chart

/**
 * One promotion pass (see the header for the order). `tryConfirm` places a
 * confirmed berth for one passenger and answers whether it did; it is called
 * at most once per waiting passenger, in promotion order. With `touched` (the
 * segments freed since the last pass: released bookings and cancelled RAC
 * passengers), only passengers whose segment overlaps one of them are offered
 * anything, which is exact when the fixpoint held before the release.
 * Mutates the state; returns the promotions in the order made.
 */
export function promote(state: WaitlistState, tryConfirm: (candidate: Candidate) => boolean, touched?: readonly Segment[]): Promotion[] {
  const before = statusMap(state);
  const freed: Segment[] | undefined = touched ? [...touched] : undefined;
  const concerned = (p: Waiting) => !freed || freed.some((s) => segmentsOverlap(s.fromSeq, s.toSeq, p.fromSeq, p.toSeq));
  const made: { entry: Waiting; to: 'CNF' | 'RAC' }[] = [];

  for (const entry of [...state.rac]) {
    if (!concerned(entry) || !tryConfirm(candidateOf(entry, before))) continue;
    state.rac.splice(state.rac.indexOf(entry), 1);
    freed?.push({ fromSeq: entry.fromSeq, toSeq: entry.toSeq });
    made.push({ entry, to: 'CNF' });
  }

  for (const entry of waitlistInOrder(state)) {
    if (!concerned(entry)) continue;
    const list = state.waitlists[entry.kind];
    if (tryConfirm(candidateOf(entry, before))) {
      list.splice(list.indexOf(entry), 1);
      made.push({ entry, to: 'CNF' });
      continue;
    }
    const seats: Seat[] = state.rac.map(({ fromSeq, toSeq, berth }) => ({ fromSeq, toSeq, berth }));
    if (!seatRac(seats, state.racBerths.length, entry.fromSeq, entry.toSeq)) continue;
    seats.forEach((seat, i) => {
      if (i < state.rac.length) state.rac[i]!.berth = seat.berth;
    });
    list.splice(list.indexOf(entry), 1);
    const { kind: _kind, ...waiting } = entry;
    state.rac.push({ ...waiting, berth: seats.at(-1)!.berth });
    made.push({ entry, to: 'RAC' });
  }

  return made.map(({ entry, to }) => ({
    bookingId: entry.bookingId,
    passengerIndex: entry.passengerIndex,
    fromSeq: entry.fromSeq,
    toSeq: entry.toSeq,
    from: before.get(entry)!,
    to: to === 'CNF' ? { status: 'CNF' } : { status: 'RAC', number: state.rac.findIndex((r) => sameSeat(r, entry)) + 1 },
  }));
}

export interface Cancelled extends PassengerSegment {
  /** Status when cancelled. */
  status: WaitingStatus;
}

/**
 * Removes a booking's RAC and waitlisted passengers (all, or those listed),
 * closing up the numbers behind them. Idempotent: unknown ones are ignored.
 * Returns what was removed; pass their segments to `promote` as `touched`.
 */
export function cancel(state: WaitlistState, bookingId: string, passengerIndexes?: readonly number[]): Cancelled[] {
  const before = statusMap(state);
  const hit = (p: Waiting) => p.bookingId === bookingId && (!passengerIndexes || passengerIndexes.includes(p.passengerIndex));
  const removed: Cancelled[] = [];
  const take = (p: Waiting) => removed.push({ bookingId, passengerIndex: p.passengerIndex, fromSeq: p.fromSeq, toSeq: p.toSeq, status: before.get(p)! });
  state.rac.filter(hit).forEach(take);
  state.rac = state.rac.filter((p) => !hit(p));
  for (const kind of WAITLIST_KINDS) {
    state.waitlists[kind].filter(hit).forEach(take);
    state.waitlists[kind] = state.waitlists[kind].filter((p) => !hit(p));
  }
  return removed.sort((a, b) => a.passengerIndex - b.passengerIndex);
}

/**
 * At the chart: a last promotion pass (after the caller has moved unsold quota
 * berths to the general pool), then every passenger still waitlisted is
 * dropped (refunded less clerkage: partialCancellation.ts with by 'chart').
 * RAC passengers stay RAC and travel sharing their berth.
 */
export function chart(state: WaitlistState, tryConfirm: (candidate: Candidate) => boolean): { promotions: Promotion[]; dropped: Cancelled[] } {
  const promotions = promote(state, tryConfirm);
  const before = statusMap(state);
  const dropped = waitlistInOrder(state).map(
    (p): Cancelled => ({ bookingId: p.bookingId, passengerIndex: p.passengerIndex, fromSeq: p.fromSeq, toSeq: p.toSeq, status: before.get(p)! }),
  );
  for (const kind of WAITLIST_KINDS) state.waitlists[kind] = [];
  return { promotions, dropped };
}

// ---------------------------------------------------------------------------
// Rebuild

/** A passenger put back on the RAC list or a waitlist from the records (an actor rebuilt after a termination). */
export interface RestoredPassenger extends PassengerSegment {
  quota: RailQuota;
  /** Status as last recorded; its number orders the passenger within the RAC list or its waitlist. */
  status: WaitingStatus;
  /** Status given at booking. */
  booked: WaitingStatus;
}

/**
 * Puts recorded RAC and waitlisted passengers back on an empty list, in the
 * recorded order: RAC by number, then each waitlist by number, the kinds
 * interleaved in the order given (the bookings' order). An RAC passenger for
 * whom no RAC place is found joins the waitlist. The cap is not applied: they
 * were admitted. Promotion into free berths is the caller's next step.
 */
export function restoreWaiting(state: WaitlistState, passengers: readonly RestoredPassenger[]): void {
  const rac = passengers.filter((p) => p.status.status === 'RAC').sort((a, b) => a.status.number - b.status.number);
  const waiting = passengers.filter((p) => p.status.status === 'WL');
  const toWaitlist: RestoredPassenger[] = [];
  for (const p of rac) {
    const seats: Seat[] = state.rac.map(({ fromSeq, toSeq, berth }) => ({ fromSeq, toSeq, berth }));
    if (!seatRac(seats, state.racBerths.length, p.fromSeq, p.toSeq)) {
      toWaitlist.push(p);
      continue;
    }
    seats.forEach((seat, i) => {
      if (i < state.rac.length) state.rac[i]!.berth = seat.berth;
    });
    state.rac.push({ ...segmentOf(p), quota: p.quota, seq: state.seq++, booked: p.booked, berth: seats[state.rac.length]!.berth });
  }
  // Joining order (seq) as given; within each list, the recorded numbers' order (an RAC passenger moved back last).
  const joined = new Map<WlEntry, number>();
  for (const p of [...waiting, ...toWaitlist]) {
    const kind = p.status.status === 'WL' ? p.status.kind : waitlistKind(state.stopCount, p.fromSeq, p.toSeq, p.quota);
    const entry: WlEntry = { ...segmentOf(p), quota: p.quota, seq: state.seq++, booked: p.booked, kind };
    joined.set(entry, p.status.status === 'WL' ? p.status.number : Number.POSITIVE_INFINITY);
    state.waitlists[kind].push(entry);
  }
  for (const kind of WAITLIST_KINDS) state.waitlists[kind].sort((a, b) => (joined.get(a) ?? 0) - (joined.get(b) ?? 0) || a.seq - b.seq);
}
const segmentOf = (p: PassengerSegment): PassengerSegment => ({ bookingId: p.bookingId, passengerIndex: p.passengerIndex, fromSeq: p.fromSeq, toSeq: p.toSeq });

/** 'CNF', 'RAC 3', 'GNWL 12' back to a status; undefined for anything else. */
export function parseStatusLabel(label: string | null | undefined): PassengerStatus | undefined {
  if (label === 'CNF') return { status: 'CNF' };
  const m = /^(RAC|GNWL|RLWL|PQWL|TQWL) ([1-9]\d*)$/.exec(label ?? '');
  if (!m) return undefined;
  const number = Number(m[2]);
  return m[1] === 'RAC' ? { status: 'RAC', number } : { status: 'WL', kind: m[1] as WaitlistKind, number };
}

// ---------------------------------------------------------------------------
// Queries

/** A booking's RAC and waitlisted passengers, in passenger order (confirmed ones are allocation.ts's). */
export function waitingOf(state: WaitlistState, bookingId: string): WaitingPassenger[] {
  const status = statusMap(state);
  const all: Waiting[] = [...state.rac, ...WAITLIST_KINDS.flatMap((kind) => state.waitlists[kind])];
  return all
    .filter((p) => p.bookingId === bookingId)
    .sort((a, b) => a.passengerIndex - b.passengerIndex)
    .map((p) => ({
      bookingId: p.bookingId,
      passengerIndex: p.passengerIndex,
      fromSeq: p.fromSeq,
      toSeq: p.toSeq,
      quota: p.quota,
      status: status.get(p)!,
      booked: p.booked,
    }));
}

/** RAC passengers per RAC berth (provisional until the chart). */
export function racSeatMap(state: WaitlistState): { coach: string; berthNo: number; passengers: { bookingId: string; passengerIndex: number; fromSeq: number; toSeq: number }[] }[] {
  return state.racBerths.map((b, i) => ({
    coach: b.coach,
    berthNo: b.berthNo,
    passengers: state.rac
      .filter((r) => r.berth === i)
      .map(({ bookingId, passengerIndex, fromSeq, toSeq }) => ({ bookingId, passengerIndex, fromSeq, toSeq })),
  }));
}

/** 'CNF', 'RAC 3', 'GNWL 12'. */
export function statusLabel(s: PassengerStatus): string {
  if (s.status === 'CNF') return 'CNF';
  return s.status === 'RAC' ? `RAC ${s.number}` : `${s.kind} ${s.number}`;
}

function statusMap(state: WaitlistState): Map<Waiting, WaitingStatus> {
  const map = new Map<Waiting, WaitingStatus>();
  state.rac.forEach((p, i) => map.set(p, { status: 'RAC', number: i + 1 }));
  for (const kind of WAITLIST_KINDS) state.waitlists[kind].forEach((p, i) => map.set(p, { status: 'WL', kind, number: i + 1 }));
  return map;
}

/** Every waitlisted passenger in the order they joined. */
function waitlistInOrder(state: WaitlistState): WlEntry[] {
  return WAITLIST_KINDS.flatMap((kind) => state.waitlists[kind]).sort((a, b) => a.seq - b.seq);
}

function candidateOf(p: Waiting, status: Map<Waiting, WaitingStatus>): Candidate {
  return { bookingId: p.bookingId, passengerIndex: p.passengerIndex, fromSeq: p.fromSeq, toSeq: p.toSeq, quota: p.quota, status: status.get(p)! };
}

function sameSeat(a: Waiting, b: Waiting): boolean {
  return a.bookingId === b.bookingId && a.passengerIndex === b.passengerIndex;
}
