// A compact, lossless encoding of an inventory's state for continue-as-new.
//
// WHY. The plain state (berth objects, per-berth occupancy tuples and a
// booking map with the same facts again) of a full, fragmented sleeper run of
// the longest train measured 1.1–1.6 MB as JSON: over the SDK's 512 kB payload
// warning and near the server's 2 MB limit. Here each fact is written once:
// - the layout as one line per coach (berth numbers, type and quota codes);
// - each booking as one short token `id,from,to,berth+berth[,expiry[,quota]]`
//   (numbers in base 36), sold and held bookings in two space-separated strings;
// - occupancy is not carried at all: it is rebuilt from the bookings;
// - a sold booking's old hold deadline is dropped (nothing reads it once sold).
// Figures (bench/inventoryCarry.bench.ts, docs/architecture.md): the same run
// encodes to a fifth of that or less.
//
// Booking ids are written through encodeURIComponent, which escapes the three
// separators (',' '+' ' '), so any id round-trips; PNRs (digits) are unchanged.
// Pure and deterministic: it runs inside the workflow sandbox.
import type { Berth, BookingRecord, InventoryState, Occupancy, WaitlistEntry } from './allocation';
import { BERTH_TYPES, QUOTAS } from './types';

export interface CompactInventory {
  v: 2;
  stopCount: number;
  /**
   * One entry per coach, in berth order: [coach, berth numbers, type codes,
   * quota codes]. Berth numbers are `first` (base 36) when consecutive, else
   * every number joined by '+'. Codes are one digit per berth (index in
   * BERTH_TYPES / QUOTAS); quota codes are '' when every berth is GN.
   */
  coaches: [coach: string, berthNos: string, types: string, quotas: string][];
  /** Sold bookings: `id,from,to,b+b+b[,,quota]`, space-separated. */
  sold: string;
  /** Held bookings: `id,from,to,b+b+b,expiry[,quota]` (expiry '' when none), space-separated. */
  held: string;
  /** Reserved for the waitlist (always empty today), carried as is. */
  waitlist?: WaitlistEntry[];
}

const b36 = (n: number) => n.toString(36);
const int36 = (s: string) => parseInt(s, 36);
/** Expiry times are integers (epoch ms) in practice; anything else is kept exactly, as '_' + decimal. */
const time36 = (n: number) => (Number.isSafeInteger(n) && n >= 0 ? b36(n) : `_${n}`);
const fromTime36 = (s: string) => (s.startsWith('_') ? Number(s.slice(1)) : int36(s));
const GN_INDEX = QUOTAS.indexOf('GN');

// ---------------------------------------------------------------------------
// Seat state

export function encodeInventory(state: InventoryState): CompactInventory {
  const coaches: CompactInventory['coaches'] = [];
  let run: Berth[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const consecutive = run.every((b, i) => b.berthNo === run[0]!.berthNo + i);
    const berthNos = consecutive ? b36(run[0]!.berthNo) : run.map((b) => b36(b.berthNo)).join('+');
    const types = run.map((b) => BERTH_TYPES.indexOf(b.type)).join('');
    const quotas = run.every((b) => b.quota === 'GN') ? '' : run.map((b) => QUOTAS.indexOf(b.quota)).join('');
    coaches.push([run[0]!.coach, berthNos, types, quotas]);
    run = [];
  };
  for (const berth of state.berths) {
    if (run.length > 0 && run[0]!.coach !== berth.coach) flush();
    run.push(berth);
  }
  flush();

  const sold: string[] = [];
  const held: string[] = [];
  for (const [id, b] of Object.entries(state.bookings)) {
    const base = `${encodeURIComponent(id)},${b36(b.fromSeq)},${b36(b.toSeq)},${b.berths.map(b36).join('+')}`;
    const quota = b.quota === 'GN' ? '' : `,${QUOTAS.indexOf(b.quota)}`;
    if (b.status === 'sold') sold.push(quota ? `${base},${quota}` : base);
    else held.push(`${base},${b.holdExpiresAt === undefined ? '' : time36(b.holdExpiresAt)}${quota}`);
  }
  return {
    v: 2,
    stopCount: state.stopCount,
    coaches,
    sold: sold.join(' '),
    held: held.join(' '),
    ...(state.waitlist.length > 0 ? { waitlist: state.waitlist } : {}),
  };
}

export function decodeInventory(c: CompactInventory): InventoryState {
  const berths: Berth[] = [];
  for (const [coach, berthNos, types, quotas] of c.coaches) {
    const numbers = berthNos.includes('+')
      ? berthNos.split('+').map(int36)
      : Array.from({ length: types.length }, (_, i) => int36(berthNos) + i);
    for (let i = 0; i < types.length; i++) {
      berths.push({
        coach,
        berthNo: numbers[i]!,
        type: BERTH_TYPES[Number(types[i])]!,
        quota: quotas === '' ? 'GN' : QUOTAS[Number(quotas[i])]!,
      });
    }
  }
  const occupancy: Occupancy[][] = berths.map(() => []);
  const bookings: Record<string, BookingRecord> = {};
  const place = (token: string, status: 'sold' | 'held') => {
    const [id, from, to, list, expiry, quota] = token.split(',');
    const bookingId = decodeURIComponent(id!);
    const record: BookingRecord = {
      status,
      fromSeq: int36(from!),
      toSeq: int36(to!),
      quota: quota ? QUOTAS[Number(quota)]! : QUOTAS[GN_INDEX]!,
      berths: list!.split('+').map(int36),
    };
    if (expiry) record.holdExpiresAt = fromTime36(expiry);
    bookings[bookingId] = record;
    for (const berth of record.berths) occupancy[berth]!.push([record.fromSeq, record.toSeq, bookingId]);
  };
  if (c.sold) for (const t of c.sold.split(' ')) place(t, 'sold');
  if (c.held) for (const t of c.held.split(' ')) place(t, 'held');
  for (const list of occupancy) list.sort((a, b) => a[0] - b[0]);
  return { v: 1, stopCount: c.stopCount, berths, occupancy, bookings, waitlist: c.waitlist ?? [] };
}

