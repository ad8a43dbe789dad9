// Booking windows, the chart time and the Tatkal fare (pure; times are epoch
// milliseconds passed in by the caller, so this is safe in workflow code).
//
// WINDOWS, counted from the journey date at the train's ORIGIN (the date the
// train leaves its first station, whichever station the traveller boards at),
// in IST (UTC+05:30, no daylight saving):
//   GN, LD, SS  open 60 days before that date (the journey day not counted)
//               at 08:00 IST: for a journey on 2026-03-02, on 2026-01-01.
//   TQ          opens 1 day before that date, at 10:00 IST for AC classes
//               (1A, 2A, 3A, CC, EC) and 11:00 IST for SL and 2S; no Tatkal in 1A.
// Every quota closes when the chart is prepared (`chartAt`, by default 4 h
// before departure from the origin); after that only the current counter sells,
// which is not modelled here. Without `chartAt` a window never closes.
//
// TATKAL FARE, per passenger: the ordinary fare (fares.ts) with no child
// concession (a child of 5–11 pays as an adult) plus the Tatkal charge: 10% of
// the adult basic fare for 2S, 30% for other classes, the basic fare taken for
// at least the class's minimum Tatkal distance, rounded up to the paisa and
// kept within the class's minimum and maximum. On AC classes GST (5%) is due
// on the Tatkal charge too; the total is rounded up to ₹5 as every fare is.
import { addDays, isIsoDate } from './calendar';
import { ADULT_MIN_AGE, baseFare, CHILD_MIN_AGE, FARE_TABLE, fareQuote, GST_PERCENT, ROUND_TO_PAISE, type FareQuoteInput, type PassengerFare } from './fares';
import {
  AC_CLASSES,
  ADVANCE_RESERVATION_DAYS,
  ADVANCE_RESERVATION_OPENS_MINUTE,
  CHART_HOURS_BEFORE_DEPARTURE,
  IST_OFFSET_MINUTES,
  MAX_PASSENGERS_PER_PNR,
  RailRuleError,
  requireClass,
  requireQuota,
  rupees,
  TATKAL_CHARGES,
  TATKAL_DAYS_BEFORE,
  TATKAL_OPENS_MINUTE,
  type RailQuota,
  type RuleRefusal,
} from './railwayRules';
import { isClassCode, type ClassCode } from './types';

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;

/** Epoch ms of a wall-clock time in IST on an ISO date. Throws RailRuleError on a malformed date or minute. */
export function istInstant(isoDate: string, minuteOfDay: number): number {
  if (typeof isoDate !== 'string' || !isIsoDate(isoDate)) throw new RailRuleError('INVALID_INPUT', `not a date (YYYY-MM-DD): ${String(isoDate)}`);
  if (!Number.isInteger(minuteOfDay) || minuteOfDay < 0 || minuteOfDay >= 24 * 60) {
    throw new RailRuleError('INVALID_INPUT', `minuteOfDay must be an integer in 0..1439, got ${minuteOfDay}`);
  }
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) + (minuteOfDay - IST_OFFSET_MINUTES) * MINUTE_MS;
}

/** When the first chart is prepared: `hoursBefore` (default 4) before departure from the origin. */
export function chartTime(originDepartureAt: number, hoursBefore: number = CHART_HOURS_BEFORE_DEPARTURE): number {
  if (!Number.isFinite(originDepartureAt)) throw new RailRuleError('INVALID_INPUT', 'originDepartureAt must be epoch milliseconds');
  if (!Number.isFinite(hoursBefore) || hoursBefore < 0) throw new RailRuleError('INVALID_INPUT', `hoursBefore must be ≥ 0, got ${hoursBefore}`);
  return originDepartureAt - Math.round(hoursBefore * HOUR_MS);
}

/** Does this class sell Tatkal at all? */
export function tatkalOffered(classCode: ClassCode): boolean {
  requireClass(classCode);
  return TATKAL_CHARGES[classCode] !== null;
}

