import fc from 'fast-check';
import { allocate, createInventory, type BerthInput } from '../../domain/allocation';
import { assignQuotaPools, berthsInPool, chartPoolCounts, chartReleases, hasFreeHop, inventoryChartReleases, quotaOffered, quotaRefusal, type QuotaPassenger } from '../../domain/quotas';
import { createRailState } from '../../domain/railInventory';
import { quotaSplit } from '../../domain/railwayRules';
import { coachLayout, TRAVEL_CLASSES } from '../../db/seed/classes';
import { RAIL_QUOTAS, RailRuleError, type RailQuota } from '../../domain/railwayRules';
import { CLASS_CODES, type ClassCode, type Gender } from '../../domain/types';

const GENDERS: readonly Gender[] = ['M', 'F', 'T'];
const refusal = (quota: RailQuota, passengers: QuotaPassenger[], classCode: ClassCode = 'SL') => quotaRefusal({ quota, classCode, passengers })?.code ?? null;

describe('quotaOffered', () => {
  it('offers each class the quotas its table gives it', () => {
    const offered = Object.fromEntries(CLASS_CODES.map((c) => [c, RAIL_QUOTAS.filter((q) => quotaOffered(c, q)).join(' ')]));
    expect(offered).toEqual({
      '1A': 'GN',
      '2A': 'GN TQ SS',
      '3A': 'GN TQ LD SS',
      SL: 'GN TQ LD SS',
      CC: 'GN TQ',
      EC: 'GN TQ',
      '2S': 'GN TQ',
    });
  });

  it('refuses a quota a class does not have', () => {
    expect(quotaRefusal({ quota: 'TQ', classCode: '1A', passengers: [{ age: 30, gender: 'M' }] })).toEqual({
      code: 'QUOTA_NOT_OFFERED',
      message: '1A has no Tatkal quota',
    });
    expect(refusal('SS', [{ age: 70, gender: 'M' }], 'CC')).toBe('QUOTA_NOT_OFFERED');
  });
});

describe('one passenger, every age and gender (exhaustive)', () => {
  it.each(GENDERS)('gender %s', (gender) => {
    for (let age = 0; age <= 125; age++) {
      const p = [{ age, gender }];
      expect(refusal('GN', p)).toBeNull();
      expect(refusal('TQ', p)).toBeNull();
      const senior = (gender === 'M' && age >= 60) || (gender === 'F' && age >= 45) || (gender === 'T' && age >= 58);
      expect(refusal('SS', p)).toBe(senior ? null : 'SS_NOT_ELIGIBLE');
      expect(refusal('LD', p)).toBe(gender === 'F' && age >= 12 ? null : 'LD_NOT_ELIGIBLE');
    }
  });

  it('takes a woman of 45 and a man of 60 at the boundary, not a day younger in years', () => {
    expect(refusal('SS', [{ age: 44, gender: 'F' }])).toBe('SS_NOT_ELIGIBLE');
    expect(refusal('SS', [{ age: 45, gender: 'F' }])).toBeNull();
    expect(refusal('SS', [{ age: 59, gender: 'M' }])).toBe('SS_NOT_ELIGIBLE');
    expect(refusal('SS', [{ age: 60, gender: 'M' }])).toBeNull();
  });
});

