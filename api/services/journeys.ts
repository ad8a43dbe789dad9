// Turns a booking request's train, date, class and stations into a journey
// the actors can act on (run date, stop sequence numbers, departure instant,
// distance), or a precise 4xx. The catalog changes rarely, so routes are
// cached in-process for a minute.
import { isIsoDate, localDateTime } from '../../domain/calendar';
import { runDateFor, runsOn, type StopTiming } from '../../domain/search';
import type { RailQuota } from '../../domain/railwayRules';
import { bookingOpensAt, istText } from '../../domain/tatkal';
import { isClassCode, type ClassCode } from '../../domain/types';
import type { Db } from '../../db/client';
import { findRun } from '../../db/repositories/runs';
import { findTrain, trainClasses, trainRoute } from '../../db/repositories/trains';
import type { Train } from '../../db/schema';
import { AppError } from '../errors';

interface CachedTrain {
  train: Train;
  route: StopTiming[];
  classes: string[];
  at: number;
}

export interface Journey {
  trainNumber: string;
  trainName: string;
  superfast: boolean;
  runDate: string;
  classCode: ClassCode;
  from: StopTiming & { time: string };
  to: StopTiming & { time: string };
  departureAt: number;
  distanceKm: number;
}

const ROUTE_CACHE_MS = 60_000;

export class JourneyPlanner {
  private readonly cache = new Map<string, CachedTrain>();

  constructor(
    private readonly db: Db,
    private readonly advanceDays: number,
  ) {}

  /** After an operator changed a train. */
  forget(trainNumber: string): void {
    this.cache.delete(trainNumber);
  }

  async trainInfo(trainNumber: string): Promise<CachedTrain> {
    const hit = this.cache.get(trainNumber);
    if (hit && Date.now() - hit.at < ROUTE_CACHE_MS) return hit;
    const train = await findTrain(this.db, trainNumber);
    if (!train) throw new AppError('TRAIN_NOT_FOUND', `no train ${trainNumber}`);
    const [route, classes] = await Promise.all([trainRoute(this.db, trainNumber), trainClasses(this.db, trainNumber)]);
    const entry = { train, route, classes: classes.map((c) => c.classCode), at: Date.now() };
    this.cache.set(trainNumber, entry);
    return entry;
  }

  /** `date` is the day the traveller boards at `from`, as in train search. */
  async plan(req: { trainNumber: string; date: string; classCode: string; from: string; to: string; quota?: RailQuota }, now = Date.now()): Promise<Journey> {
    if (!isIsoDate(req.date)) throw new AppError('INVALID_DATE', `"${req.date}" is not a calendar date (YYYY-MM-DD)`);
    const { train, route, classes } = await this.trainInfo(req.trainNumber);
    const from = route.find((s) => s.stationCode === req.from.toUpperCase());
    const to = route.find((s) => s.stationCode === req.to.toUpperCase());
    if (!from || !to) {
      const missing = !from ? req.from : req.to;
      throw new AppError('STATION_NOT_ON_ROUTE', `train ${train.number} does not call at ${missing.toUpperCase()}`, {
        field: !from ? 'from' : 'to',
      });
    }
    if (from.seq >= to.seq) throw new AppError('STATION_NOT_ON_ROUTE', `train ${train.number} calls at ${to.stationCode} before ${from.stationCode}`);
    if (!classes.includes(req.classCode)) {
      throw new AppError('CLASS_NOT_ON_TRAIN', `train ${train.number} has no ${req.classCode}; it has ${classes.join(', ')}`, {
        classes,
      });
    }
    if (from.departureDay === null || from.departureMin === null || to.arrivalDay === null || to.arrivalMin === null) {
      throw new AppError('STATION_NOT_ON_ROUTE', 'no boarding or alighting time at these stations');
    }
    const runDate = runDateFor(req.date, from.departureDay);
    if (!runsOn(train.runsOn, runDate)) {
      throw new AppError('TRAIN_DOES_NOT_RUN', `train ${train.number} does not leave ${from.stationCode} on ${req.date}`);
    }
    const run = await findRun(this.db, train.number, runDate);
    if (run?.status === 'cancelled') throw new AppError('RUN_CANCELLED', `train ${train.number} of ${runDate} is cancelled`);
    if (run && run.status !== 'open') throw new AppError('RUN_CLOSED', `train ${train.number} of ${runDate} is not open for booking (${run.status})`);
    const fromTime = localDateTime(runDate, from.departureDay, from.departureMin);
    const departureAt = Date.parse(fromTime);
    if (departureAt <= now) throw new AppError('TRAIN_DEPARTED', `train ${train.number} left ${from.stationCode} at ${fromTime}`);
    // The advance reservation period (GN, LD, SS): opens at 08:00 IST, advanceDays before the train leaves its origin.
    // Tatkal has its own window, which the inventory checks by its clock (domain/tatkal.ts).
    if (req.quota !== 'TQ' && isClassCode(req.classCode)) {
      const opensAt = bookingOpensAt(req.quota ?? 'GN', req.classCode, runDate, this.advanceDays);
      if (now < opensAt) {
        throw new AppError('OUTSIDE_BOOKING_WINDOW', `booking for ${train.number} of ${runDate} opens at ${istText(opensAt)} (${this.advanceDays} days ahead)`, {
          opensAt: new Date(opensAt).toISOString(),
        });
      }
    }
    return {
      trainNumber: train.number,
      trainName: train.name,
      superfast: train.superfast,
      runDate,
      classCode: req.classCode as ClassCode,
      from: { ...from, time: fromTime },
      to: { ...to, time: localDateTime(runDate, to.arrivalDay, to.arrivalMin) },
      departureAt,
      distanceKm: to.kmFromOrigin - from.kmFromOrigin,
    };
  }
}