/** Epoch ms when booking in `quota` opens for a train leaving its origin on `journeyDate`. Throws RailRuleError for TQ in a class without Tatkal. */
export function bookingOpensAt(quota: RailQuota, classCode: ClassCode, journeyDate: string, advanceDays: number = ADVANCE_RESERVATION_DAYS): number {
  requireQuota(quota);
  requireClass(classCode);
  if (!Number.isInteger(advanceDays) || advanceDays < 1) throw new RailRuleError('INVALID_INPUT', `advanceDays must be a positive integer, got ${advanceDays}`);
  if (quota !== 'TQ') return istInstant(addDaysChecked(journeyDate, -advanceDays), ADVANCE_RESERVATION_OPENS_MINUTE);
  if (!tatkalOffered(classCode)) throw new RailRuleError('INVALID_INPUT', `${classCode} has no Tatkal`);
  const minute = AC_CLASSES[classCode] ? TATKAL_OPENS_MINUTE.ac : TATKAL_OPENS_MINUTE.nonAc;
  return istInstant(addDaysChecked(journeyDate, -TATKAL_DAYS_BEFORE), minute);
}

function addDaysChecked(isoDate: string, days: number): string {
  if (typeof isoDate !== 'string' || !isIsoDate(isoDate)) throw new RailRuleError('INVALID_INPUT', `not a date (YYYY-MM-DD): ${String(isoDate)}`);
  return addDays(isoDate, days);
}

export interface BookingWindowInput {
  quota: RailQuota;
  classCode: ClassCode;
  /** Date the train leaves its origin (YYYY-MM-DD, IST). */
  journeyDate: string;
  /** Epoch ms. */
  now: number;
  /** Epoch ms of the chart (`chartTime`); the window closes then. */
  chartAt?: number;
}

export type WindowState = 'not_open' | 'open' | 'closed';

export interface BookingWindow {
  state: WindowState;
  opensAt: number;
  closesAt: number | null;
}

/** Where `now` falls in the quota's booking window. Throws RailRuleError on malformed input or TQ in a class without Tatkal. */
export function bookingWindow(input: BookingWindowInput): BookingWindow {
  const { quota, classCode, journeyDate, now, chartAt } = input;
  if (!Number.isFinite(now)) throw new RailRuleError('INVALID_INPUT', 'now must be epoch milliseconds');
  if (chartAt !== undefined && !Number.isFinite(chartAt)) throw new RailRuleError('INVALID_INPUT', 'chartAt must be epoch milliseconds');
  const opensAt = bookingOpensAt(quota, classCode, journeyDate);
  const closesAt = chartAt ?? null;
  const state: WindowState = now < opensAt ? 'not_open' : closesAt !== null && now >= closesAt ? 'closed' : 'open';
  return { state, opensAt, closesAt };
}

export type WindowRefusalCode = 'BOOKING_NOT_OPEN' | 'BOOKING_CLOSED' | 'TATKAL_NOT_OFFERED';

/** Why a booking in this quota cannot be made now, or null. */
export function bookingWindowRefusal(input: BookingWindowInput): RuleRefusal<WindowRefusalCode> | null {
  if (input.quota === 'TQ' && !tatkalOffered(input.classCode)) {
    return { code: 'TATKAL_NOT_OFFERED', message: `${input.classCode} has no Tatkal quota` };
  }
  const w = bookingWindow(input);
  if (w.state === 'not_open') {
    return { code: 'BOOKING_NOT_OPEN', message: `booking in this quota opens at ${istText(w.opensAt)}` };
  }
  if (w.state === 'closed') return { code: 'BOOKING_CLOSED', message: 'the chart has been prepared; this quota is closed' };
  return null;
}

/**
 * The inventory's check of a Tatkal hold (its clock is the workflow's): refused as QUOTA_NOT_OFFERED in a class
 * without Tatkal (or one unknown to the tables), as TATKAL_NOT_OPEN with the opening time before the window.
 * The window's end is the chart, which the inventory enforces for every quota.
 */
export function tatkalRefusal(classCode: string, runDate: string, now: number): { reason: 'QUOTA_NOT_OFFERED' } | { reason: 'TATKAL_NOT_OPEN'; opensAt: number } | null {
  if (!isClassCode(classCode) || !tatkalOffered(classCode)) return { reason: 'QUOTA_NOT_OFFERED' };
  const w = bookingWindow({ quota: 'TQ', classCode, journeyDate: runDate, now });
  return w.state === 'not_open' ? { reason: 'TATKAL_NOT_OPEN', opensAt: w.opensAt } : null;
}

