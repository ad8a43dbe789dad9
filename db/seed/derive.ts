// DERIVED figures for the timetable import. Pure functions, no I/O.
//
// The Indian Railways data (../shared/data/indian-railways, CC0) gives, per
// train, only the ordered list of stop codes, the end-to-end Distance (km), the
// end-to-end Duration ("HH:MM"), the days it leaves its origin and its name.
// It has NO per-stop distances, NO per-stop times, NO departure time and NO
// coach composition. Everything below invents those figures by fixed,
// documented rules (see db/seed/README.md), so that:
//   - the real totals are kept exactly: the last stop is at the real Distance
//     and arrives exactly Duration minutes after the origin departure;
//   - a re-import of the same data gives identical rows (no randomness, no clock).
//
// Rules in brief:
//   km       haversine between consecutive located stops; unlocated stops share
//            the hop between their located neighbours evenly; unlocated stops
//            before the first / after the last located stop get the route's
//            mean hop length; then scaled to Distance, rounded to integers with
//            at least +1 km per hop.
//   depart   FNV-1a hash of the train number, mod 288, × 5 minutes (00:00–23:55).
//   times    dwell 2 min at each intermediate stop (5 min after a hop ≥ 300 km);
//            the rest of Duration is running time, spread over hops in
//            proportion to their km (at least 1 min per hop).
//   kind     keywords of the (heavily abbreviated) name and number series.
//   coaches  a fixed composition per kind (COMPOSITIONS below).
import type { ClassCode } from '../../domain/types';
import { classDef } from './classes';

// ---------------------------------------------------------------- distances

export interface LatLon {
  lat: number;
  lon: number;
}