describe('groups', () => {
  const woman = { age: 34, gender: 'F' } as const;
  const boy = { age: 8, gender: 'M' } as const;
  const man = { age: 36, gender: 'M' } as const;

  it('lets children under 12 travel with women on the ladies quota, but not men, nor children alone', () => {
    expect(refusal('LD', [woman, boy, { age: 11, gender: 'F' }])).toBeNull();
    expect(quotaRefusal({ quota: 'LD', classCode: 'SL', passengers: [woman, man] })).toEqual({
      code: 'LD_NOT_ELIGIBLE',
      message: 'passenger 2: the ladies quota is for women, with children under 12 travelling with them',
    });
    expect(refusal('LD', [boy, { age: 12, gender: 'M' }])).toBe('LD_NOT_ELIGIBLE');
    expect(quotaRefusal({ quota: 'LD', classCode: 'SL', passengers: [boy, { age: 6, gender: 'F' }] })?.message).toMatch(/needs a woman aged 12/);
  });

  it('needs every passenger on the senior quota to qualify, at most two', () => {
    const seniors = [
      { age: 61, gender: 'M' },
      { age: 50, gender: 'F' },
    ] as const;
    expect(refusal('SS', [...seniors])).toBeNull();
    expect(quotaRefusal({ quota: 'SS', classCode: '3A', passengers: [seniors[0], man] })?.message).toMatch(/^passenger 2 /);
    expect(refusal('SS', [...seniors, seniors[0]])).toBe('TOO_MANY_PASSENGERS');
  });

  it('limits passengers per PNR by quota and needs at least one', () => {
    const people = (n: number) => Array.from({ length: n }, () => woman);
    expect([refusal('TQ', people(4)), refusal('TQ', people(5))]).toEqual([null, 'TOO_MANY_PASSENGERS']);
    expect([refusal('GN', people(6)), refusal('GN', people(7))]).toEqual([null, 'TOO_MANY_PASSENGERS']);
    expect([refusal('LD', people(6)), refusal('LD', people(7))]).toEqual([null, 'TOO_MANY_PASSENGERS']);
    expect(refusal('GN', [])).toBe('NO_PASSENGERS');
  });

  it.each([
    { quota: 'GN', classCode: 'SL', passengers: [{ age: Number.NaN, gender: 'F' }] },
    { quota: 'GN', classCode: 'SL', passengers: [{ age: -1, gender: 'F' }] },
    { quota: 'GN', classCode: 'SL', passengers: [{ age: 30, gender: 'X' }] },
    { quota: 'XX', classCode: 'SL', passengers: [] },
    { quota: 'GN', classCode: 'XX', passengers: [] },
  ])('throws RailRuleError on malformed input %p', (request) => {
    expect(() => quotaRefusal(request as never)).toThrow(RailRuleError);
  });
});

describe('at the chart', () => {
  it('moves every Tatkal, ladies and senior berth with a free hop to general', () => {
    const berths: { quota: RailQuota }[] = [{ quota: 'GN' }, { quota: 'TQ' }, { quota: 'LD' }, { quota: 'SS' }, { quota: 'TQ' }];
    const free = [true, true, true, true, false];
    expect(chartReleases(berths, (i) => free[i]!)).toEqual([
      { index: 1, from: 'TQ', to: 'GN' },
      { index: 2, from: 'LD', to: 'GN' },
      { index: 3, from: 'SS', to: 'GN' },
    ]);
  });

  it('finds the free hops of an allocation.ts inventory, partly sold berths included', () => {
    const layout: BerthInput[] = [
      { coach: 'S1', berthNo: 1, type: 'LB', quota: 'TQ' },
      { coach: 'S1', berthNo: 2, type: 'MB', quota: 'TQ' },
      { coach: 'S1', berthNo: 3, type: 'UB', quota: 'LD' },
      { coach: 'S1', berthNo: 4, type: 'LB' },
    ];
    const state = createInventory({ berths: layout, stopCount: 4 });
    const one = [{ name: 'P', age: 30, gender: 'F' as const }];
    allocate(state, { bookingId: 'whole', fromSeq: 0, toSeq: 3, passengers: one, quota: 'TQ' });
    allocate(state, { bookingId: 'part', fromSeq: 0, toSeq: 2, passengers: one, quota: 'TQ' });
    expect(hasFreeHop(state.occupancy[0]!, 4)).toBe(false);
    expect(hasFreeHop(state.occupancy[1]!, 4)).toBe(true);
    expect(inventoryChartReleases(state).map((r) => [r.index, r.from])).toEqual([
      [1, 'TQ'],
      [2, 'LD'],
    ]);
  });

  it('keeps the number of berths when pools are moved by count', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(50), { minLength: 4, maxLength: 4 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }), (sizes, shares) => {
        const pools = Object.fromEntries(RAIL_QUOTAS.map((q, i) => [q, { berths: sizes[i]!, unsold: Math.floor(sizes[i]! * shares[i]!) }])) as Record<RailQuota, { berths: number; unsold: number }>;
        const after = chartPoolCounts(pools);
        expect(RAIL_QUOTAS.reduce((sum, q) => sum + after[q], 0)).toBe(sizes.reduce((a, b) => a + b, 0));
        for (const q of ['TQ', 'LD', 'SS'] as const) expect(after[q]).toBe(pools[q].berths - pools[q].unsold);
      }),
      { seed: 7, numRuns: 200 },
    );
    expect(() => chartPoolCounts({ GN: { berths: 1, unsold: 0 }, TQ: { berths: 1, unsold: 2 }, LD: { berths: 0, unsold: 0 }, SS: { berths: 0, unsold: 0 } })).toThrow(RailRuleError);
  });
});

