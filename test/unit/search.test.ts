import { addDays, isIsoDate, localDateTime, runsOnDays, weekdayIndex } from '../../domain/calendar';
import { journeyOn, runDateFor, runsOn, searchJourneys, type SearchCandidate, type StopTiming } from '../../domain/search';

const stop = (seq: number, code: string, km: number, arr: [number, number] | null, dep: [number, number] | null): StopTiming => ({
  seq,
  stationCode: code,
  stationName: code,
  kmFromOrigin: km,
  arrivalDay: arr?.[0] ?? null,
  arrivalMin: arr?.[1] ?? null,
  departureDay: dep?.[0] ?? null,
  departureMin: dep?.[1] ?? null,
});

const ALL_DAYS = 0b1111111;
const candidate = (over: Partial<SearchCandidate> = {}): SearchCandidate => ({
  trainNumber: '12951',
  trainName: 'RAJDHANI',
  kind: 'rajdhani',
  runsOn: ALL_DAYS,
  from: stop(0, 'MMCT', 0, null, [0, 17 * 60]),
  to: stop(7, 'NDLS', 1386, [1, 8 * 60 + 32], null),
  classes: ['1A', '2A', '3A'],
  ...over,
});

describe('calendar', () => {
  it('validates real calendar dates only', () => {
    expect(isIsoDate('2026-12-24')).toBe(true);
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(isIsoDate('24-12-2026')).toBe(false);
    expect(isIsoDate('tomorrow')).toBe(false);
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
  });

  it('numbers weekdays from Monday', () => {
    expect(weekdayIndex('2026-11-23')).toBe(0); // a Monday
    expect(weekdayIndex('2026-11-22')).toBe(6); // a Sunday
    expect(runsOnDays(0b0101010)).toEqual(['tue', 'thu', 'sat']);
  });

  it('formats local times with the day offset applied', () => {
    expect(localDateTime('2026-12-31', 1, 8 * 60 + 5)).toBe('2027-01-01T08:05+05:30');
  });
});

describe('train search rules', () => {
  it('gives departure, arrival, duration and distance for the segment', () => {
    const j = journeyOn(candidate(), '2026-12-24');
    expect(j).toMatchObject({
      runDate: '2026-12-24',
      from: { code: 'MMCT', departure: '2026-12-24T17:00+05:30' },
      to: { code: 'NDLS', arrival: '2026-12-25T08:32+05:30' },
      durationMin: 15 * 60 + 32,
      distanceKm: 1386,
    });
  });

  it('derives the run date from the boarding stop day offset', () => {
    expect(runDateFor('2026-12-25', 1)).toBe('2026-12-24');
    const boardsNextDay = candidate({
      from: stop(4, 'KOTA', 900, [1, 2 * 60], [1, 2 * 60 + 10]),
      runsOn: 1 << weekdayIndex('2026-12-24'), // runs only on the 24th's weekday
    });
    const j = journeyOn(boardsNextDay, '2026-12-25');
    expect(j?.runDate).toBe('2026-12-24');
    expect(j?.from.departure).toBe('2026-12-25T02:10+05:30');
    expect(journeyOn(boardsNextDay, '2026-12-24')).toBeNull();
  });

  it('skips days the train does not run', () => {
    const tueThuSat = 0b0101010;
    expect(runsOn(tueThuSat, '2026-11-24')).toBe(true); // Tuesday
    expect(runsOn(tueThuSat, '2026-11-25')).toBe(false); // Wednesday
    expect(journeyOn(candidate({ runsOn: tueThuSat }), '2026-11-25')).toBeNull();
  });

  it('refuses a pair in the wrong order or without times', () => {
    const terminus = stop(7, 'NDLS', 1386, [1, 500], null);
    expect(journeyOn(candidate({ from: terminus, to: stop(0, 'MMCT', 0, null, [0, 1]) }), '2026-12-24')).toBeNull();
    expect(journeyOn(candidate({ from: terminus }), '2026-12-24')).toBeNull();
  });

  it('sorts results by departure time', () => {
    const late = candidate({ trainNumber: '12953', from: stop(0, 'MMCT', 0, null, [0, 17 * 60 + 10]) });
    const early = candidate({ trainNumber: '12909', from: stop(0, 'MMCT', 0, null, [0, 9 * 60]) });
    expect(searchJourneys([late, candidate(), early], '2026-12-24').map((j) => j.trainNumber)).toEqual([
      '12909',
      '12951',
      '12953',
    ]);
  });
});
