// The inventory actor's seat rules with RAC and the waitlist: allocation.ts
// (confirmed berths) and waitlist.ts (RAC places and waitlists) composed into
// the few operations the actor performs: hold, confirm, release, expire.
//
// PURITY. Runs inside the inventory workflow: no I/O, no clock, plain JSON
// state, mutated in place. Every operation that frees space ends with a
// promotion pass over the segments it freed, in the same call, so promotion is
// atomic with the release (nobody else's message can come in between).
//
// MODEL.
// - A request that fits confirmed berths is placed as before: one allocation
//   record under the booking id, all-or-nothing (allocation.ts).
// - A request that does not fit, and allows waiting, joins the waitlist
//   module: each passenger RAC or <kind>WL, or the whole request REGRET. It is
//   then a *waiting booking* (`waits[bookingId]`), and each of its passengers
//   who gets a confirmed berth — at once (CNF, CNF, RAC 1 for a group where
//   single berths are free) or by a later promotion — has an allocation record
//   of its own, `<bookingId>#<passengerIndex>`.
// - A waiting booking is held until it is paid, like any other: held, its
//   promoted passengers' berths are held; sold, they are sold. Its deadline
//   lives here (not on the per-passenger records), so the whole booking, its
//   berths and its places in the queues, expires as one.
// - RAC places are side-lower berths taken out of the confirmed pool when the
//   state is created (quota 'RAC' in allocation.ts, which no request may name).
//
// INVARIANTS (test/unit/railInventory.test.ts drives random operations):
// no berth segment held twice (allocation.ts's occupancy), no RAC berth over
// two passengers at any hop, waitlist order kept within each kind, and after
// every operation nobody waiting fits a free berth or RAC place (the fixpoint).
import {
  allocate,
  bookingSeats,
  confirm,
  release,
  type AllocatedSeat,
  type AllocationFailure,
  type AllocationRequest,
  type InventoryState,
} from './allocation';
import { isRailQuota, waitlistCap, type RailQuota } from './railwayRules';
import type { Segment } from './segments';
import { isClassCode, QUOTAS, type PassengerInput, type Quota } from './types';
import {
  assign,
  cancel,
  chart,
  createWaitlist,
  parseStatusLabel,
  promote,
  restoreWaiting as restoreWaitlist,
  splitRacBerths,
  statusLabel,
  waitingOf,
  type Candidate,
  type RestoredPassenger,
  type Cancelled,
  type PassengerStatus,
  type Promotion,
  type WaitlistState,
} from './waitlist';

/** A booking some of whose passengers are (or were) RAC or waitlisted. */
export interface WaitBooking {
  sold: boolean;
  /** Epoch ms; while held, the booking (all its passengers) is released at this time. */
  holdExpiresAt?: number;
  fromSeq: number;
  toSeq: number;
  quota: RailQuota;
  passengers: PassengerInput[];
  /** Passengers who hold nothing any more: cancelled by the traveller, or dropped from the waitlist at the chart. */
  cancelled?: number[];
}

/** A passenger's status here: CNF, RAC n, <kind>WL n, or CAN (cancelled, or dropped at the chart). */
export type RailPassengerStatus = PassengerStatus | { status: 'CAN' };

export interface RailState {
  wl: WaitlistState;
  waits: Record<string, WaitBooking>;
}

export type RailHoldFailure = AllocationFailure | 'REGRET' | 'ALREADY_WAITING';

export interface BookingStatusChange {
  bookingId: string;
  /** Every passenger's status now, in passenger order. */
  statuses: RailPassengerStatus[];
  /** The booking's confirmed berths now (passengers with status CNF). */
  seats: AllocatedSeat[];
  /** Whether the booking is paid (its actor is running and must be told). */
  sold: boolean;
}

