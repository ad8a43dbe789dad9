// Travel classes and their coach layouts: the single table that the seed,
// the fare rules and the seat inventory all read. The Indian Railways data we
// import has no class or coach information at all, so these are modelled on
// the standard Indian Railways (LHB/ICF) coach types, simplified to one
// layout per class:
//
//   1A  First AC             24 berths  LB, UB alternating (cabins of 4 = 2 bays)
//   2A  AC 2 Tier            48 berths  bays of 6: LB, UB, LB, UB, SL, SU
//   3A  AC 3 Tier            64 berths  bays of 8: LB, MB, UB, LB, MB, UB, SL, SU
//   SL  Sleeper              72 berths  bays of 8: LB, MB, UB, LB, MB, UB, SL, SU
//   CC  AC Chair Car         78 seats   rows of 5 (3+2): WS, MS, AS, AS, WS
//   EC  Executive Chair Car  56 seats   rows of 4 (2+2): WS, AS, AS, WS
//   2S  Second Sitting      108 seats   rows of 6 (3+3): WS, MS, AS, AS, MS, WS
//
// Berth n (1-based) has type pattern[(n - 1) % pattern.length]; 78 is not a
// multiple of 5, so the last CC row is a short one (WS, MS, AS).
import type { BerthType, ClassCode } from '../../domain/types';

export interface TravelClassDef {
  code: ClassCode;
  name: string;
  /** Berths you lie on (true) or seats (false). */
  sleeper: boolean;
  ac: boolean;
  /** Coach codes are prefix + 1-based index: B1, B2 … for 3A. */
  coachPrefix: string;
  berthsPerCoach: number;
  /** Berth types of one bay (sleepers) or one row (seats), repeated along the coach. */
  bayPattern: readonly BerthType[];
}

const SLEEPER_BAY: readonly BerthType[] = ['LB', 'MB', 'UB', 'LB', 'MB', 'UB', 'SL', 'SU'];

/** In the order classes are listed to travellers: premium first. */
export const TRAVEL_CLASSES: readonly TravelClassDef[] = [
  { code: '1A', name: 'First AC', sleeper: true, ac: true, coachPrefix: 'H', berthsPerCoach: 24, bayPattern: ['LB', 'UB'] },
  {
    code: '2A',
    name: 'AC 2 Tier',
    sleeper: true,
    ac: true,
    coachPrefix: 'A',
    berthsPerCoach: 48,
    bayPattern: ['LB', 'UB', 'LB', 'UB', 'SL', 'SU'],
  },
  { code: '3A', name: 'AC 3 Tier', sleeper: true, ac: true, coachPrefix: 'B', berthsPerCoach: 64, bayPattern: SLEEPER_BAY },
  { code: 'SL', name: 'Sleeper', sleeper: true, ac: false, coachPrefix: 'S', berthsPerCoach: 72, bayPattern: SLEEPER_BAY },
  {
    code: 'EC',
    name: 'Executive Chair Car',
    sleeper: false,
    ac: true,
    coachPrefix: 'E',
    berthsPerCoach: 56,
    bayPattern: ['WS', 'AS', 'AS', 'WS'],
  },
  {
    code: 'CC',
    name: 'AC Chair Car',
    sleeper: false,
    ac: true,
    coachPrefix: 'C',
    berthsPerCoach: 78,
    bayPattern: ['WS', 'MS', 'AS', 'AS', 'WS'],
  },
  {
    code: '2S',
    name: 'Second Sitting',
    sleeper: false,
    ac: false,
    coachPrefix: 'D',
    berthsPerCoach: 108,
    bayPattern: ['WS', 'MS', 'AS', 'AS', 'MS', 'WS'],
  },
];

const BY_CODE = new Map<string, TravelClassDef>(TRAVEL_CLASSES.map((c) => [c.code, c]));

export function classDef(code: ClassCode): TravelClassDef {
  const def = BY_CODE.get(code);
  if (!def) throw new Error(`unknown travel class ${code}`);
  return def;
}

/** Type of berth/seat number `berthNo` (1-based) in a coach of this class. */
export function berthTypeOf(code: ClassCode, berthNo: number): BerthType {
  const def = classDef(code);
  if (!Number.isInteger(berthNo) || berthNo < 1 || berthNo > def.berthsPerCoach) {
    throw new RangeError(`berth ${berthNo} does not exist in a ${code} coach (1..${def.berthsPerCoach})`);
  }
  return def.bayPattern[(berthNo - 1) % def.bayPattern.length] as BerthType;
}

export interface LayoutBerth {
  berthNo: number;
  berthType: BerthType;
}

/** Every berth of one coach of this class, in number order. */
export function coachLayout(code: ClassCode): LayoutBerth[] {
  const def = classDef(code);
  return Array.from({ length: def.berthsPerCoach }, (_, i) => ({ berthNo: i + 1, berthType: berthTypeOf(code, i + 1) }));
}

/** Rows for the travel_classes table. */
export function travelClassRows() {
  return TRAVEL_CLASSES.map(({ code, name, sleeper, ac, coachPrefix, berthsPerCoach }) => ({
    code,
    name,
    sleeper,
    ac,
    coachPrefix,
    berthsPerCoach,
  }));
}

/** Rows for the coach_layout_berths table: one per berth position of every class. */
export function coachLayoutRows() {
  return TRAVEL_CLASSES.flatMap((c) => coachLayout(c.code).map((b) => ({ classCode: c.code, ...b })));
}