// ---------------------------------------------------------------------------
// Closed booking ids (released ones, remembered to refuse a late duplicate hold)

/** Closing times rounded up to this, so ids close in time share one group. */
const CLOSED_GROUP_MS = 60_000;

/** [closed at (rounded up to the minute, epoch ms), ids joined by spaces][] */
export type CompactClosed = [at: number, ids: string][];

/**
 * Forgets ids closed more than `retentionMs` before `now`, then keeps only the
 * `max` most recently closed. Mutates `closed`; returns how many were dropped.
 */
export function pruneClosed(closed: Record<string, number>, now: number, retentionMs: number, max: number): number {
  return pruneByAge(closed, (at) => at, now - retentionMs, max);
}

export function encodeClosed(closed: Record<string, number>): CompactClosed {
  const groups = new Map<number, string[]>();
  for (const [id, at] of Object.entries(closed)) {
    const key = Math.ceil(at / CLOSED_GROUP_MS) * CLOSED_GROUP_MS;
    let ids = groups.get(key);
    if (!ids) groups.set(key, (ids = []));
    ids.push(encodeURIComponent(id));
  }
  return [...groups].sort((a, b) => a[0] - b[0]).map(([at, ids]) => [at, ids.join(' ')]);
}

export function decodeClosed(c: CompactClosed): Record<string, number> {
  const closed: Record<string, number> = {};
  for (const [at, ids] of c) if (ids) for (const id of ids.split(' ')) closed[decodeURIComponent(id)] = at;
  return closed;
}

// ---------------------------------------------------------------------------
// Size, without encoding

const len36 = (n: number) => (n < 36 ? 1 : n < 1296 ? 2 : n < 46_656 ? 3 : n < 1_679_616 ? 4 : n.toString(36).length);
const idLength = (id: string) => (/^[0-9A-Za-z_.!~*'()-]*$/.test(id) ? id.length : encodeURIComponent(id).length);

/**
 * An upper bound (within a few per cent) of jsonBytes({ compact: encodeInventory(state),
 * closedCompact: encodeClosed(closed), stats, lastBoardingAt }), computed without
 * building the strings: a pure function of the state, cheap enough to ask on
 * every workflow activation while a run decides whether its queue of starts fits.
 */
export function estimateCarryBytes(state: InventoryState, closed: Record<string, number>, stats: unknown): number {
  let n = 200 + JSON.stringify(stats).length + String(state.stopCount).length;
  let coach: string | undefined;
  for (const b of state.berths) {
    // A new coach: its name and the JSON around it; then up to 2 digits (type, quota) and ~3 of berth numbers per berth.
    if (b.coach !== coach) {
      coach = b.coach;
      n += JSON.stringify(b.coach).length + 16;
    }
    n += 2 + (b.quota === 'GN' ? 0 : 1) + (b.berthNo > 1295 ? 4 : 3);
  }
  for (const id in state.bookings) {
    if (!Object.hasOwn(state.bookings, id)) continue;
    const b = state.bookings[id]!;
    n += idLength(id) + len36(b.fromSeq) + len36(b.toSeq) + 4;
    for (const berth of b.berths) n += len36(berth) + 1;
    if (b.status === 'held') n += 1 + (b.holdExpiresAt === undefined ? 0 : time36(b.holdExpiresAt).length);
    if (b.quota !== 'GN') n += 3;
  }
  if (state.waitlist.length > 0) n += JSON.stringify(state.waitlist).length;
  const groups = new Set<number>();
  for (const id in closed) {
    if (!Object.hasOwn(closed, id)) continue;
    n += idLength(id) + 1;
    groups.add(Math.ceil(closed[id]! / CLOSED_GROUP_MS));
  }
  // Each group: [at,"…"] with a 13-digit time.
  return n + groups.size * 20;
}

/** Bytes of a value as the default JSON payload converter writes it. */
export function jsonBytes(value: unknown): number {
  // The workflow sandbox has no Buffer/TextEncoder guarantee; count UTF-8 bytes by hand.
  const s = JSON.stringify(value);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? (i++, 4) : 3;
  }
  return n;
}

/**
 * Forgets holds released before `releasedBefore` (epoch ms), then the oldest
 * beyond `max`: the berths of recently expired holds kept for a late
 * confirmation (workflows/inventory.ts). Returns how many were dropped.
 */
export function pruneExpired(expired: Record<string, { at: number }>, releasedBefore: number, max: number): number {
  return pruneByAge(expired, (e) => e.at, releasedBefore, max);
}

/** Drops the entries from before `olderThan`, then the oldest beyond `max` (ties by id). Mutates `map`. */
function pruneByAge<T>(map: Record<string, T>, timeOf: (v: T) => number, olderThan: number, max: number): number {
  let dropped = 0;
  for (const [id, v] of Object.entries(map)) {
    if (timeOf(v) < olderThan) {
      delete map[id];
      dropped++;
    }
  }
  const ids = Object.keys(map);
  if (ids.length > max) {
    ids.sort((a, b) => timeOf(map[a]!) - timeOf(map[b]!) || (a < b ? -1 : 1));
    for (const id of ids.slice(0, ids.length - max)) delete map[id];
    dropped += ids.length - max;
  }
  return dropped;
}
