// The railway's documented tables, in one place (issue 10). Pure data plus a
// few lookups; the rules that use them live in quotas.ts, tatkal.ts,
// partialCancellation.ts and waitlist.ts, and docs/railway-rules.md prints
// them for travellers (test/unit/railwayRulesDoc.test.ts keeps the two equal).
//
// Amounts are integers in paise (1 INR = 100 paise), times are minutes of
// the day in IST, as elsewhere in domain/. Safe in workflow code: no I/O,
// no clock, no Node modules.
//
// SOURCES. Where a figure is published by Indian Railways it is given as
// published (indianrail.gov.in / Railway Board circulars, as reported):
//   - Tatkal charges (10% of the basic fare for second sitting, 30% for other
//     classes, with a minimum and maximum per class and a minimum distance);
//     no Tatkal in First AC; at most 4 passengers per Tatkal PNR; Tatkal opens
//     one day before the journey (excluding the journey day) at the train's
//     origin, 10:00 IST for AC classes and 11:00 IST for non-AC classes.
//   - RAC side-lower berths per coach (Railway Board, December 2016):
//     SL 7, 3A 4, 2A 3 (each shared by two RAC passengers).
//   - Lower-berth quota for senior citizens, women aged 45+ and pregnant
//     women (Railway Board, December 2018): per coach SL 6 (7 when the train
//     has more than one SL coach), 3A 4, 2A 3 (4); at most 2 passengers on
//     the PNR.
//   - Ladies quota: 6 SL berths per train in mail/express trains, and 6 3A
//     berths in fully air-conditioned trains (applied to every train here).
//   - Waitlist limit (Railway Board, June 2025): 60% of the class's capacity
//     for AC classes, 30% for non-AC classes.
//   - Clerkage on cancelling an RAC or waitlisted ticket: ₹60 per passenger
//     plus GST, up to 30 minutes before departure.
//   - Advance reservation period: 60 days excluding the journey day (from
//     1 November 2024), opening at 08:00 IST.
// Figures the railway sets per train (the Tatkal quota's size) are this
// repository's documented defaults, marked so below.
import { MAX_PASSENGERS_PER_BOOKING } from './allocation';
import { CLASS_CODES, type ClassCode, type Gender } from './types';

// ---------------------------------------------------------------------------
// Quotas

/**
 * Reservation quotas: general, Tatkal, ladies, and the lower-berth quota for
 * senior citizens, women aged 45+ and pregnant women ('SS'). `Quota` in
 * types.ts (the pools allocation.ts knows) does not have 'SS' yet.
 */
export const RAIL_QUOTAS = ['GN', 'TQ', 'LD', 'SS'] as const;
export type RailQuota = (typeof RAIL_QUOTAS)[number];

export const QUOTA_NAMES: Readonly<Record<RailQuota, string>> = {
  GN: 'General',
  TQ: 'Tatkal',
  LD: 'Ladies',
  SS: 'Senior citizen / lower berth',
};

export function isRailQuota(value: unknown): value is RailQuota {
  return typeof value === 'string' && (RAIL_QUOTAS as readonly string[]).includes(value);
}

/** AC classes: Tatkal opens at 10:00 for them, and their charges attract GST. */
export const AC_CLASSES: Readonly<Record<ClassCode, boolean>> = {
  '1A': true,
  '2A': true,
  '3A': true,
  SL: false,
  CC: true,
  EC: true,
  '2S': false,
};

export interface ClassQuotaRule {
  /** Tatkal berths per coach (repository default: the railway sets it per train); 0 = no Tatkal in this class. */
  tatkalPerCoach: number;
  /** Ladies quota berths per train in this class (not per coach). */
  ladiesPerTrain: number;
  /** Lower berths per coach for the SS quota: [train with one coach of this class, train with more]. */
  seniorLowerPerCoach: readonly [oneCoach: number, moreCoaches: number];
  /** Side-lower berths per coach kept for RAC, each shared by two passengers; 0 = no RAC in this class. */
  racSideLowersPerCoach: number;
}