describe('assignQuotaPools', () => {
  const layout = (code: ClassCode, coaches: number) =>
    Array.from({ length: coaches }, (_, c) => coachLayout(code).map((b) => ({ coach: `C${c + 1}`, berthNo: b.berthNo, type: b.berthType }))).flat();

  it.each(TRAVEL_CLASSES.map((c) => c.code))('%s: the pools of the seeded coaches are quotaSplit\'s, SS on lower berths, and RAC keeps its side-lowers', (code) => {
    for (const coaches of [1, 2, 5]) {
      const berths = layout(code, coaches);
      const pooled = assignQuotaPools(code, berths);
      const inv = createInventory({ berths: pooled, stopCount: 3 });
      createRailState(inv, code);
      const count = (q: string) => inv.berths.filter((b) => b.quota === q).length;
      const split = quotaSplit(code, coaches, berths.length / coaches);
      expect({ GN: count('GN'), TQ: count('TQ'), LD: count('LD'), SS: count('SS'), RAC: count('RAC') }).toEqual(split);
      expect(inv.berths.filter((b) => b.quota === 'SS').every((b) => b.type === 'LB')).toBe(true);
      expect(inv.berths.filter((b) => b.quota === 'RAC').every((b) => b.type === 'SL')).toBe(true);
      // Deterministic: the same layout gives the same pools.
      expect(assignQuotaPools(code, berths)).toEqual(pooled);
    }
  });

  it('keeps as many side-lowers for RAC as the operator sets, and the rest go to the pools', () => {
    const berths = layout('SL', 2);
    const inv = createInventory({ berths: assignQuotaPools('SL', berths, { racPerCoach: 2 }), stopCount: 3 });
    createRailState(inv, 'SL', { racPerCoach: 2 });
    expect(inv.berths.filter((b) => b.quota === 'RAC').length).toBe(4);
    const none = createInventory({ berths: assignQuotaPools('SL', berths, { racPerCoach: 0 }), stopCount: 3 });
    createRailState(none, 'SL', { racPerCoach: 0 });
    expect(none.berths.filter((b) => b.quota === 'RAC').length).toBe(0);
    expect(none.berths.filter((b) => b.quota === 'GN').length).toBe(quotaSplit('SL', 2, 72).GN + quotaSplit('SL', 2, 72).RAC);
  });
});

describe('berthsInPool (availability of a run nobody has booked)', () => {
  const berths = coachLayout('SL').map((b) => ({ coach: 'S1', berthNo: b.berthNo, type: b.berthType }));

  it('counts each pool as a new inventory will sell it, RAC side-lowers apart', () => {
    const split = quotaSplit('SL', 1, berths.length);
    for (const quota of ['GN', 'TQ', 'LD', 'SS'] as const) expect(berthsInPool('SL', berths, quota, { pools: true }).length).toBe(split[quota]);
    // Without pools every berth but the RAC ones is general.
    expect(berthsInPool('SL', berths, 'GN', { pools: false }).length).toBe(berths.length - split.RAC);
    expect(berthsInPool('SL', berths, 'TQ', { pools: false })).toEqual([]);
    expect(berthsInPool('SL', berths, 'GN', { pools: false, racPerCoach: 0 }).length).toBe(berths.length);
  });
});
