// What an e-ticket shows (pure): each passenger's status, the fare lines and the
// quota, from a booking view. tickets/pdf.ts lays it out; domain/ticketQr.ts
// puts the same statuses in the signed QR code.
//
// Statuses: today every ticketed passenger is confirmed (CNF with a coach and
// berth). RAC and waitlist (WL) positions are formatted already, so that a
// booking view that carries an explicit `status` shows them unchanged.
import type { PassengerFare } from './fares';
import { QUOTAS, type Quota } from './types';

export type SeatStatus =
  | { kind: 'CNF'; coach: string; berthNo: number; berthType: string | null }
  | { kind: 'RAC'; position: number }
  /** `list`: the waitlist's kind (GNWL, RLWL, PQWL, TQWL); 'WL' when not known. */
  | { kind: 'WL'; position: number; list?: string };

export interface TicketPassengerInput {
  name: string;
  age: number;
  gender: string;
  coach: string | null;
  berthNo: number | null;
  berthType: string | null;
  /** An explicit status (RAC n, WL n) wins over the berth fields. */
  status?: SeatStatus;
  /** The booking view's label (CNF, RAC 3, GNWL 12): RAC and waitlist labels win over the berth fields. */
  currentStatus?: string;
}

/** 'RAC 3' → RAC 3; 'GNWL 12' → WL 12 of GNWL; anything else (CNF) → null. */
function waitingStatus(label: string | undefined): SeatStatus | null {
  const m = label === undefined ? null : /^(RAC|[A-Z]{2}WL) (\d+)$/.exec(label);
  if (!m) return null;
  return m[1] === 'RAC' ? { kind: 'RAC', position: Number(m[2]) } : { kind: 'WL', position: Number(m[2]), list: m[1]! };
}

/** The passenger's status; null when nothing is allotted (not a ticket yet). */
export function seatStatusOf(p: TicketPassengerInput): SeatStatus | null {
  if (p.status) return p.status;
  const waiting = waitingStatus(p.currentStatus);
  if (waiting) return waiting;
  if (p.coach !== null && p.berthNo !== null) return { kind: 'CNF', coach: p.coach, berthNo: p.berthNo, berthType: p.berthType };
  return null;
}

/** "CNF B1/23 LB", "RAC 4", "WL 12"; "NOT ALLOTTED" when there is no status. */
export function formatSeatStatus(s: SeatStatus | null): string {
  if (!s) return 'NOT ALLOTTED';
  switch (s.kind) {
    case 'CNF':
      return `CNF ${s.coach}/${s.berthNo}${s.berthType ? ` ${s.berthType}` : ''}`;
    case 'RAC':
      return `RAC ${s.position}`;
    case 'WL':
      return `${s.list ?? 'WL'} ${s.position}`;
  }
}

export const QUOTA_NAMES: Readonly<Record<Quota, string>> = { GN: 'General', TQ: 'Tatkal', LD: 'Ladies', SS: 'Senior citizen / lower berth', RAC: 'RAC' };

/** A booking's quota as the ticket shows it: what the booking names, general (GN) when it names none. */
export function ticketQuota(quota: string | undefined | null): Quota {
  return quota && quota !== 'RAC' && (QUOTAS as readonly string[]).includes(quota) ? (quota as Quota) : 'GN';
}

/** The fare of the whole booking by component, in paise. `tatkal` is the Tatkal surcharge, when charged. */
export interface FareBreakdown {
  base: number;
  reservation: number;
  superfast: number;
  tatkal?: number;
  gst: number;
  rounding: number;
  total: number;
}

/** Sums the per-passenger fares of a quote. */
export function fareBreakdown(perPassenger: readonly (PassengerFare & { tatkal?: number })[]): FareBreakdown {
  const sum = (pick: (p: PassengerFare & { tatkal?: number }) => number) => perPassenger.reduce((n, p) => n + pick(p), 0);
  const tatkal = sum((p) => p.tatkal ?? 0);
  return {
    base: sum((p) => p.base),
    reservation: sum((p) => p.reservation),
    superfast: sum((p) => p.superfast),
    ...(tatkal > 0 ? { tatkal } : {}),
    gst: sum((p) => p.gst),
    rounding: sum((p) => p.rounding),
    total: sum((p) => p.total),
  };
}

export interface FareLine {
  label: string;
  paise: number;
}

/** The lines of the fare table, total last; charges that are zero are left out (base fare and GST always shown). */
export function fareLines(b: FareBreakdown): FareLine[] {
  const lines: FareLine[] = [{ label: 'Base fare', paise: b.base }];
  if (b.reservation > 0) lines.push({ label: 'Reservation charge', paise: b.reservation });
  if (b.superfast > 0) lines.push({ label: 'Superfast charge', paise: b.superfast });
  if ((b.tatkal ?? 0) > 0) lines.push({ label: 'Tatkal surcharge', paise: b.tatkal ?? 0 });
  lines.push({ label: 'GST', paise: b.gst });
  if (b.rounding > 0) lines.push({ label: 'Rounding', paise: b.rounding });
  lines.push({ label: 'Total fare', paise: b.total });
  return lines;
}

/** Paise as the PDF prints them (its standard fonts have no rupee sign): "Rs 1,234.50". */
export function formatRupees(paise: number): string {
  const sign = paise < 0 ? '-' : '';
  const abs = Math.abs(paise);
  return `${sign}Rs ${groupIndian(Math.floor(abs / 100))}.${String(abs % 100).padStart(2, '0')}`;
}

/** Indian digit grouping: 12,34,567. */
function groupIndian(n: number): string {
  const s = String(n);
  if (s.length <= 3) return s;
  return `${s.slice(0, -3).replace(/\B(?=(\d{2})+$)/g, ',')},${s.slice(-3)}`;
}