/** Per class: how a coach's berths are split between quotas. GN is every berth left over. */
export const QUOTA_TABLE: Readonly<Record<ClassCode, ClassQuotaRule>> = {
  '1A': { tatkalPerCoach: 0, ladiesPerTrain: 0, seniorLowerPerCoach: [0, 0], racSideLowersPerCoach: 0 },
  '2A': { tatkalPerCoach: 10, ladiesPerTrain: 0, seniorLowerPerCoach: [3, 4], racSideLowersPerCoach: 3 },
  '3A': { tatkalPerCoach: 14, ladiesPerTrain: 6, seniorLowerPerCoach: [4, 4], racSideLowersPerCoach: 4 },
  SL: { tatkalPerCoach: 16, ladiesPerTrain: 6, seniorLowerPerCoach: [6, 7], racSideLowersPerCoach: 7 },
  CC: { tatkalPerCoach: 16, ladiesPerTrain: 0, seniorLowerPerCoach: [0, 0], racSideLowersPerCoach: 0 },
  EC: { tatkalPerCoach: 12, ladiesPerTrain: 0, seniorLowerPerCoach: [0, 0], racSideLowersPerCoach: 0 },
  '2S': { tatkalPerCoach: 22, ladiesPerTrain: 0, seniorLowerPerCoach: [0, 0], racSideLowersPerCoach: 0 },
};

/** Passengers who share one RAC side-lower berth. */
export const RAC_PASSENGERS_PER_BERTH = 2;

/** Berths of each pool for a class with `coaches` coaches of `berthsPerCoach` berths. */
export interface QuotaSplit {
  GN: number;
  TQ: number;
  LD: number;
  SS: number;
  /** Side-lower berths for RAC (2 passengers each); not part of any quota pool. */
  RAC: number;
}

/** The default split of a class's berths. Throws RailRuleError when the quotas do not fit the coaches. */
export function quotaSplit(classCode: ClassCode, coaches: number, berthsPerCoach: number): QuotaSplit {
  requireClass(classCode);
  if (!Number.isInteger(coaches) || coaches < 1) throw new RailRuleError('INVALID_INPUT', `coaches must be a positive integer, got ${coaches}`);
  if (!Number.isInteger(berthsPerCoach) || berthsPerCoach < 1) {
    throw new RailRuleError('INVALID_INPUT', `berthsPerCoach must be a positive integer, got ${berthsPerCoach}`);
  }
  const rule = QUOTA_TABLE[classCode];
  const TQ = rule.tatkalPerCoach * coaches;
  const SS = rule.seniorLowerPerCoach[coaches === 1 ? 0 : 1] * coaches;
  const RAC = rule.racSideLowersPerCoach * coaches;
  const LD = rule.ladiesPerTrain;
  const GN = coaches * berthsPerCoach - TQ - SS - RAC - LD;
  if (GN < 0) throw new RailRuleError('INVALID_INPUT', `the ${classCode} quotas need more than ${coaches} × ${berthsPerCoach} berths`);
  return { GN, TQ, LD, SS, RAC };
}

/** Most passengers on one PNR, per quota. */
export const MAX_PASSENGERS_PER_PNR: Readonly<Record<RailQuota, number>> = {
  GN: MAX_PASSENGERS_PER_BOOKING,
  TQ: 4,
  LD: MAX_PASSENGERS_PER_BOOKING,
  SS: 2,
};

/** SS quota: a passenger of this gender qualifies from this age (women from 45; men 60; transgender 58, the railway's senior age). */
export const SS_MIN_AGE: Readonly<Record<Gender, number>> = { M: 60, F: 45, T: 58 };

/** Quotas whose unsold berths join the general pool when the chart is prepared. */
export const RELEASED_AT_CHART: readonly RailQuota[] = ['TQ', 'LD', 'SS'];

// ---------------------------------------------------------------------------
// Waitlist

/** Most passengers waitlisted in a class, as a percentage of its berths. */
export const WAITLIST_CAP_PERCENT = { ac: 60, nonAc: 30 } as const;

/**
 * Waitlist kinds (see waitlist.ts): a journey from the origin, or covering at
 * least this share of the route's hops, waits on GNWL; a shorter one to the
 * last stop on RLWL; a shorter one between two intermediate stops on PQWL;
 * Tatkal requests on TQWL.
 */
export const GNWL_MIN_ROUTE_SHARE = 0.5;

