// Quota eligibility and the chart-time release of unsold quota berths (pure).
//
// WHO MAY BOOK IN WHICH QUOTA (tables in railwayRules.ts):
//   GN  General: anyone.
//   TQ  Tatkal: anyone, at most 4 passengers per PNR (window and fare: tatkal.ts).
//   LD  Ladies: women, travelling alone or together, with children under 12
//       (of either sex) travelling with them; at least one woman aged 12 or
//       more on the PNR.
//   SS  The lower-berth quota for senior citizens, women aged 45 and above
//       and pregnant women: every passenger qualifies by age (men 60+, women
//       45+, transgender 58+), at most 2 passengers per PNR. Pregnancy is not
//       recorded by this system, so a pregnant woman under 45 books GN.
// A quota a class does not have (no Tatkal in 1A, no ladies or senior quota
// in chair cars) is refused as QUOTA_NOT_OFFERED.
//
// AT THE CHART. Berths of the Tatkal, ladies and senior quotas that are not
// sold over the whole route join the general pool, so the waitlist can be
// cleared into them. In allocation.ts terms that is rewriting `berth.quota`
// to 'GN' (occupancy and the bookings on the berth are untouched): a berth
// sold on part of the route moves too, and its free hops become general.
import type { InventoryState, Occupancy } from './allocation';
import { ADULT_MIN_AGE } from './fares';
import {
  MAX_PASSENGERS_PER_PNR,
  QUOTA_NAMES,
  QUOTA_TABLE,
  RailRuleError,
  RELEASED_AT_CHART,
  requireClass,
  requireQuota,
  SS_MIN_AGE,
  TATKAL_CHARGES,
  type RailQuota,
  type RuleRefusal,
} from './railwayRules';
import type { BerthType, ClassCode, Gender } from './types';
import { splitRacBerths } from './waitlist';

export type QuotaRefusalCode = 'QUOTA_NOT_OFFERED' | 'NO_PASSENGERS' | 'TOO_MANY_PASSENGERS' | 'SS_NOT_ELIGIBLE' | 'LD_NOT_ELIGIBLE';
export type QuotaRefusal = RuleRefusal<QuotaRefusalCode>;

export interface QuotaPassenger {
  age: number;
  gender: Gender;
}

export interface QuotaRequest {
  quota: RailQuota;
  classCode: ClassCode;
  passengers: readonly QuotaPassenger[];
}

const GENDERS: readonly string[] = ['M', 'F', 'T'] satisfies Gender[];

/** Does this class have berths in this quota? */
export function quotaOffered(classCode: ClassCode, quota: RailQuota): boolean {
  requireClass(classCode);
  requireQuota(quota);
  const rule = QUOTA_TABLE[classCode];
  switch (quota) {
    case 'GN':
      return true;
    case 'TQ':
      return rule.tatkalPerCoach > 0 && TATKAL_CHARGES[classCode] !== null;
    case 'LD':
      return rule.ladiesPerTrain > 0;
    case 'SS':
      return rule.seniorLowerPerCoach[0] > 0 || rule.seniorLowerPerCoach[1] > 0;
  }
}

/** Does one passenger qualify for the SS quota by age? */
export function seniorQuotaEligible(p: QuotaPassenger): boolean {
  return p.age >= SS_MIN_AGE[p.gender];
}

/**
 * Why these passengers may not book in this quota and class, or null when they
 * may. Throws RailRuleError on a malformed passenger (age not a finite number
 * ≥ 0, unknown gender), an unknown class or an unknown quota.
 */
export function quotaRefusal(request: QuotaRequest): QuotaRefusal | null {
  const { quota, classCode, passengers } = request;
  requireClass(classCode);
  requireQuota(quota);
  for (const p of passengers) {
    if (!Number.isFinite(p.age) || p.age < 0) throw new RailRuleError('INVALID_INPUT', `age must be a number ≥ 0, got ${p.age}`);
    if (!GENDERS.includes(p.gender)) throw new RailRuleError('INVALID_INPUT', `unknown gender ${String(p.gender)}`);
  }
  if (!quotaOffered(classCode, quota)) {
    return { code: 'QUOTA_NOT_OFFERED', message: `${classCode} has no ${QUOTA_NAMES[quota]} quota` };
  }
  if (passengers.length === 0) return { code: 'NO_PASSENGERS', message: 'a booking needs at least one passenger' };
  const limit = MAX_PASSENGERS_PER_PNR[quota];
  if (passengers.length > limit) {
    return { code: 'TOO_MANY_PASSENGERS', message: `at most ${limit} passengers per PNR in the ${QUOTA_NAMES[quota]} quota` };
  }
  if (quota === 'SS') {
    const first = passengers.findIndex((p) => !seniorQuotaEligible(p));
    if (first >= 0) {
      return {
        code: 'SS_NOT_ELIGIBLE',
        message: `passenger ${first + 1} does not qualify for the senior citizen / lower berth quota (men ${SS_MIN_AGE.M}+, women ${SS_MIN_AGE.F}+, transgender ${SS_MIN_AGE.T}+)`,
      };
    }
  }
  if (quota === 'LD') {
    const first = passengers.findIndex((p) => p.gender !== 'F' && p.age >= ADULT_MIN_AGE);
    if (first >= 0) {
      return {
        code: 'LD_NOT_ELIGIBLE',
        message: `passenger ${first + 1}: the ladies quota is for women, with children under ${ADULT_MIN_AGE} travelling with them`,
      };
    }
    if (!passengers.some((p) => p.gender === 'F' && p.age >= ADULT_MIN_AGE)) {
      return { code: 'LD_NOT_ELIGIBLE', message: `the ladies quota needs a woman aged ${ADULT_MIN_AGE} or more on the PNR` };
    }
  }
  return null;
}

