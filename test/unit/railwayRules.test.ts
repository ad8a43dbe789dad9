import { TRAVEL_CLASSES } from '../../db/seed/classes';
import { MAX_PASSENGERS_PER_BOOKING } from '../../domain/allocation';
import { FARE_TABLE } from '../../domain/fares';
import {
  AC_CLASSES,
  MAX_PASSENGERS_PER_PNR,
  QUOTA_TABLE,
  quotaSplit,
  RailRuleError,
  rupees,
  TATKAL_CHARGES,
  waitlistCap,
} from '../../domain/railwayRules';
import { GST_ON_CANCELLATION } from '../../domain/refunds';
import { CLASS_CODES } from '../../domain/types';

describe('the tables agree with the rest of the system', () => {
  it.each(CLASS_CODES)('%s is AC in the seed, the fares and the refunds alike', (classCode) => {
    const seeded = TRAVEL_CLASSES.find((c) => c.code === classCode)!;
    expect(AC_CLASSES[classCode]).toBe(seeded.ac);
    expect(AC_CLASSES[classCode]).toBe(FARE_TABLE[classCode].gst);
    expect(AC_CLASSES[classCode]).toBe(GST_ON_CANCELLATION[classCode]);
  });

  it.each(TRAVEL_CLASSES.map((c) => [c.code, c] as const))('%s: every quota fits the seeded coach, on berths of the right type', (_code, def) => {
    const rule = QUOTA_TABLE[def.code];
    const ofType = (type: string) => Array.from({ length: def.berthsPerCoach }, (_, i) => def.bayPattern[i % def.bayPattern.length]).filter((t) => t === type).length;
    // RAC takes side-lowers; the senior quota takes lower berths.
    expect(rule.racSideLowersPerCoach).toBeLessThanOrEqual(ofType('SL'));
    expect(Math.max(...rule.seniorLowerPerCoach)).toBeLessThanOrEqual(ofType('LB'));
    if (!def.sleeper) expect(rule.racSideLowersPerCoach + Math.max(...rule.seniorLowerPerCoach)).toBe(0);
    for (let coaches = 1; coaches <= 24; coaches++) {
      const split = quotaSplit(def.code, coaches, def.berthsPerCoach);
      expect(split.GN).toBeGreaterThan(0);
      expect(split.GN + split.TQ + split.LD + split.SS + split.RAC).toBe(coaches * def.berthsPerCoach);
      expect(split.TQ).toBe(rule.tatkalPerCoach * coaches);
      expect(split.RAC).toBe(rule.racSideLowersPerCoach * coaches);
      expect(split.LD).toBe(rule.ladiesPerTrain);
      expect(split.SS).toBe(rule.seniorLowerPerCoach[coaches === 1 ? 0 : 1] * coaches);
    }
  });
});

describe('published figures', () => {
  it('has no Tatkal in First AC and charges 10% in 2S, 30% elsewhere, between a minimum and a maximum', () => {
    expect(TATKAL_CHARGES['1A']).toBeNull();
    expect(QUOTA_TABLE['1A'].tatkalPerCoach).toBe(0);
    for (const classCode of CLASS_CODES) {
      const rule = TATKAL_CHARGES[classCode];
      if (!rule) continue;
      expect(rule.percent).toBe(classCode === '2S' ? 10 : 30);
      expect(rule.minPaise).toBeLessThan(rule.maxPaise);
      expect(QUOTA_TABLE[classCode].tatkalPerCoach).toBeGreaterThan(0);
    }
    expect(TATKAL_CHARGES.SL).toEqual({ percent: 30, minPaise: 10_000, maxPaise: 20_000, minKm: 500 });
  });

  it('keeps RAC on 7 side-lowers per SL coach, 4 in 3A and 3 in 2A', () => {
    expect(CLASS_CODES.map((c) => QUOTA_TABLE[c].racSideLowersPerCoach)).toEqual([0, 3, 4, 7, 0, 0, 0]);
  });

  it('allows 4 passengers per Tatkal PNR, 2 on the senior quota, the booking limit otherwise', () => {
    expect(MAX_PASSENGERS_PER_PNR).toEqual({ GN: MAX_PASSENGERS_PER_BOOKING, TQ: 4, LD: MAX_PASSENGERS_PER_BOOKING, SS: 2 });
  });

  it('caps the waitlist at 60% of an AC class and 30% of a non-AC class, rounded down', () => {
    expect(waitlistCap('3A', 640)).toBe(384);
    expect(waitlistCap('SL', 720)).toBe(216);
    expect(waitlistCap('2S', 107)).toBe(32);
    expect(waitlistCap('1A', 1)).toBe(0);
    expect(waitlistCap('CC', 0)).toBe(0);
  });
});

describe('malformed input', () => {
  it.each([
    () => quotaSplit('XX' as never, 1, 72),
    () => quotaSplit('SL', 0, 72),
    () => quotaSplit('SL', 1, 1.5),
    () => quotaSplit('SL', 1, 20), // the quotas need more berths than a 20-berth coach has
    () => waitlistCap('SL', -1),
    () => waitlistCap('XX' as never, 10),
  ])('throws RailRuleError (%#)', (fn) => {
    expect(fn).toThrow(RailRuleError);
  });

  it('writes rupees', () => {
    expect([rupees(6000), rupees(6300), rupees(1250), rupees(5)]).toEqual(['₹60', '₹63', '₹12.50', '₹0.05']);
  });
});