export type RailHoldResult =
  | {
      ok: true;
      seats: AllocatedSeat[];
      /** Per passenger; absent when every passenger has a confirmed berth by the ordinary path. */
      statuses?: RailPassengerStatus[];
      duplicate: boolean;
      /** Other bookings whose passengers moved up (none on the ordinary path). */
      changes: BookingStatusChange[];
    }
  | { ok: false; reason: RailHoldFailure };

export interface RailChange {
  changed: boolean;
  /** Bookings whose passengers moved up, in the order the promotions were made. */
  changes: BookingStatusChange[];
}

/** The allocation record of one passenger of a waiting booking. */
export function passengerAllocationId(bookingId: string, passengerIndex: number): string {
  return `${bookingId}#${passengerIndex}`;
}

/**
 * RAC and waitlist for an inventory: the class's RAC side-lowers (waitlist.ts
 * splitRacBerths: the first N side-lowers of each coach, railwayRules.ts) that
 * are still wholly unsold leave the confirmed pool; the waitlist cap is the
 * class's (railwayRules.ts waitlistCap). `racPerCoach` overrides the table (0:
 * no RAC), as an operator may. A class unknown to the railway tables gets no
 * RAC and no waitlist.
 */
export function createRailState(inv: InventoryState, classCode: string, options: { racPerCoach?: number } = {}): RailState {
  const known = isClassCode(classCode);
  // Berths already set aside (a state built before) stay the RAC berths: never set aside more.
  const kept = inv.berths.filter((b) => b.quota === 'RAC').map(({ coach, berthNo }) => ({ coach, berthNo }));
  const candidates = inv.berths.map((b, index) => ({ ...b, index })).filter((b) => b.quota === 'GN' && inv.occupancy[b.index]!.length === 0);
  const rac = kept.length > 0 ? kept : known ? splitRacBerths(classCode, candidates, options.racPerCoach).rac : [];
  const racKeys = new Set(rac.map((b) => `${b.coach}/${b.berthNo}`));
  for (const b of inv.berths) if (racKeys.has(`${b.coach}/${b.berthNo}`)) b.quota = 'RAC';
  const confirmedBerths = inv.berths.length - rac.length;
  const cap = known ? waitlistCap(classCode, confirmedBerths + rac.length) : 0;
  return { wl: createWaitlist({ stopCount: inv.stopCount, racBerths: rac, cap }), waits: {} };
}

// ---------------------------------------------------------------------------
// Operations

/**
 * Holds a request: confirmed berths when they fit (the ordinary path,
 * unchanged), else — when `waitlist` allows it — RAC and waitlist places, with
 * single passengers confirmed where single berths are free. Idempotent per
 * booking id: a repeat answers the booking's current seats and statuses.
 */