/** An instant as IST wall-clock text: 2026-01-01 08:00 IST. */
export function istText(epochMs: number): string {
  return `${new Date(epochMs + IST_OFFSET_MINUTES * MINUTE_MS).toISOString().slice(0, 16).replace('T', ' ')} IST`;
}

/** At most 4 passengers per Tatkal PNR. */
export function tatkalPassengerRefusal(passengers: number): RuleRefusal<'TOO_MANY_PASSENGERS'> | null {
  const limit = MAX_PASSENGERS_PER_PNR.TQ;
  return passengers > limit ? { code: 'TOO_MANY_PASSENGERS', message: `at most ${limit} passengers per Tatkal PNR` } : null;
}

// ---------------------------------------------------------------------------
// Fare

/** The Tatkal charge for one passenger (paise) over `chargeableKm`. Throws RailRuleError for a class without Tatkal. */
export function tatkalCharge(classCode: ClassCode, chargeableKm: number): number {
  requireClass(classCode);
  const rule = TATKAL_CHARGES[classCode];
  if (!rule) throw new RailRuleError('INVALID_INPUT', `${classCode} has no Tatkal`);
  if (!Number.isInteger(chargeableKm) || chargeableKm < 1) {
    throw new RailRuleError('INVALID_INPUT', `chargeableKm must be a positive integer, got ${chargeableKm}`);
  }
  const base = baseFare(FARE_TABLE[classCode], Math.max(chargeableKm, rule.minKm));
  return Math.min(rule.maxPaise, Math.max(rule.minPaise, Math.ceil((base * rule.percent) / 100)));
}

export interface TatkalPassengerFare extends PassengerFare {
  /** Tatkal charge (GST on it is in `gst`). */
  tatkal: number;
}

export interface TatkalFareQuote {
  classCode: ClassCode;
  chargeableKm: number;
  perPassenger: TatkalPassengerFare[];
  total: number;
  /** Human-readable rule applied. */
  rule: string;
}

/**
 * Quotes a Tatkal booking. Throws FareError as fareQuote does (e.g. a child
 * under 5), RailRuleError for a class without Tatkal; the 4-passenger limit is
 * a refusal (`tatkalPassengerRefusal`), not checked here.
 */
export function tatkalFareQuote(input: FareQuoteInput): TatkalFareQuote {
  if (!tatkalOffered(input.classCode)) throw new RailRuleError('INVALID_INPUT', `${input.classCode} has no Tatkal`);
  // No child concession: children of 5–11 are quoted as adults; other ages go through unchanged, so fareQuote still refuses them.
  const asAdults = input.passengers.map(({ age }) => ({ age: age >= CHILD_MIN_AGE && age < ADULT_MIN_AGE ? ADULT_MIN_AGE : age }));
  const ordinary = fareQuote({ ...input, passengers: asAdults });
  const tatkal = tatkalCharge(input.classCode, ordinary.chargeableKm);
  const gstDue = FARE_TABLE[input.classCode].gst;
  const perPassenger = ordinary.perPassenger.map((p): TatkalPassengerFare => {
    const gst = gstDue ? Math.round(((p.base + p.reservation + p.superfast + tatkal) * GST_PERCENT) / 100) : 0;
    const subtotal = p.base + p.reservation + p.superfast + tatkal + gst;
    const total = Math.ceil(subtotal / ROUND_TO_PAISE) * ROUND_TO_PAISE;
    return { ...p, tatkal, gst, rounding: total - subtotal, total };
  });
  const rule = TATKAL_CHARGES[input.classCode]!;
  return {
    classCode: input.classCode,
    chargeableKm: ordinary.chargeableKm,
    perPassenger,
    total: perPassenger.reduce((sum, p) => sum + p.total, 0),
    rule: `Tatkal charge ${rupees(tatkal)} per passenger: ${rule.percent}% of the basic fare, between ${rupees(rule.minPaise)} and ${rupees(rule.maxPaise)}`,
  };
}