/** Most passengers that may wait in a class with `capacityBerths` berths (rounded down). */
export function waitlistCap(classCode: ClassCode, capacityBerths: number): number {
  requireClass(classCode);
  if (!Number.isInteger(capacityBerths) || capacityBerths < 0) {
    throw new RailRuleError('INVALID_INPUT', `capacityBerths must be a non-negative integer, got ${capacityBerths}`);
  }
  const percent = AC_CLASSES[classCode] ? WAITLIST_CAP_PERCENT.ac : WAITLIST_CAP_PERCENT.nonAc;
  return Math.floor((capacityBerths * percent) / 100);
}

// ---------------------------------------------------------------------------
// Tatkal charge

export interface TatkalChargeRule {
  /** Percentage of the adult basic fare. */
  percent: number;
  minPaise: number;
  maxPaise: number;
  /** The percentage is of the basic fare for at least this distance. */
  minKm: number;
}

/** Tatkal charge per passenger by class, as published; null: no Tatkal in this class. */
export const TATKAL_CHARGES: Readonly<Record<ClassCode, TatkalChargeRule | null>> = {
  '1A': null,
  '2A': { percent: 30, minPaise: 40_000, maxPaise: 50_000, minKm: 500 },
  '3A': { percent: 30, minPaise: 30_000, maxPaise: 40_000, minKm: 500 },
  SL: { percent: 30, minPaise: 10_000, maxPaise: 20_000, minKm: 500 },
  CC: { percent: 30, minPaise: 12_500, maxPaise: 22_500, minKm: 250 },
  EC: { percent: 30, minPaise: 40_000, maxPaise: 50_000, minKm: 250 },
  '2S': { percent: 10, minPaise: 1_000, maxPaise: 1_500, minKm: 100 },
};

// ---------------------------------------------------------------------------
// Cancellation of RAC and waitlisted passengers

/** Clerkage per RAC or waitlisted passenger cancelled, before GST (GST as on cancellation charges, refunds.ts). */
export const CLERKAGE_PAISE: Readonly<Record<ClassCode, number>> = {
  '1A': 6_000,
  '2A': 6_000,
  '3A': 6_000,
  SL: 6_000,
  CC: 6_000,
  EC: 6_000,
  '2S': 6_000,
};

/** RAC and waitlisted passengers get their refund (less clerkage) only up to this long before departure. */
export const RAC_WL_CANCEL_CUTOFF_MINUTES = 30;

// ---------------------------------------------------------------------------
// Booking windows and the chart

/** India Standard Time is UTC+05:30 all year (no daylight saving). */
export const IST_OFFSET_MINUTES = 330;

/** General (and ladies, senior) booking opens this many days before the journey day, not counting it. */
export const ADVANCE_RESERVATION_DAYS = 60;
/** ...at this time of day, IST. */
export const ADVANCE_RESERVATION_OPENS_MINUTE = 8 * 60;

/** Tatkal opens this many days before the journey day at the train's origin. */
export const TATKAL_DAYS_BEFORE = 1;
/** ...at this time of day, IST: AC classes first. */
export const TATKAL_OPENS_MINUTE = { ac: 10 * 60, nonAc: 11 * 60 } as const;

/** The first reservation chart is prepared this long before departure from the origin (configurable per call). */
export const CHART_HOURS_BEFORE_DEPARTURE = 4;

// ---------------------------------------------------------------------------
// Refusals

/** A traveller-facing refusal: a stable code for the API and a message for people. */
export interface RuleRefusal<Code extends string = string> {
  code: Code;
  message: string;
}

/** Malformed input to a rule (a caller's bug, not a traveller's choice). */
export class RailRuleError extends Error {
  constructor(
    readonly code: 'INVALID_INPUT' | 'UNKNOWN_CLASS' | 'UNKNOWN_QUOTA',
    message: string,
  ) {
    super(message);
    this.name = 'RailRuleError';
  }
}

export function requireClass(classCode: ClassCode): void {
  if (!CLASS_CODES.includes(classCode)) throw new RailRuleError('UNKNOWN_CLASS', `unknown class ${String(classCode)}`);
}

export function requireQuota(quota: RailQuota): void {
  if (!isRailQuota(quota)) throw new RailRuleError('UNKNOWN_QUOTA', `unknown quota ${String(quota)}`);
}

/** ₹ text of an amount in paise: ₹60, ₹12.50. */
export function rupees(paise: number): string {
  const whole = Math.floor(paise / 100);
  const rest = paise % 100;
  return rest === 0 ? `₹${whole}` : `₹${whole}.${String(rest).padStart(2, '0')}`;
}
