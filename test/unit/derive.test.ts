// The DERIVED timetable figures (db/seed/derive.ts), the class table
// (db/seed/classes.ts) and the pure row building of the importer, on real
// train names and made-up routes. No database, no files.
import {
  berthTypeOf,
  classDef,
  coachLayout,
  coachLayoutRows,
  TRAVEL_CLASSES,
  travelClassRows,
} from '../../db/seed/classes';
import {
  apportion,
  coachComposition,
  departureMinute,
  haversineKm,
  hopWeights,
  isSuperfast,
  parseDuration,
  runsOnMask,
  stopKms,
  stopTimes,
  trainKind,
  trainKindWithPair,
  type LatLon,
  type StopTime,
  type TrainKind,
} from '../../db/seed/derive';
import { buildCatalog, type Dataset, type GeoStation, type RawTrain } from '../../db/seed/import';
import { CLASS_CODES } from '../../domain/types';

const MMCT = { lat: 18.970667, lon: 72.819383 };
const NDLS = { lat: 28.642314, lon: 77.220004 };

/** Small deterministic PRNG so the property-style checks are reproducible. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const absolute = (day: number | null, min: number | null) => (day as number) * 1440 + (min as number);

function expectStrictlyIncreasing(xs: number[]) {
  for (let i = 1; i < xs.length; i++) expect(xs[i] as number).toBeGreaterThan(xs[i - 1] as number);
}

describe('haversineKm', () => {
  it('measures great-circle distance', () => {
    expect(haversineKm(MMCT, MMCT)).toBe(0);
    // Mumbai Central – New Delhi is ~1,140 km as the crow flies (1,384 km by rail).
    expect(haversineKm(MMCT, NDLS)).toBeGreaterThan(1100);
    expect(haversineKm(MMCT, NDLS)).toBeLessThan(1180);
    expect(haversineKm(MMCT, NDLS)).toBeCloseTo(haversineKm(NDLS, MMCT), 9);
  });
});

describe('apportion', () => {
  it('splits a total in proportion, each part at least the minimum, summing exactly', () => {
    expect(apportion(10, [1, 1])).toEqual([5, 5]);
    expect(apportion(100, [3, 1])).toEqual([75, 25]);
    expect(apportion(5, [100, 0, 0])).toEqual([3, 1, 1]);
    expect(apportion(3, [0, 0, 0])).toEqual([1, 1, 1]);
    expect(apportion(7, [0, 0], 0)).toEqual([4, 3]);
  });

  it('never drifts: the sum is exact for awkward weights', () => {
    const next = rng(7);
    for (let k = 0; k < 200; k++) {
      const weights = Array.from({ length: 1 + Math.floor(next() * 80) }, () => next() * 500);
      const total = weights.length + Math.floor(next() * 4000);
      const parts = apportion(total, weights);
      expect(parts.reduce((s, p) => s + p, 0)).toBe(total);
      expect(Math.min(...parts)).toBeGreaterThanOrEqual(1);
    }
  });

  it('refuses a total too small for the minimum', () => {
    expect(() => apportion(2, [1, 1, 1])).toThrow(RangeError);
    expect(() => apportion(2.5, [1])).toThrow(RangeError);
  });
});

describe('stopKms (derived per-stop distance)', () => {
  it('starts at 0, ends at the real Distance, increases at every stop', () => {
    const coords: LatLon[] = [MMCT, { lat: 21.2, lon: 72.84 }, { lat: 25.22, lon: 75.88 }, NDLS];
    const kms = stopKms(coords, 1384);
    expect(kms[0]).toBe(0);
    expect(kms[kms.length - 1]).toBe(1384);
    expectStrictlyIncreasing(kms);
    // Proportions follow the geometry: Surat is well under half way, Kota well over.
    expect(kms[1] as number).toBeLessThan(400);
    expect(kms[2] as number).toBeGreaterThan(900);
  });

  it('spreads unlocated stops evenly over the hop between their located neighbours', () => {
    const kms = stopKms([MMCT, null, null, NDLS], 900);
    expect(kms).toEqual([0, 300, 600, 900]);
  });

  it('gives unlocated end stops the mean hop of the located part', () => {
    // Two located hops of equal length, one unlocated stop at each end: 4 equal hops.
    const mid = { lat: (MMCT.lat + NDLS.lat) / 2, lon: (MMCT.lon + NDLS.lon) / 2 };
    const w = hopWeights([null, MMCT, mid, NDLS, null]);
    expect(w[0]).toBeCloseTo(((w[1] as number) + (w[2] as number)) / 2, 6);
    expect(w[3]).toBeCloseTo(w[0] as number, 6);
    expect(stopKms([null, MMCT, mid, NDLS, null], 400)).toEqual([0, 100, 200, 300, 400]);
  });

  it('falls back to equal hops when fewer than two stops are located', () => {
    expect(stopKms([null, null, null], 13)).toEqual([0, 7, 13]);
    expect(stopKms([MMCT, null, null, null, null], 100)).toEqual([0, 25, 50, 75, 100]);
  });

  it('keeps at least 1 km per hop even when stations share coordinates', () => {
    const kms = stopKms([MMCT, MMCT, MMCT, NDLS], 1000);
    expectStrictlyIncreasing(kms);
    expect(kms).toEqual([0, 1, 2, 1000]);
    expect(stopKms([MMCT, NDLS], 1)).toEqual([0, 1]);
  });

  it('holds on many random routes with missing coordinates', () => {
    const next = rng(42);
    for (let k = 0; k < 300; k++) {
      const n = 2 + Math.floor(next() * 84);
      const coords = Array.from({ length: n }, () => (next() < 0.1 ? null : { lat: 8 + next() * 25, lon: 69 + next() * 25 }));
      const distance = n - 1 + Math.floor(next() * 4000);
      const kms = stopKms(coords, distance);
      expect(kms).toHaveLength(n);
      expect(kms[0]).toBe(0);
      expect(kms[n - 1]).toBe(distance);
      expectStrictlyIncreasing(kms);
      expect(kms.every(Number.isInteger)).toBe(true);
    }
  });

  it('rejects impossible routes', () => {
    expect(() => stopKms([MMCT], 10)).toThrow(RangeError);
    expect(() => stopKms([MMCT, null, NDLS], 1)).toThrow(RangeError);
  });
});

describe('departureMinute (derived origin departure)', () => {
  it('is a 5-minute slot of the day, the same on every call', () => {
    for (const n of ['12951', '12952', '10103', '52455', '22436']) {
      const m = departureMinute(n);
      expect(m % 5).toBe(0);
      expect(m).toBeGreaterThanOrEqual(0);
      expect(m).toBeLessThanOrEqual(1435);
      expect(departureMinute(n)).toBe(m);
    }
  });

  it('spreads trains over the day', () => {
    const minutes = Array.from({ length: 1000 }, (_, i) => departureMinute(String(10000 + i * 7)));
    expect(new Set(minutes).size).toBeGreaterThan(200);
    const hours = new Set(minutes.map((m) => Math.floor(m / 60)));
    expect(hours.size).toBe(24);
  });
});

describe('stopTimes (derived per-stop times)', () => {
  const check = (times: StopTime[], departure: number, duration: number) => {
    const first = times[0] as StopTime;
    const last = times[times.length - 1] as StopTime;
    expect(first.arrivalDay).toBeNull();
    expect(first.arrivalMin).toBeNull();
    expect(first).toMatchObject({ departureDay: 0, departureMin: departure });
    expect(last.departureDay).toBeNull();
    expect(last.departureMin).toBeNull();
    expect(absolute(last.arrivalDay, last.arrivalMin) - departure).toBe(duration);
    // arrival < departure at each stop, and strictly later at the next stop
    const sequence: number[] = [];
    for (const t of times) {
      if (t.arrivalDay !== null) sequence.push(absolute(t.arrivalDay, t.arrivalMin));
      if (t.departureDay !== null) sequence.push(absolute(t.departureDay, t.departureMin));
      for (const m of [t.arrivalMin, t.departureMin]) if (m !== null) expect(m).toBeLessThan(1440);
    }
    for (let i = 1; i < sequence.length; i++) expect(sequence[i] as number).toBeGreaterThanOrEqual(sequence[i - 1] as number);
  };

  it('sums to the real Duration, with dwells at intermediate stops', () => {
    const kms = [0, 30, 263, 392, 653, 694, 919, 1384];
    const times = stopTimes(kms, parseDuration('15:32'), 17 * 60);
    check(times, 17 * 60, 932);
    const second = times[1] as StopTime;
    expect(absolute(second.departureDay, second.departureMin) - absolute(second.arrivalDay, second.arrivalMin)).toBe(2);
  });

  it('rolls over midnight into day offsets', () => {
    const times = stopTimes([0, 100, 200], 180, 23 * 60);
    check(times, 23 * 60, 180);
    // 178 min running split 89/89 around a 2-min dwell: 23:00 → 00:29 (+1 day) → 00:31 → 02:00
    expect(times[1]).toMatchObject({ arrivalDay: 1, arrivalMin: 29, departureDay: 1, departureMin: 31 });
    expect(times[2]).toMatchObject({ arrivalDay: 1, arrivalMin: 120 });
    // and a stop reached before midnight but left after it
    const late = stopTimes([0, 100, 200], 122, 23 * 60 - 1);
    expect(late[1]).toMatchObject({ arrivalDay: 0, arrivalMin: 1439, departureDay: 1, departureMin: 1 });
    // a 64-hour run ends on day 2 or 3
    const long = stopTimes([0, 1000, 2000, 3529], parseDuration('64:15'), 600);
    check(long, 600, 3855);
    expect((long[3] as StopTime).arrivalDay).toBe(3);
  });

  it('dwells 5 min after a hop of 300 km or more, 2 min otherwise', () => {
    const times = stopTimes([0, 299, 599, 650], 600, 0);
    const dwell = (t: StopTime) => absolute(t.departureDay, t.departureMin) - absolute(t.arrivalDay, t.arrivalMin);
    expect(dwell(times[1] as StopTime)).toBe(2);
    expect(dwell(times[2] as StopTime)).toBe(5);
  });

  it('spreads running time in proportion to distance', () => {
    const times = stopTimes([0, 100, 400], 402, 0); // 400 min running + one 2-min dwell
    expect(times[1]).toMatchObject({ arrivalMin: 100, departureMin: 102 });
    expect(times[2]).toMatchObject({ arrivalMin: 402 });
  });

  it('drops the dwells when the duration is too short for them', () => {
    const times = stopTimes([0, 1, 2, 3], 3, 0);
    check(times, 0, 3);
  });
});

describe('parseDuration and runsOnMask', () => {
  it('parses HH:MM with hours beyond 24', () => {
    expect(parseDuration('15:32')).toBe(932);
    expect(parseDuration('1:35')).toBe(95);
    expect(parseDuration('70:20')).toBe(4220);
    expect(() => parseDuration('15.32')).toThrow(RangeError);
    expect(() => parseDuration('10:75')).toThrow(RangeError);
  });

  it('encodes Monday as bit 0 … Sunday as bit 6', () => {
    const all = { mon: 1, tue: 1, wed: 1, thu: 1, fri: 1, sat: 1, sun: 1 };
    expect(runsOnMask(all)).toBe(127);
    expect(runsOnMask({ ...all, tue: 0, wed: 0, thu: 0, fri: 0, sat: 0, sun: 0 })).toBe(1);
    expect(runsOnMask({ mon: 0, tue: 0, wed: 0, thu: 0, fri: 0, sat: 0, sun: 1 })).toBe(64);
    expect(runsOnMask({ mon: 0, tue: 1, wed: 0, thu: 1, fri: 0, sat: 1, sun: 0 })).toBe(0b0101010);
    expect(runsOnMask({})).toBe(0);
  });
});

describe('trainKind and superfast, on real names from the data', () => {
  const kind = (number: string, name: string, distanceKm = 500) => trainKind({ number, name, distanceKm });

  it.each<[string, string, number, TrainKind]>([
    ['12951', 'NDLS TEJAS RAJ', 1384, 'rajdhani'],
    ['12953', 'MUMBAI RAJDHANI', 1377, 'rajdhani'],
    ['12306', 'KOLKATA RAJDHNI', 1529, 'rajdhani'],
    ['22413', 'MAO NZM RAJDANI', 2094, 'rajdhani'],
    ['20501', 'TEJAS EXPRESS', 2410, 'rajdhani'],
    ['12008', 'SHATABDI EXP', 500, 'shatabdi'],
    ['12002', 'BHOPAL SHTBDI', 707, 'shatabdi'],
    ['12011', 'KLK SHATABADI', 303, 'shatabdi'],
    ['12016', 'AII NDLS SHATBI', 443, 'shatabdi'],
    ['12913', 'TRISHATABDI EXP', 652, 'superfast'],
    ['12022', 'HWH JANSHATABDI', 398, 'jan_shatabdi'],
    ['12053', 'HW ASR JNSHTBDI', 407, 'jan_shatabdi'],
    ['12074', 'JANA SATABDI EX', 439, 'jan_shatabdi'],
    ['12037', 'SIDDHABALI J SH', 238, 'jan_shatabdi'],
    ['12092', 'NAINI DOON JAN', 336, 'jan_shatabdi'],
    ['13420', 'JANSEWA EXPRESS', 240, 'mail_express'],
    ['19217', 'SAURASHTRA JANTA', 912, 'mail_express'],
    ['20901', 'VANDE BHARAT EXP', 520, 'vande_bharat'],
    ['22439', 'SVDK VANDEBHARAT', 655, 'vande_bharat'],
    ['12264', 'PUNE DURNTO EXP', 1520, 'duronto'],
    ['12213', 'YPR DEE DURONTO', 2374, 'duronto'],
    ['12212', 'MFP GRATH EXP', 1060, 'garib_rath'],
    ['12258', 'KCVL YPR GR EXP', 808, 'garib_rath'],
    ['15715', 'GARIB NAWAZ EXP', 1835, 'mail_express'],
    ['12349', 'GODA NDLS HMSFR', 1323, 'humsafar'],
    ['22985', 'RAJ HUMSAFAR EXP', 736, 'humsafar'],
    ['12463', 'RAJ S KRNTI EXP', 616, 'superfast'],
    ['15417', 'RAJYA RANI EXP', 587, 'mail_express'],
    ['12932', 'MMCT DOUBLEDECKE', 491, 'double_decker'],
    ['22665', 'SBC CBE UDAY EXP', 432, 'double_decker'],
    ['22119', 'MAO TEJAS EXP', 765, 'tejas'],
    ['82501', 'IRCTC TEJAS EXP', 511, 'tejas'],
    ['12429', 'LKO NDLS AC SF', 493, 'ac_express'],
    ['12678', 'SBC INTERCITY', 587, 'intercity'],
    ['14209', 'PYGS LKO INTRCT', 197, 'intercity'],
    ['52538', 'DJ NJP AC PASS', 88, 'passenger'],
    ['52455', 'HIMALYAN QUEEN', 96, 'passenger'],
    ['61001', 'SOME MEMU', 50, 'passenger'],
    ['10103', 'MANDOVI EXPRESS', 765, 'mail_express'],
    ['12137', 'PUNJAB MAIL', 1936, 'superfast'],
    ['11049', 'ADI KOP SF EXP', 1100, 'superfast'],
  ])('%s %s → %s', (number, name, distanceKm, expected) => {
    expect(kind(number, name, distanceKm)).toBe(expected);
  });

  it('marks superfast by kind, number series and name', () => {
    expect(isSuperfast('12951', 'NDLS TEJAS RAJ', 'rajdhani')).toBe(true);
    expect(isSuperfast('12137', 'PUNJAB MAIL', 'mail_express')).toBe(true);
    expect(isSuperfast('22436', 'VANDE BHARAT EX', 'vande_bharat')).toBe(true);
    expect(isSuperfast('20907', 'SAYAJINAGRI EXP', 'mail_express')).toBe(true);
    expect(isSuperfast('11049', 'ADI KOP SF EXP', 'mail_express')).toBe(true);
    expect(isSuperfast('12845', 'BBS SMVB S F', 'mail_express')).toBe(true);
    expect(isSuperfast('20489', 'BME JP SUP FAST', 'mail_express')).toBe(true);
    expect(isSuperfast('10103', 'MANDOVI EXPRESS', 'mail_express')).toBe(false);
    expect(isSuperfast('14805', 'BARMER AC EXP', 'ac_express')).toBe(false);
    expect(isSuperfast('52538', 'DJ NJP AC PASS', 'passenger')).toBe(false);
  });

  it('takes the pair’s kind when its own abbreviated name says nothing special', () => {
    const t = (number: string, name: string) => ({ number, name, distanceKm: 759 });
    expect(trainKindWithPair(t('22708', 'TPTY VSKP DD EX'), t('22707', 'DOUBLE DECKER'))).toBe('double_decker');
    expect(trainKindWithPair(t('12034', 'NDLS CNB SHT'), t('12033', 'SHATABDI EXP'))).toBe('shatabdi');
    expect(trainKindWithPair(t('12401', 'KOTA DDN EXP'), t('12402', 'DDN KOTA AC EXP'))).toBe('ac_express');
    // own kind wins when it says something; plain or passenger pairs change nothing
    expect(trainKindWithPair(t('12951', 'NDLS TEJAS RAJ'), t('12952', 'MMCT DURONTO'))).toBe('rajdhani');
    expect(trainKindWithPair(t('11049', 'ADI KOP SF EXP'), t('11050', 'AHEMDABAD EXP'))).toBe('superfast');
    expect(trainKindWithPair(t('12345', 'SOME EXP'), t('52345', 'SOME PASSENGER'))).toBe('superfast');
    expect(trainKindWithPair(t('12345', 'SOME EXP'), null)).toBe('superfast');
  });
});

describe('coach composition', () => {
  const summary = (kind: TrainKind, km: number) =>
    coachComposition(kind, km)
      .map((c) => c.coach)
      .join(' ');

  it('follows the documented rule per kind', () => {
    expect(summary('rajdhani', 1384)).toBe('H1 A1 A2 A3 B1 B2 B3 B4 B5 B6 B7 B8 B9 B10');
    expect(summary('shatabdi', 700)).toBe('E1 E2 C1 C2 C3 C4 C5 C6 C7 C8 C9 C10');
    expect(summary('vande_bharat', 700)).toBe(summary('shatabdi', 700));
    expect(summary('duronto', 1500)).toBe('H1 A1 A2 B1 B2 B3 B4 B5 B6 S1 S2 S3 S4');
    expect(summary('garib_rath', 1000)).toBe('B1 B2 B3 B4 B5 B6 B7 B8 B9 B10 B11 B12');
    expect(coachComposition('humsafar', 1500).map((c) => c.classCode)).toEqual(Array(14).fill('3A'));
    expect(summary('jan_shatabdi', 400)).toBe('C1 C2 D1 D2 D3 D4 D5 D6 D7 D8');
    expect(summary('passenger', 96)).toBe('D1 D2 D3 D4 D5 D6');
  });

  it('adds one First AC coach to ordinary trains of 1000 km or more', () => {
    expect(summary('mail_express', 999)).toBe('A1 A2 B1 B2 B3 B4 B5 S1 S2 S3 S4 S5 S6 S7 S8 S9 S10');
    expect(summary('superfast', 1000)).toBe(`H1 ${summary('superfast', 999)}`);
    expect(summary('ac_express', 1200).startsWith('H1 A1')).toBe(true);
    expect(summary('rajdhani', 500)).toBe(summary('rajdhani', 1384)); // premium rakes do not change
  });

  it('numbers positions 1..n and uses each class’s prefix', () => {
    const coaches = coachComposition('duronto', 1500);
    expect(coaches.map((c) => c.position)).toEqual(coaches.map((_, i) => i + 1));
    for (const c of coaches) expect(c.coach.startsWith(classDef(c.classCode).coachPrefix)).toBe(true);
  });
});

describe('travel classes and berth layouts', () => {
  it('has the seven classes with their names, prefixes and sizes', () => {
    expect(TRAVEL_CLASSES.map((c) => c.code).sort()).toEqual([...CLASS_CODES].sort());
    const table = Object.fromEntries(travelClassRows().map((c) => [c.code, [c.name, c.coachPrefix, c.berthsPerCoach]]));
    expect(table).toEqual({
      '1A': ['First AC', 'H', 24],
      '2A': ['AC 2 Tier', 'A', 48],
      '3A': ['AC 3 Tier', 'B', 64],
      SL: ['Sleeper', 'S', 72],
      CC: ['AC Chair Car', 'C', 78],
      EC: ['Executive Chair Car', 'E', 56],
      '2S': ['Second Sitting', 'D', 108],
    });
    expect(classDef('SL')).toMatchObject({ sleeper: true, ac: false });
    expect(classDef('CC')).toMatchObject({ sleeper: false, ac: true });
  });

  it('lays out one row per berth, numbered 1..berthsPerCoach', () => {
    for (const c of TRAVEL_CLASSES) {
      const layout = coachLayout(c.code);
      expect(layout).toHaveLength(c.berthsPerCoach);
      expect(layout.map((b) => b.berthNo)).toEqual(Array.from({ length: c.berthsPerCoach }, (_, i) => i + 1));
    }
    expect(coachLayoutRows()).toHaveLength(24 + 48 + 64 + 72 + 78 + 56 + 108);
  });

  it('repeats the bay pattern of each class', () => {
    const types = (code: (typeof CLASS_CODES)[number], from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => berthTypeOf(code, from + i));
    expect(types('SL', 1, 9)).toEqual(['LB', 'MB', 'UB', 'LB', 'MB', 'UB', 'SL', 'SU', 'LB']);
    expect(types('3A', 57, 64)).toEqual(['LB', 'MB', 'UB', 'LB', 'MB', 'UB', 'SL', 'SU']);
    expect(types('2A', 1, 7)).toEqual(['LB', 'UB', 'LB', 'UB', 'SL', 'SU', 'LB']);
    expect(types('1A', 1, 4)).toEqual(['LB', 'UB', 'LB', 'UB']);
    expect(types('CC', 1, 5)).toEqual(['WS', 'MS', 'AS', 'AS', 'WS']);
    expect(types('CC', 76, 78)).toEqual(['WS', 'MS', 'AS']); // the short last row
    expect(types('EC', 1, 4)).toEqual(['WS', 'AS', 'AS', 'WS']);
    expect(types('2S', 103, 108)).toEqual(['WS', 'MS', 'AS', 'AS', 'MS', 'WS']);
  });

  it('counts berth types as a real coach has them', () => {
    const count = (code: (typeof CLASS_CODES)[number]) =>
      coachLayout(code).reduce<Record<string, number>>((acc, b) => ({ ...acc, [b.berthType]: (acc[b.berthType] ?? 0) + 1 }), {});
    expect(count('SL')).toEqual({ LB: 18, MB: 18, UB: 18, SL: 9, SU: 9 });
    expect(count('3A')).toEqual({ LB: 16, MB: 16, UB: 16, SL: 8, SU: 8 });
    expect(count('2A')).toEqual({ LB: 16, UB: 16, SL: 8, SU: 8 });
    expect(count('1A')).toEqual({ LB: 12, UB: 12 });
    expect(count('2S')).toEqual({ WS: 36, MS: 36, AS: 36 });
  });

  it('refuses berths that do not exist', () => {
    expect(() => berthTypeOf('SL', 0)).toThrow(RangeError);
    expect(() => berthTypeOf('SL', 73)).toThrow(RangeError);
    expect(() => berthTypeOf('1A', 1.5)).toThrow(RangeError);
  });
});

describe('buildCatalog (importer rows from a tiny data set)', () => {
  const train = (over: Partial<RawTrain>): RawTrain => ({
    Train_name: 'TEST EXP',
    From_station: 'ALPHA',
    To_station: 'GAMMA',
    Pair: 'No Pair',
    Duration: '10:00',
    Distance: 600,
    Runs_on: { mon: 1, tue: 0, wed: 1, thu: 0, fri: 1, sat: 0, sun: 0 },
    Stations: ['AAA', 'BBB', 'CCC'],
    ...over,
  });
  const geo = (code: string, lat: number | null, lon = 75): GeoStation => ({
    code,
    name: `Geo ${code}`,
    state: 'Somewhere',
    zone: 'WR',
    coords: lat === null ? null : { lat, lon },
  });
  const dataset = (): Dataset => ({
    trains: {
      '12001': train({ Train_name: 'NDLS SHATABDI', Pair: '12002' }),
      '12002': train({ Train_name: 'BHOPAL SHTBDI', Pair: '12001', Stations: ['CCC', 'BBB', 'AAA'] }),
      '11111': train({ Stations: ['AAA', 'MMCT', 'CCC'], From_station: 'ALPHA', To_station: 'SOMEWHERE ELSE' }),
      '22222': train({ Stations: ['AAA', 'AAA'] }),
    },
    timetableNames: new Map([
      ['AAA', 'ALPHA'],
      ['BBB', 'BETA'],
      ['CCC', 'GAMMA'],
      ['MMCT', 'MUMBAI CENTRAL'],
    ]),
    geo: new Map([
      ['AAA', geo('AAA', 20)],
      ['BBB', geo('BBB', null)],
      ['CCC', geo('CCC', 22)],
      ['ZZZ', geo('ZZZ', 30)],
      ['BCT', geo('BCT', 21)],
    ]),
  });

  it('builds trains, stops and coaches with derived figures and notes', () => {
    const c = buildCatalog(dataset(), ['12001']);
    expect(c.trains).toHaveLength(1);
    expect(c.trains[0]).toMatchObject({
      number: '12001',
      kind: 'shatabdi',
      superfast: true,
      fromStation: 'AAA',
      toStation: 'CCC',
      distanceKm: 600,
      durationMin: 600,
      runsOn: 0b10101,
      pairNumber: '12002',
    });
    expect(Object.keys(c.trains[0]?.derived ?? {})).toEqual(
      expect.arrayContaining(['km_from_origin', 'stop_times', 'departure_min', 'kind', 'coaches']),
    );
    expect(c.stops.map((s) => [s.seq, s.stationCode, s.kmFromOrigin])).toEqual([
      [0, 'AAA', 0],
      [1, 'BBB', 300], // unlocated: half way between its located neighbours
      [2, 'CCC', 600],
    ]);
    expect(c.coaches.map((x) => x.coach).sort()).toEqual(
      ['C1', 'C10', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8', 'C9', 'E1', 'E2'].sort(),
    );
  });

  it('imports all stations: timetable names first, GeoJSON facts, renamed codes located by their former code', () => {
    const c = buildCatalog(dataset(), ['11111']);
    const byCode = new Map(c.stations.map((s) => [s.code, s]));
    expect(byCode.get('AAA')).toMatchObject({ name: 'ALPHA', state: 'Somewhere', zone: 'WR', lat: 20 });
    expect(byCode.get('ZZZ')).toMatchObject({ name: 'Geo ZZZ', lat: 30 }); // GeoJSON-only station
    expect(byCode.get('MMCT')).toMatchObject({ name: 'MUMBAI CENTRAL', lat: 21 }); // located via BCT
    expect(byCode.has('BCT')).toBe(false); // superseded by MMCT
    expect(c.trains[0]?.derived?.route).toContain('SOMEWHERE ELSE');
  });

  it('skips unusable records, refuses unknown numbers, sorts rows by key', () => {
    const c = buildCatalog(dataset());
    expect(c.skipped).toEqual([{ number: '22222', reason: 'a stop appears twice' }]);
    expect(c.trains.map((t) => t.number)).toEqual(['11111', '12001', '12002']);
    expect(c.trains.find((t) => t.number === '12002')?.kind).toBe('shatabdi');
    expect(() => buildCatalog(dataset(), ['99999'])).toThrow(/99999/);
  });
});