export function holdRail(inv: InventoryState, rs: RailState, request: AllocationRequest, waitlist: boolean): RailHoldResult {
  // '#' separates a booking id from a passenger's (passengerAllocationId): a request may not name one.
  if (typeof request.bookingId === 'string' && request.bookingId.includes('#')) return { ok: false, reason: 'INVALID_REQUEST' };
  const existing = own(rs.waits, request.bookingId);
  if (existing) {
    const same =
      existing.fromSeq === request.fromSeq &&
      existing.toSeq === request.toSeq &&
      existing.passengers.length === request.passengers.length &&
      existing.quota === (request.quota ?? 'GN');
    if (!same) return { ok: false, reason: 'ALREADY_ALLOCATED' };
    return { ok: true, seats: seatsOf(inv, rs, request.bookingId), statuses: statusesOf(inv, rs, request.bookingId), duplicate: true, changes: [] };
  }
  if (request.quota === 'RAC') return { ok: false, reason: 'INVALID_REQUEST' };
  const placed = allocate(inv, request);
  if (placed.ok) return { ok: true, seats: placed.seats, duplicate: placed.duplicate, changes: [] };
  if (placed.reason !== 'NO_CAPACITY' || !waitlist) return placed;

  // Single passengers may fit where the group did not (CNF, CNF, RAC 1): confirm as many as fit, in passenger
  // order (one who does not fit means no single berth is free over the segment, so none after does either), and
  // only the rest wait, so that only they count against the waitlist's cap. Nobody waiting is passed over: after
  // every operation nobody waiting fits a free berth (the fixpoint), so these berths fit nobody waiting.
  const quota: RailQuota = isRailQuota(request.quota) ? request.quota : 'GN';
  const pool: Quota = quota;
  const n = request.passengers.length;
  let confirmed = 0;
  while (
    confirmed < n &&
    allocate(inv, {
      bookingId: passengerAllocationId(request.bookingId, confirmed),
      fromSeq: request.fromSeq,
      toSeq: request.toSeq,
      passengers: [request.passengers[confirmed]!],
      quota: pool,
    }).ok
  ) {
    confirmed++;
  }
  const waiting = assign(rs.wl, {
    bookingId: request.bookingId,
    fromSeq: request.fromSeq,
    toSeq: request.toSeq,
    passengers: n - confirmed,
    quota,
    firstPassengerIndex: confirmed,
  });
  if (!waiting.ok) {
    // Nothing is kept of a refused request.
    for (let i = 0; i < confirmed; i++) release(inv, passengerAllocationId(request.bookingId, i));
    return { ok: false, reason: waiting.reason === 'REGRET' ? 'REGRET' : waiting.reason === 'ALREADY_WAITING' ? 'ALREADY_WAITING' : 'INVALID_REQUEST' };
  }
  const record: WaitBooking = { sold: false, fromSeq: request.fromSeq, toSeq: request.toSeq, quota, passengers: [...request.passengers] };
  if (request.holdExpiresAt !== undefined) record.holdExpiresAt = request.holdExpiresAt;
  rs.waits[request.bookingId] = record;
  return { ok: true, seats: seatsOf(inv, rs, request.bookingId), statuses: statusesOf(inv, rs, request.bookingId), duplicate: false, changes: [] };
}

/** Turns a hold into a sale (all its passengers, whatever their status). Idempotent. */
export function confirmRail(
  inv: InventoryState,
  rs: RailState,
  bookingId: string,
): { changed: boolean; sold: boolean; seats: AllocatedSeat[]; statuses?: RailPassengerStatus[] } {
  const w = own(rs.waits, bookingId);
  if (!w) {
    const r = confirm(inv, bookingId);
    return { changed: r.changed, sold: r.status === 'sold', seats: r.seats };
  }
  const changed = !w.sold;
  w.sold = true;
  delete w.holdExpiresAt;
  for (let i = 0; i < w.passengers.length; i++) confirm(inv, passengerAllocationId(bookingId, i));
  return { changed, sold: true, seats: seatsOf(inv, rs, bookingId), statuses: statusesOf(inv, rs, bookingId) };
}

/**
 * Frees everything a booking holds — confirmed berths, RAC places, waitlist
 * numbers — and promotes others into what it freed, in one step. With
 * `onlyIfHeld`, a sold booking is left alone (a late expiry must not undo a
 * sale). Idempotent.
 */
export function releaseRail(inv: InventoryState, rs: RailState, bookingId: string, onlyIfHeld = false): RailChange {
  const touched: Segment[] = [];
  let changed = false;
  const w = own(rs.waits, bookingId);
  if (w) {
    if (onlyIfHeld && w.sold) return { changed: false, changes: [] };
    for (let i = 0; i < w.passengers.length; i++) {
      if (release(inv, passengerAllocationId(bookingId, i)).changed) touched.push({ fromSeq: w.fromSeq, toSeq: w.toSeq });
    }
    for (const c of cancel(rs.wl, bookingId)) if (c.status.status === 'RAC') touched.push({ fromSeq: c.fromSeq, toSeq: c.toSeq });
    delete rs.waits[bookingId];
    changed = true;
  } else {
    // release() forgets the booking's segment: read it first.
    const record = Object.hasOwn(inv.bookings, bookingId) ? inv.bookings[bookingId] : undefined;
    if (record && release(inv, bookingId, onlyIfHeld ? 'held' : undefined).changed) {
      changed = true;
      touched.push({ fromSeq: record.fromSeq, toSeq: record.toSeq });
    }
  }
  return { changed, changes: promoteInto(inv, rs, touched) };
}

