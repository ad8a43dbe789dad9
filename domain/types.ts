// Shared domain vocabulary. Values are plain string unions so they are
// JSON-native and safe to use inside Temporal workflow code.

/**
 * Sleeper-style berths: LB/MB/UB lower/middle/upper, SL/SU side-lower/side-upper.
 * Seats (chair cars, buses, shows): WS window, MS middle, AS aisle.
 */
export const BERTH_TYPES = ['LB', 'MB', 'UB', 'SL', 'SU', 'WS', 'MS', 'AS'] as const;
export type BerthType = (typeof BERTH_TYPES)[number];

/** Travel classes: AC first/2-tier/3-tier, sleeper, AC chair car, executive chair car, second sitting. */
export const CLASS_CODES = ['1A', '2A', '3A', 'SL', 'CC', 'EC', '2S'] as const;
export type ClassCode = (typeof CLASS_CODES)[number];

export function isClassCode(value: string): value is ClassCode {
  return (CLASS_CODES as readonly string[]).includes(value);
}

/**
 * Berth pools: general, Tatkal, ladies, senior citizen / lower berth, and
 * 'RAC', the side-lowers kept for RAC passengers (domain/railInventory.ts),
 * which no request may draw from. Each berth belongs to one pool. Appended
 * only: the compact carry of an inventory stores a pool as its index here.
 */
export const QUOTAS = ['GN', 'TQ', 'LD', 'SS', 'RAC'] as const;
export type Quota = (typeof QUOTAS)[number];

export type Gender = 'M' | 'F' | 'T';

export interface PassengerInput {
  name: string;
  age: number;
  gender: Gender;
  /** Requested berth type; honoured when one is free, otherwise any berth is given. */
  preference?: BerthType;
}
