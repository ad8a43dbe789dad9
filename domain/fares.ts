// Fare rules (pure; amounts are integers in paise, 1 INR = 100 paise).
//
// For each passenger, in a given class over a journey of `distanceKm`:
//   chargeable km = max(distance rounded up to a whole km, the class minimum)
//   base          = telescopic distance fare: the class rate per km for the
//                   first 500 km, a lower rate for km 501–1000 and a lower
//                   one again beyond 1000 km (long journeys cost less per km)
//   child (5–11)  = half the adult base fare (rounded up to the paisa);
//                   reservation and superfast charges are paid in full
//   reservation   = flat charge per class
//   superfast     = flat charge per class when the train is superfast
//   gst           = 5% of base + reservation + superfast on AC classes
//                   (1A, 2A, 3A, CC, EC), rounded to the nearest paisa; none
//                   on SL and 2S
//   total         = the above rounded UP to the next ₹5, as Indian Railways
//                   does; `rounding` is the amount added, so the parts always
//                   add up to the total
// Seniors pay the adult fare (no concession).
//
// Children under 5 travel free without a berth, so they are not passengers
// for fare or seat purposes at all: `fareQuote` rejects them with
// FareError('INFANT_NO_FARE') rather than quoting ₹0, because a zero-fare
// passenger slipping through would also be given a berth. Callers list
// infants on the ticket separately and leave them out of both fares and
// seat allocation.
import { CLASS_CODES, type ClassCode } from './types';

/** Telescopic slab limits in km: rate[0] up to 500 km, rate[1] up to 1000 km, rate[2] beyond. */
export const TELESCOPIC_SLABS_KM = [500, 1000] as const;

export interface ClassFareRule {
  /** Paise per km in each telescopic slab. */
  paisePerKm: readonly [number, number, number];
  /** Shorter journeys are charged as this distance. */
  minChargeableKm: number;
  reservationPaise: number;
  superfastPaise: number;
  /** AC classes attract GST. */
  gst: boolean;
}

/** Rates plausible for Indian Railways in 2025 (slabs ≈ 100%, 85%, 70% of the first-slab rate). */
export const FARE_TABLE: Readonly<Record<ClassCode, ClassFareRule>> = {
  '1A': { paisePerKm: [300, 255, 210], minChargeableKm: 300, reservationPaise: 6000, superfastPaise: 7500, gst: true },
  '2A': { paisePerKm: [175, 149, 123], minChargeableKm: 300, reservationPaise: 5000, superfastPaise: 4500, gst: true },
  '3A': { paisePerKm: [120, 102, 84], minChargeableKm: 300, reservationPaise: 4000, superfastPaise: 4500, gst: true },
  SL: { paisePerKm: [45, 38, 32], minChargeableKm: 200, reservationPaise: 2000, superfastPaise: 3000, gst: false },
  CC: { paisePerKm: [100, 85, 70], minChargeableKm: 150, reservationPaise: 4000, superfastPaise: 4500, gst: true },
  EC: { paisePerKm: [210, 179, 147], minChargeableKm: 150, reservationPaise: 6000, superfastPaise: 7500, gst: true },
  '2S': { paisePerKm: [25, 21, 18], minChargeableKm: 50, reservationPaise: 1500, superfastPaise: 1500, gst: false },
};

export const GST_PERCENT = 5;
export const CHILD_MIN_AGE = 5;
export const ADULT_MIN_AGE = 12;
/** Totals are rounded up to a multiple of ₹5. */
export const ROUND_TO_PAISE = 500;

export type FareErrorCode = 'UNKNOWN_CLASS' | 'INVALID_DISTANCE' | 'NO_PASSENGERS' | 'INVALID_AGE' | 'INFANT_NO_FARE';

export class FareError extends Error {
  constructor(
    readonly code: FareErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'FareError';
  }
}

export interface FareQuoteInput {
  classCode: ClassCode;
  distanceKm: number;
  superfast: boolean;
  passengers: readonly { age: number }[];
}

export interface PassengerFare {
  base: number;
  reservation: number;
  superfast: number;
  gst: number;
  /** Added to reach the next ₹5. */
  rounding: number;
  total: number;
}

export interface FareQuote {
  classCode: ClassCode;
  chargeableKm: number;
  perPassenger: PassengerFare[];
  total: number;
}

/** Quotes every passenger's fare. Throws FareError on invalid input or a passenger under 5. */
export function fareQuote(input: FareQuoteInput): FareQuote {
  const rule = fareRule(input.classCode);
  if (!Number.isFinite(input.distanceKm) || input.distanceKm <= 0) {
    throw new FareError('INVALID_DISTANCE', `distance must be a positive number of km, got ${input.distanceKm}`);
  }
  if (input.passengers.length === 0) throw new FareError('NO_PASSENGERS', 'a fare quote needs at least one passenger');
  const chargeableKm = Math.max(Math.ceil(input.distanceKm), rule.minChargeableKm);
  const adultBase = baseFare(rule, chargeableKm);
  const perPassenger = input.passengers.map(({ age }) => passengerFare(rule, adultBase, age, input.superfast));
  return { classCode: input.classCode, chargeableKm, perPassenger, total: perPassenger.reduce((sum, p) => sum + p.total, 0) };
}

function fareRule(classCode: ClassCode): ClassFareRule {
  if (!CLASS_CODES.includes(classCode)) throw new FareError('UNKNOWN_CLASS', `unknown class ${String(classCode)}`);
  return FARE_TABLE[classCode];
}

/** Telescopic distance fare in paise for a whole number of km. */
export function baseFare(rule: ClassFareRule, km: number): number {
  const [firstLimit, secondLimit] = TELESCOPIC_SLABS_KM;
  const [first, second, beyond] = rule.paisePerKm;
  return (
    Math.min(km, firstLimit) * first +
    Math.max(0, Math.min(km, secondLimit) - firstLimit) * second +
    Math.max(0, km - secondLimit) * beyond
  );
}

function passengerFare(rule: ClassFareRule, adultBase: number, age: number, superfast: boolean): PassengerFare {
  if (!Number.isInteger(age) || age < 0 || age > 125) throw new FareError('INVALID_AGE', `age must be a whole number of years, got ${age}`);
  if (age < CHILD_MIN_AGE) throw new FareError('INFANT_NO_FARE', 'children under 5 travel free without a berth; leave them out of the quote');
  const base = age < ADULT_MIN_AGE ? Math.ceil(adultBase / 2) : adultBase;
  const reservation = rule.reservationPaise;
  const superfastCharge = superfast ? rule.superfastPaise : 0;
  const gst = rule.gst ? Math.round(((base + reservation + superfastCharge) * GST_PERCENT) / 100) : 0;
  const subtotal = base + reservation + superfastCharge + gst;
  const total = Math.ceil(subtotal / ROUND_TO_PAISE) * ROUND_TO_PAISE;
  return { base, reservation, superfast: superfastCharge, gst, rounding: total - subtotal, total };
}