/**
 * Cancels some passengers of a booking (partial cancellation): their berths,
 * RAC places and waitlist numbers are freed and others promoted into them;
 * the other passengers keep theirs. A booking placed the ordinary way is first
 * split into one allocation record per passenger (its berths unchanged).
 * `passengers` are the booking's passengers (the inventory does not keep them
 * for ordinary bookings). Cancelling every passenger left is `releaseRail`.
 * Idempotent: passengers already cancelled are ignored.
 */
export function releasePassengers(
  inv: InventoryState,
  rs: RailState,
  bookingId: string,
  passengerIndexes: readonly number[],
  passengers: readonly PassengerInput[],
): RailChange {
  if (!own(rs.waits, bookingId) && !splitBooking(inv, rs, bookingId, passengers)) return { changed: false, changes: [] };
  const w = own(rs.waits, bookingId) as WaitBooking;
  const gone = new Set(w.cancelled ?? []);
  const wanted = [...new Set(passengerIndexes)].filter((i) => Number.isInteger(i) && i >= 0 && i < w.passengers.length && !gone.has(i));
  if (wanted.length === 0) return { changed: false, changes: [] };
  if (gone.size + wanted.length >= w.passengers.length) return releaseRail(inv, rs, bookingId);
  const touched: Segment[] = [];
  for (const i of wanted) {
    if (release(inv, passengerAllocationId(bookingId, i)).changed) touched.push({ fromSeq: w.fromSeq, toSeq: w.toSeq });
  }
  for (const c of cancel(rs.wl, bookingId, wanted)) if (c.status.status === 'RAC') touched.push({ fromSeq: c.fromSeq, toSeq: c.toSeq });
  w.cancelled = [...gone, ...wanted].sort((a, b) => a - b);
  return { changed: true, changes: promoteInto(inv, rs, touched) };
}

/** Turns an ordinary booking (one record for the group) into a waiting booking with a record per passenger. */
function splitBooking(inv: InventoryState, rs: RailState, bookingId: string, passengers: readonly PassengerInput[]): boolean {
  const record = Object.hasOwn(inv.bookings, bookingId) ? inv.bookings[bookingId] : undefined;
  if (!record || bookingId.includes('#') || passengers.length !== record.berths.length) return false;
  record.berths.forEach((berth, i) => {
    const id = passengerAllocationId(bookingId, i);
    for (const o of inv.occupancy[berth]!) if (o[2] === bookingId) o[2] = id;
    inv.bookings[id] = { status: record.status, fromSeq: record.fromSeq, toSeq: record.toSeq, quota: record.quota, berths: [berth] };
  });
  delete inv.bookings[bookingId];
  const quota: RailQuota = isRailQuota(record.quota) ? record.quota : 'GN';
  const w: WaitBooking = { sold: record.status === 'sold', fromSeq: record.fromSeq, toSeq: record.toSeq, quota, passengers: [...passengers] };
  if (record.holdExpiresAt !== undefined) w.holdExpiresAt = record.holdExpiresAt;
  rs.waits[bookingId] = w;
  return true;
}

/** Releases every held waiting booking whose deadline is at or before `now`; returns their ids and the promotions made. */
export function expireWaiting(inv: InventoryState, rs: RailState, now: number): { expired: string[]; changes: BookingStatusChange[] } {
  const expired = Object.entries(rs.waits)
    .filter(([, w]) => !w.sold && w.holdExpiresAt !== undefined && w.holdExpiresAt <= now)
    .map(([id]) => id);
  const changes: BookingStatusChange[] = [];
  for (const id of expired) changes.push(...releaseRail(inv, rs, id, true).changes);
  return { expired, changes: mergeChanges(changes).filter((c) => Object.hasOwn(rs.waits, c.bookingId)) };
}

