// Train search between two stations on a date: pure, so the rules are tested
// without a database. The date a traveller gives is the date they board at
// their origin station (as on IRCTC); a train that left its own origin the
// day before still counts, so the run date is the travel date minus the day
// offset of the boarding stop, and the runs-on days apply to that run date.
import { addDays, localDateTime, weekdayIndex } from './calendar';

export interface StopTiming {
  seq: number;
  stationCode: string;
  stationName: string;
  kmFromOrigin: number;
  arrivalDay: number | null;
  arrivalMin: number | null;
  departureDay: number | null;
  departureMin: number | null;
}

export interface SearchCandidate {
  trainNumber: string;
  trainName: string;
  kind: string;
  runsOn: number;
  from: StopTiming;
  to: StopTiming;
  classes: string[];
}

export interface JourneyOption {
  trainNumber: string;
  trainName: string;
  kind: string;
  runDate: string;
  from: { code: string; name: string; seq: number; departure: string };
  to: { code: string; name: string; seq: number; arrival: string };
  durationMin: number;
  distanceKm: number;
  classes: string[];
}

export function runDateFor(travelDate: string, boardingDayOffset: number): string {
  return addDays(travelDate, -boardingDayOffset);
}

export function runsOn(mask: number, runDate: string): boolean {
  return ((mask >> weekdayIndex(runDate)) & 1) === 1;
}

/** The journey on that date, or null when the pair is unusable or the train does not run. */
export function journeyOn(c: SearchCandidate, travelDate: string): JourneyOption | null {
  const { from, to } = c;
  if (from.seq >= to.seq) return null;
  if (from.departureDay === null || from.departureMin === null) return null;
  if (to.arrivalDay === null || to.arrivalMin === null) return null;
  const runDate = runDateFor(travelDate, from.departureDay);
  if (!runsOn(c.runsOn, runDate)) return null;
  const departAbs = from.departureDay * 1440 + from.departureMin;
  const arriveAbs = to.arrivalDay * 1440 + to.arrivalMin;
  return {
    trainNumber: c.trainNumber,
    trainName: c.trainName,
    kind: c.kind,
    runDate,
    from: {
      code: from.stationCode,
      name: from.stationName,
      seq: from.seq,
      departure: localDateTime(runDate, from.departureDay, from.departureMin),
    },
    to: {
      code: to.stationCode,
      name: to.stationName,
      seq: to.seq,
      arrival: localDateTime(runDate, to.arrivalDay, to.arrivalMin),
    },
    durationMin: arriveAbs - departAbs,
    distanceKm: to.kmFromOrigin - from.kmFromOrigin,
    classes: c.classes,
  };
}

export function searchJourneys(candidates: SearchCandidate[], travelDate: string): JourneyOption[] {
  return candidates
    .map((c) => journeyOn(c, travelDate))
    .filter((j): j is JourneyOption => j !== null)
    .sort((a, b) => a.from.departure.localeCompare(b.from.departure) || a.trainNumber.localeCompare(b.trainNumber));
}