// ---------------------------------------------------------------------------
// Pools

/**
 * Tags a class's berths with their quota pools by QUOTA_TABLE (quotaSplit's
 * numbers), deterministically in the order given. Per coach: the side-lowers
 * kept for RAC stay general here (railInventory.ts createRailState takes them
 * from the general pool), SS takes the first lower berths, TQ the last berths
 * of the coach; LD takes the first general berths of the first coach. A coach
 * too small for its quotas keeps what is left general. Other berths: GN.
 */
export function assignQuotaPools<B extends { coach: string; berthNo: number; type: BerthType }>(
  classCode: ClassCode,
  berths: readonly B[],
  options: { racPerCoach?: number } = {},
): (B & { quota: RailQuota })[] {
  requireClass(classCode);
  const rule = QUOTA_TABLE[classCode];
  const racKept = new Set(splitRacBerths(classCode, berths, options.racPerCoach).rac.map((b) => `${b.coach}/${b.berthNo}`));
  const out = berths.map((b) => ({ ...b, quota: 'GN' as RailQuota }));
  const general = (coach: string) => out.filter((b) => b.coach === coach && b.quota === 'GN' && !racKept.has(`${b.coach}/${b.berthNo}`));
  const coaches = [...new Set(berths.map((b) => b.coach))];
  const seniorPerCoach = rule.seniorLowerPerCoach[coaches.length === 1 ? 0 : 1];
  for (const coach of coaches) {
    for (const b of general(coach).filter((x) => x.type === 'LB').slice(0, seniorPerCoach)) b.quota = 'SS';
    const rest = general(coach);
    for (const b of rest.slice(Math.max(rest.length - rule.tatkalPerCoach, 0))) b.quota = 'TQ';
  }
  if (coaches.length > 0) for (const b of general(coaches[0]!).slice(0, rule.ladiesPerTrain)) b.quota = 'LD';
  return out;
}

/**
 * The berths a new inventory would sell in `quota`: its pool (when pools are on; otherwise every berth is
 * general), without the side-lowers it keeps for RAC. For availability before anyone has booked the run.
 */
export function berthsInPool<B extends { coach: string; berthNo: number; type: BerthType }>(
  classCode: ClassCode,
  berths: readonly B[],
  quota: RailQuota,
  options: { pools: boolean; racPerCoach?: number },
): B[] {
  const rac = new Set(splitRacBerths(classCode, berths, options.racPerCoach).rac.map((b) => `${b.coach}/${b.berthNo}`));
  const pooled = options.pools ? assignQuotaPools(classCode, berths, options.racPerCoach === undefined ? {} : { racPerCoach: options.racPerCoach }) : berths.map((b) => ({ ...b, quota: 'GN' as RailQuota }));
  return pooled.filter((b) => b.quota === quota && !rac.has(`${b.coach}/${b.berthNo}`));
}

// ---------------------------------------------------------------------------
// Chart-time release

export interface ChartRelease {
  /** Index of the berth in the list given. */
  index: number;
  from: RailQuota;
  to: 'GN';
}

/**
 * Berths that join the general pool at the chart: every berth of a released
 * quota (TQ, LD, SS) that is free on at least one hop. In the order given.
 */
export function chartReleases(berths: readonly { quota: RailQuota | 'RAC' }[], hasFreeHop: (index: number) => boolean): ChartRelease[] {
  const releases: ChartRelease[] = [];
  berths.forEach((berth, index) => {
    if (berth.quota !== 'RAC' && RELEASED_AT_CHART.includes(berth.quota) && hasFreeHop(index)) releases.push({ index, from: berth.quota, to: 'GN' });
  });
  return releases;
}

/** True when the sorted, non-overlapping occupancy of one berth leaves a hop of the route free. */
export function hasFreeHop(occupied: readonly Occupancy[], stopCount: number): boolean {
  let covered = 0;
  for (const [fromSeq, toSeq] of occupied) covered += toSeq - fromSeq;
  return covered < stopCount - 1;
}

/** `chartReleases` of an allocation.ts inventory; the actor applies them by setting `state.berths[index].quota = 'GN'`. */
export function inventoryChartReleases(state: InventoryState): ChartRelease[] {
  return chartReleases(state.berths, (i) => hasFreeHop(state.occupancy[i]!, state.stopCount));
}

/** The same move over counts: each released pool's unsold berths join GN. */
export function chartPoolCounts(pools: Readonly<Record<RailQuota, { berths: number; unsold: number }>>): Record<RailQuota, number> {
  const after = { GN: pools.GN.berths, TQ: pools.TQ.berths, LD: pools.LD.berths, SS: pools.SS.berths };
  for (const quota of RELEASED_AT_CHART) {
    const { berths, unsold } = pools[quota];
    if (!Number.isInteger(unsold) || unsold < 0 || unsold > berths) {
      throw new RailRuleError('INVALID_INPUT', `${quota}: unsold must be an integer in 0..${berths}, got ${unsold}`);
    }
    after[quota] -= unsold;
    after.GN += unsold;
  }
  return after;
}