/** The earliest deadline of a held waiting booking (Infinity when none). */
export function nextWaitingExpiry(rs: RailState): number {
  let next = Number.POSITIVE_INFINITY;
  for (const w of Object.values(rs.waits)) if (!w.sold && w.holdExpiresAt !== undefined && w.holdExpiresAt < next) next = w.holdExpiresAt;
  return next;
}

/** Moves a held waiting booking's deadline; false when it is not a held waiting booking. */
export function extendWaiting(rs: RailState, bookingId: string, holdExpiresAt: number): boolean {
  const w = own(rs.waits, bookingId);
  if (!w || w.sold) return false;
  w.holdExpiresAt = holdExpiresAt;
  return true;
}

/**
 * The chart: a last promotion pass, then everyone still waitlisted is
 * dropped (their bookings keep their other passengers). Returns the changes
 * for bookings whose passengers moved up and the passengers dropped.
 */
/** A booking with RAC or waitlisted passengers as its records show it (the rebuild of an actor). */
export interface PersistedWaitBooking extends Omit<WaitBooking, 'cancelled'> {
  bookingId: string;
  /** Per passenger, the status last recorded (CNF, RAC n, <kind> n, CAN) and the one given at booking. */
  statuses: string[];
  booked: string[];
}

/**
 * Puts waiting bookings back after the seat state was rebuilt from the records: their confirmed passengers must
 * already hold their per-passenger allocations (passengerAllocationId); the RAC and waitlisted ones rejoin in
 * their recorded order (waitlist.ts restoreWaiting), given in booking order. Then one promotion pass, since berths
 * may have come free while no actor ran. Returns the changes to tell.
 */
export function restoreWaiting(inv: InventoryState, rs: RailState, bookings: readonly PersistedWaitBooking[]): BookingStatusChange[] {
  const passengers: RestoredPassenger[] = [];
  for (const b of bookings) {
    if (b.bookingId.includes('#') || Object.hasOwn(rs.waits, b.bookingId) || b.statuses.length !== b.passengers.length) continue;
    const w: WaitBooking = { sold: b.sold, fromSeq: b.fromSeq, toSeq: b.toSeq, quota: b.quota, passengers: [...b.passengers] };
    if (b.holdExpiresAt !== undefined) w.holdExpiresAt = b.holdExpiresAt;
    const cancelled: number[] = [];
    b.statuses.forEach((label, i) => {
      const status = parseStatusLabel(label);
      if (!status || (status.status === 'CNF' && !Object.hasOwn(inv.bookings, passengerAllocationId(b.bookingId, i)))) {
        cancelled.push(i); // cancelled, dropped, or a berth the records name that could not be placed back
        return;
      }
      if (status.status === 'CNF') return;
      const booked = parseStatusLabel(b.booked[i]);
      passengers.push({
        bookingId: b.bookingId,
        passengerIndex: i,
        fromSeq: b.fromSeq,
        toSeq: b.toSeq,
        quota: b.quota,
        status,
        booked: booked && booked.status !== 'CNF' ? booked : status,
      });
    });
    if (cancelled.length > 0) w.cancelled = cancelled;
    rs.waits[b.bookingId] = w;
  }
  restoreWaitlist(rs.wl, passengers);
  return changesOf(inv, rs, promote(rs.wl, tryConfirm(inv, rs)));
}

export function chartRail(inv: InventoryState, rs: RailState): { changes: BookingStatusChange[]; dropped: Cancelled[] } {
  const { promotions, dropped } = chart(rs.wl, tryConfirm(inv, rs));
  for (const d of dropped) {
    const w = own(rs.waits, d.bookingId);
    if (w) w.cancelled = [...(w.cancelled ?? []), d.passengerIndex];
  }
  return { changes: changesOf(inv, rs, promotions), dropped };
}