const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance in km. */
export function haversineKm(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Split `total` into integers, one per weight, each at least `min`, summing to
 * `total` exactly, and otherwise proportional to the weights. Rounding is done
 * on the cumulative sum (so the error never accumulates along the route), then
 * the cut points are nudged just enough to give every part its minimum.
 * All-zero weights share equally.
 */
export function apportion(total: number, weights: readonly number[], min = 1): number[] {
  const n = weights.length;
  if (!Number.isInteger(total) || total < min * n) {
    throw new RangeError(`cannot split ${total} into ${n} parts of at least ${min}`);
  }
  const sum = weights.reduce((s, w) => s + w, 0);
  const w = sum > 0 ? weights : weights.map(() => 1);
  const wSum = sum > 0 ? sum : n;
  // cuts[j] = end of part j-1 = start of part j; cuts[0] = 0, cuts[n] = total.
  const cuts = [0];
  let cum = 0;
  for (let j = 0; j < n - 1; j++) {
    cum += w[j] as number;
    cuts.push(Math.round((total * cum) / wSum));
  }
  cuts.push(total);
  for (let j = 1; j < n; j++) cuts[j] = Math.max(cuts[j] as number, (cuts[j - 1] as number) + min);
  for (let j = n - 1; j > 0; j--) cuts[j] = Math.min(cuts[j] as number, (cuts[j + 1] as number) - min);
  return cuts.slice(1).map((c, j) => c - (cuts[j] as number));
}

/**
 * Relative length of each hop (n stops → n-1 hops) from whatever coordinates
 * are known. Only the proportions matter: the caller scales to Distance.
 */
export function hopWeights(coords: readonly (LatLon | null)[]): number[] {
  const hops = coords.length - 1;
  const weights = new Array<number>(hops).fill(NaN);
  const located = coords.flatMap((c, i) => (c ? [i] : []));
  for (let k = 0; k + 1 < located.length; k++) {
    const from = located[k] as number;
    const to = located[k + 1] as number;
    // Unlocated stops in between split their located neighbours' hop evenly.
    const share = haversineKm(coords[from] as LatLon, coords[to] as LatLon) / (to - from);
    for (let h = from; h < to; h++) weights[h] = share;
  }
  // Hops outside the located span have no geometry at all: give them the mean
  // hop of the located span (or 1 each when nothing usable is located).
  const known = weights.filter((w) => !Number.isNaN(w));
  const knownSum = known.reduce((s, w) => s + w, 0);
  const fill = known.length > 0 && knownSum > 0 ? knownSum / known.length : 1;
  return weights.map((w) => (Number.isNaN(w) ? fill : w));
}

/**
 * Km from the origin for each stop: 0 at the first, `distanceKm` at the last,
 * strictly increasing (≥ +1 km per hop). DERIVED (see header).
 */
export function stopKms(coords: readonly (LatLon | null)[], distanceKm: number): number[] {
  if (coords.length < 2) throw new RangeError('a route needs at least two stops');
  const hops = apportion(distanceKm, hopWeights(coords), 1);
  const kms = [0];
  for (const h of hops) kms.push((kms[kms.length - 1] as number) + h);
  return kms;
}

// -------------------------------------------------------------------- times

export const MINUTES_PER_DAY = 1440;
export const DEPARTURE_SLOT_MIN = 5;
export const DWELL_MIN = 2;
export const LONG_HOP_DWELL_MIN = 5;
export const LONG_HOP_KM = 300;

/** "HH:MM" (hours may exceed 24, e.g. "64:15") → minutes. */
export function parseDuration(hhmm: string): number {
  const m = /^(\d{1,3}):([0-5]\d)$/.exec(hhmm.trim());
  if (!m) throw new RangeError(`bad duration "${hhmm}", expected HH:MM`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** 32-bit FNV-1a hash of a string; stable across runs and platforms. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Origin departure, minutes after midnight: FNV-1a(train number) mod 288
 * five-minute slots. DERIVED: the data has no departure times, and a hash
 * keeps re-imports identical while spreading trains over the whole day.
 */
export function departureMinute(trainNumber: string): number {
  return (fnv1a32(trainNumber) % (MINUTES_PER_DAY / DEPARTURE_SLOT_MIN)) * DEPARTURE_SLOT_MIN;
}

export interface StopTime {
  /** Day offset from the run date at the origin (0 = the day it leaves the origin). */
  arrivalDay: number | null;
  arrivalMin: number | null;
  departureDay: number | null;
  departureMin: number | null;
}

/** Dwell at each stop (0 at both ends): longer after a long non-stop run. */
export function dwells(kms: readonly number[]): number[] {
  return kms.map((km, i) => {
    if (i === 0 || i === kms.length - 1) return 0;
    const hop = km - (kms[i - 1] as number);
    return hop >= LONG_HOP_KM ? LONG_HOP_DWELL_MIN : DWELL_MIN;
  });
}

function dayAndMinute(absoluteMin: number): { day: number; min: number } {
  return { day: Math.floor(absoluteMin / MINUTES_PER_DAY), min: absoluteMin % MINUTES_PER_DAY };
}

/**
 * Arrival/departure of each stop, DERIVED: the train leaves the origin at
 * `departureMin` and reaches the last stop exactly `durationMin` later; dwells
 * per `dwells`, running time split by km. If the duration is too short for the
 * dwells (never in the real data) the dwells are dropped.
 */
export function stopTimes(kms: readonly number[], durationMin: number, departureMin: number): StopTime[] {
  const hops = kms.length - 1;
  if (hops < 1) throw new RangeError('a route needs at least two stops');
  let dwell = dwells(kms);
  if (durationMin - dwell.reduce((s, d) => s + d, 0) < hops) dwell = dwell.map(() => 0);
  const running = durationMin - dwell.reduce((s, d) => s + d, 0);
  const hopKm = kms.slice(1).map((km, i) => km - (kms[i] as number));
  const hopMin = apportion(running, hopKm, 1);

  const times: StopTime[] = [];
  let t = departureMin; // minutes after midnight of the run date
  for (let i = 0; i <= hops; i++) {
    let arrival: number | null = null;
    if (i > 0) {
      t += hopMin[i - 1] as number;
      arrival = t;
      t += dwell[i] as number;
    }
    const departure = i < hops ? t : null;
    const a = arrival === null ? null : dayAndMinute(arrival);
    const d = departure === null ? null : dayAndMinute(departure);
    times.push({ arrivalDay: a?.day ?? null, arrivalMin: a?.min ?? null, departureDay: d?.day ?? null, departureMin: d?.min ?? null });
  }
  return times;
}

// ---------------------------------------------------------------- run days

export const WEEKDAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type WeekdayKey = (typeof WEEKDAY_KEYS)[number];

/** {mon..sun: 0/1} → bitmask, bit 0 = Monday … bit 6 = Sunday (REAL data, just re-encoded). */
export function runsOnMask(runsOn: Partial<Record<WeekdayKey, number | boolean>>): number {
  return WEEKDAY_KEYS.reduce((mask, day, bit) => (runsOn[day] ? mask | (1 << bit) : mask), 0);
}

// ------------------------------------------------------------- train kinds

export const TRAIN_KINDS = [
  'rajdhani',
  'shatabdi',
  'vande_bharat',
  'duronto',
  'garib_rath',
  'humsafar',
  'jan_shatabdi',
  'double_decker',
  'tejas',
  'ac_express',
  'intercity',
  'superfast',
  'mail_express',
  'passenger',
] as const;
export type TrainKind = (typeof TRAIN_KINDS)[number];

/** Kinds that are superfast by definition (they all carry the SF supplement in IR). */
const PREMIUM_KINDS: ReadonlySet<TrainKind> = new Set<TrainKind>([
  'rajdhani',
  'shatabdi',
  'vande_bharat',
  'duronto',
  'garib_rath',
  'humsafar',
  'jan_shatabdi',
  'double_decker',
  'tejas',
]);

export function isPremiumKind(kind: TrainKind): boolean {
  return PREMIUM_KINDS.has(kind);
}

/** Kinds that only say "an ordinary train" (the fallbacks of trainKind). */
function isPlainKind(kind: TrainKind): boolean {
  return kind === 'superfast' || kind === 'mail_express';
}

/** Upper case, punctuation to single spaces: "NDLS TEJAS RAJ" stays, "H.NIZAMUDDIN-EXP" → "H NIZAMUDDIN EXP". */
export function normalizeName(name: string): string {
  return name
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();
}

// Names in the data are cut to 15 characters and abbreviated every which way
// ("SHTBDI", "SHATABADI", "JNSHTBDI", "HMSFR", "GRATH", "DOUBLEDECKE"), so the
// patterns are deliberately loose. Order matters: the first match wins.
const SHATABDI = String.raw`S(?:HA?|A)TA?BA?D?T?I?`; // SHATABDI SHTBDI SHATBI SATABDI SHTBD … (B required)
const KIND_PATTERNS: readonly [TrainKind, RegExp][] = [
  ['vande_bharat', /\bVANDE ?BHARAT\b/],
  // before rajdhani: "RAJ HUMSAFAR EXP" is the Rajasthan Humsafar
  ['humsafar', /\bH[AU]?MS[AU]?F[AU]?R\b/],
  ['garib_rath', /\bGARIB ?RATH\b|\bG ?RATH\b|\bGR\b/],
  ['duronto', /\bDU?RO?NTO\b|\bDRNT\b/], // DURONTO DURNTO DRNTO
  // before shatabdi; "JANSEWA", "JANTA", "JANMABHOOMI" must not match
  ['jan_shatabdi', new RegExp(String.raw`\bJ(?:ANA?|N)? ?${SHATABDI}\b|\bJAN(?:ST|SH)?\b|\bJ SH\b`)],
  ['shatabdi', new RegExp(String.raw`\b${SHATABDI}\b`)], // not TRISHATABDI, an ordinary express
  ['double_decker', /\bDOUBLE|\bDBL ?DECK|\bUDAY\b/], // Uday Expresses are AC double-deckers
];
// "RAJ" alone is Rajdhani ("NDLS TEJAS RAJ") except in "RAJ S KRNTI" (Rajasthan Sampark Kranti).
const RAJDHANI = /\bRAJ(?:DHANI|DHNI|DANI)?\b/;
const NOT_RAJDHANI = /\bKRA?NTH?I\b|\bSAMPARK\b/;
const TEJAS = /\bTEJAS\b/;
const PASSENGER = /\bPASS(?:ENGER)?\b|\bMEMU\b|\bDEMU\b|JOYRIDE/;
const AC_EXPRESS = /\bAC\b/;
const INTERCITY = /\bINTE?R?CI?TY?\b|\bIC\b/;
const SUPERFAST_NAME = /\bSF\b|\bS F\b|\bSFAST\b|\bSUP(?:ER)? ?(?:FAST)?\b|\bSUPERFAST\b/;

/** Tejas trains of 1000 km or more are the Tejas Rajdhanis (e.g. 20501 Agartala). */
export const TEJAS_RAJDHANI_MIN_KM = 1000;

export interface TrainIdentity {
  number: string;
  name: string;
  distanceKm: number;
}

/**
 * Kind of train from its name and number series (DERIVED: the data has no
 * type field). 5xxxx/6xxxx/7xxxx are passenger/MEMU/DEMU series in IR.
 */
export function trainKind({ number, name, distanceKm }: TrainIdentity): TrainKind {
  const n = normalizeName(name);
  if (/^[567]/.test(number) || PASSENGER.test(n)) return 'passenger';
  for (const [kind, re] of KIND_PATTERNS) if (re.test(n)) return kind;
  if (RAJDHANI.test(n) && !NOT_RAJDHANI.test(n)) return 'rajdhani';
  if (TEJAS.test(n)) return distanceKm >= TEJAS_RAJDHANI_MIN_KM ? 'rajdhani' : 'tejas';
  if (AC_EXPRESS.test(n)) return 'ac_express';
  if (INTERCITY.test(n)) return 'intercity';
  return isSuperfast(number, name, 'mail_express') ? 'superfast' : 'mail_express';
}

/**
 * Superfast (pays the SF supplement): premium kinds always; passenger trains
 * never; otherwise numbers 12xxx, 20xxx, 22xxx (IR's superfast series) or an
 * SF / SFAST / SUP / SUPERFAST token in the name.
 */
export function isSuperfast(number: string, name: string, kind: TrainKind): boolean {
  if (kind === 'passenger') return false;
  if (isPremiumKind(kind) || kind === 'superfast') return true;
  return /^(12|20|22)/.test(number) || SUPERFAST_NAME.test(normalizeName(name));
}

/**
 * The kind, also looking at the return train: names are so abbreviated that
 * one direction is sometimes unrecognisable ("TPTY VSKP DD EX" is the return of
 * "DOUBLE DECKER", "NAINI DOON JAN" of "DDN JANSHTB EXP"). A train whose own
 * name says nothing special (plain superfast / mail-express) takes its pair's
 * kind unless that is plain or passenger too.
 */
export function trainKindWithPair(train: TrainIdentity, pair: TrainIdentity | null): TrainKind {
  const own = trainKind(train);
  if (!pair || !isPlainKind(own)) return own;
  const theirs = trainKind(pair);
  return theirs === 'passenger' || isPlainKind(theirs) ? own : theirs;
}

// ------------------------------------------------------- coach composition

/** [class, number of coaches] in rake order; 1A for long trains is added separately. */
type Composition = readonly (readonly [ClassCode, number])[];

const SLEEPER_EXPRESS: Composition = [
  ['2A', 2],
  ['3A', 5],
  ['SL', 10],
];
const CHAIR_CAR_EXPRESS: Composition = [
  ['EC', 2],
  ['CC', 10],
];

/** Coaches per kind (DERIVED: the data has no composition). */
export const COMPOSITIONS: Readonly<Record<TrainKind, Composition>> = {
  rajdhani: [
    ['1A', 1],
    ['2A', 3],
    ['3A', 10],
  ],
  shatabdi: CHAIR_CAR_EXPRESS,
  vande_bharat: CHAIR_CAR_EXPRESS,
  tejas: CHAIR_CAR_EXPRESS,
  duronto: [
    ['1A', 1],
    ['2A', 2],
    ['3A', 6],
    ['SL', 4],
  ],
  garib_rath: [['3A', 12]],
  humsafar: [['3A', 14]],
  jan_shatabdi: [
    ['CC', 2],
    ['2S', 8],
  ],
  intercity: [
    ['CC', 2],
    ['2S', 8],
  ],
  double_decker: [['CC', 10]],
  passenger: [['2S', 6]],
  ac_express: [
    ['2A', 3],
    ['3A', 10],
  ],
  superfast: SLEEPER_EXPRESS,
  mail_express: SLEEPER_EXPRESS,
};

/** Ordinary long-distance trains get one First AC coach from this distance on. */
export const FIRST_AC_MIN_KM = 1000;
const ADDS_FIRST_AC_WHEN_LONG: ReadonlySet<TrainKind> = new Set<TrainKind>(['ac_express', 'superfast', 'mail_express']);

export interface CoachSpec {
  coach: string; // H1, A1, B3, S10, C2, E1, D4
  classCode: ClassCode;
  position: number; // 1-based order in the rake
}

/** The classes and coach counts a train of this kind and length runs with. */
export function compositionFor(kind: TrainKind, distanceKm: number): Composition {
  const base = COMPOSITIONS[kind];
  return ADDS_FIRST_AC_WHEN_LONG.has(kind) && distanceKm >= FIRST_AC_MIN_KM ? [['1A', 1], ...base] : base;
}

/** Named coaches in order: prefix of the class + 1-based index within the class. */
export function coachComposition(kind: TrainKind, distanceKm: number): CoachSpec[] {
  const coaches: CoachSpec[] = [];
  for (const [classCode, count] of compositionFor(kind, distanceKm)) {
    const prefix = classDef(classCode).coachPrefix;
    for (let i = 1; i <= count; i++) coaches.push({ coach: `${prefix}${i}`, classCode, position: coaches.length + 1 });
  }
  return coaches;
}