// ---------------------------------------------------------------------------
// Queries

/** Per passenger: CNF, RAC n or <kind> n; undefined for a booking on the ordinary path or unknown. */
export function statusesOf(inv: InventoryState, rs: RailState, bookingId: string): RailPassengerStatus[] | undefined {
  const w = own(rs.waits, bookingId);
  if (!w) return undefined;
  const waiting = new Map(waitingOf(rs.wl, bookingId).map((p) => [p.passengerIndex, p.status]));
  return w.passengers.map((_, i): RailPassengerStatus => {
    if (Object.hasOwn(inv.bookings, passengerAllocationId(bookingId, i))) return { status: 'CNF' };
    return waiting.get(i) ?? { status: 'CAN' };
  });
}

/** The booking's confirmed berths, in passenger order (waiting bookings: only the confirmed passengers'). */
export function seatsOf(inv: InventoryState, rs: RailState, bookingId: string): AllocatedSeat[] {
  const w = own(rs.waits, bookingId);
  if (!w) return bookingSeats(inv, bookingId)?.seats ?? [];
  const seats: AllocatedSeat[] = [];
  w.passengers.forEach((_, i) => {
    const seat = bookingSeats(inv, passengerAllocationId(bookingId, i))?.seats[0];
    if (seat) seats.push({ ...seat, passengerIndex: i });
  });
  return seats;
}

/** 'CNF', 'RAC 2', 'GNWL 5', 'CAN'. */
export function railStatusLabel(s: RailPassengerStatus): string {
  return s.status === 'CAN' ? 'CAN' : statusLabel(s);
}

// ---------------------------------------------------------------------------
// Internals

function own<T>(map: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** Offers a waiting passenger a confirmed berth of their booking's pool; held or sold as their booking is. */
function tryConfirm(inv: InventoryState, rs: RailState): (c: Candidate) => boolean {
  return (c) => {
    const w = own(rs.waits, c.bookingId);
    const passenger = w?.passengers[c.passengerIndex];
    if (!w || !passenger) return false;
    const id = passengerAllocationId(c.bookingId, c.passengerIndex);
    const quota: Quota = (QUOTAS as readonly string[]).includes(c.quota) ? (c.quota as Quota) : 'GN';
    const placed = allocate(inv, { bookingId: id, fromSeq: c.fromSeq, toSeq: c.toSeq, passengers: [passenger], quota });
    if (!placed.ok || placed.duplicate) return false;
    if (w.sold) confirm(inv, id);
    return true;
  };
}

function promoteInto(inv: InventoryState, rs: RailState, touched: readonly Segment[]): BookingStatusChange[] {
  if (touched.length === 0) return [];
  return changesOf(inv, rs, promote(rs.wl, tryConfirm(inv, rs), touched));
}

/**
 * One change per booking touched by `promotions`, plus every other waiting
 * booking whose numbers closed up is not reported (numbers are positions, read
 * on demand): only moves to RAC or CNF are news worth an email.
 */
function changesOf(inv: InventoryState, rs: RailState, promotions: readonly Promotion[]): BookingStatusChange[] {
  const ids: string[] = [];
  for (const p of promotions) if (!ids.includes(p.bookingId)) ids.push(p.bookingId);
  return ids.map((bookingId) => ({
    bookingId,
    statuses: statusesOf(inv, rs, bookingId) ?? [],
    seats: seatsOf(inv, rs, bookingId),
    sold: own(rs.waits, bookingId)?.sold ?? false,
  }));
}

function mergeChanges(changes: readonly BookingStatusChange[]): BookingStatusChange[] {
  const last = new Map<string, BookingStatusChange>();
  for (const c of changes) {
    last.delete(c.bookingId);
    last.set(c.bookingId, c);
  }
  return [...last.values()];
}
