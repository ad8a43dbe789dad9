import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isIsoDate, formatMinutes, runsOnDays } from '../../domain/calendar';
import { searchJourneys } from '../../domain/search';
import { findStationByCode, searchStations } from '../../db/repositories/stations';
import { findTrain, searchCandidates, trainClasses, trainRoute } from '../../db/repositories/trains';
import { AppError } from '../errors';
import { Int, IsoDate, Station, StationCode, Text, TrainNumber, errorResponses } from '../schemas';

const Journey = Type.Object({
  trainNumber: Type.String(),
  trainName: Type.String(),
  kind: Type.String(),
  runDate: Type.String({ description: 'Date the train leaves its own origin' }),
  from: Type.Object({ code: Type.String(), name: Type.String(), seq: Type.Integer(), departure: Type.String() }),
  to: Type.Object({ code: Type.String(), name: Type.String(), seq: Type.Integer(), arrival: Type.String() }),
  durationMin: Type.Integer(),
  distanceKm: Type.Integer(),
  classes: Type.Array(Type.String()),
});

const RouteStop = Type.Object({
  seq: Type.Integer(),
  stationCode: Type.String(),
  stationName: Type.String(),
  kmFromOrigin: Type.Integer(),
  arrival: Type.Union([Type.String(), Type.Null()], { description: 'HH:MM, local' }),
  arrivalDay: Type.Union([Type.Integer(), Type.Null()], { description: 'Day of the run, 0 = departure day' }),
  departure: Type.Union([Type.String(), Type.Null()]),
  departureDay: Type.Union([Type.Integer(), Type.Null()]),
});

async function stationOrThrow(app: Parameters<FastifyPluginAsyncTypebox>[0], code: string, field: string) {
  const station = await findStationByCode(app.db, code);
  if (!station) throw new AppError('STATION_NOT_FOUND', `unknown station code "${code}" in ${field}`, { field });
  return station;
}

const catalog: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/stations',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Find stations by code or name prefix',
        querystring: Type.Object({
          q: Text({ minLength: 1, maxLength: 60, description: 'Code or name prefix, e.g. "NDLS" or "new del"' }),
          limit: Int({ minimum: 1, maximum: 50, default: 10 }),
        }),
        response: { 200: Type.Object({ stations: Type.Array(Station) }), ...errorResponses(400) },
      },
    },
    async (req) => ({ stations: await searchStations(app.db, req.query.q, req.query.limit) }),
  );

  app.get(
    '/stations/:code',
    {
      schema: {
        tags: ['catalog'],
        summary: 'One station by code',
        params: Type.Object({ code: StationCode }),
        response: { 200: Station, ...errorResponses(400, 404) },
      },
    },
    async (req) => stationOrThrow(app, req.params.code, 'code'),
  );

  app.get(
    '/trains/search',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Trains from one station to another on a date',
        description:
          'The date is the day you board at `from`. A train that left its origin the day before and reaches `from` on that date is included.',
        querystring: Type.Object({ from: StationCode, to: StationCode, date: IsoDate }),
        response: {
          200: Type.Object({ from: Station, to: Station, date: Type.String(), trains: Type.Array(Journey) }),
          ...errorResponses(400, 404),
        },
      },
    },
    async (req) => {
      const { date } = req.query;
      if (!isIsoDate(date)) throw new AppError('INVALID_DATE', `"${date}" is not a calendar date (YYYY-MM-DD)`);
      const fromCode = req.query.from.toUpperCase();
      const toCode = req.query.to.toUpperCase();
      if (fromCode === toCode) throw new AppError('SAME_STATION', 'from and to must be different stations');
      const [from, to] = await Promise.all([stationOrThrow(app, fromCode, 'from'), stationOrThrow(app, toCode, 'to')]);
      const trains = searchJourneys(await searchCandidates(app.db, from.code, to.code), date);
      return { from, to, date, trains };
    },
  );

  app.get(
    '/trains/:number',
    {
      schema: {
        tags: ['catalog'],
        summary: 'A train with its route and classes',
        params: Type.Object({ number: TrainNumber }),
        response: {
          200: Type.Object({
            number: Type.String(),
            name: Type.String(),
            kind: Type.String(),
            superfast: Type.Boolean(),
            from: Type.String(),
            to: Type.String(),
            distanceKm: Type.Integer(),
            durationMin: Type.Integer(),
            runsOn: Type.Array(Type.String()),
            derived: Type.Unknown({ description: 'Which figures were derived from the real data, and how' }),
            classes: Type.Array(Type.Object({ classCode: Type.String(), coaches: Type.Array(Type.String()) })),
            route: Type.Array(RouteStop),
          }),
          ...errorResponses(400, 404),
        },
      },
    },
    async (req) => {
      const train = await findTrain(app.db, req.params.number);
      if (!train) throw new AppError('TRAIN_NOT_FOUND', `no train ${req.params.number}`);
      const [classes, stops] = await Promise.all([trainClasses(app.db, train.number), trainRoute(app.db, train.number)]);
      return {
        number: train.number,
        name: train.name,
        kind: train.kind,
        superfast: train.superfast,
        from: train.fromStation,
        to: train.toStation,
        distanceKm: train.distanceKm,
        durationMin: train.durationMin,
        runsOn: runsOnDays(train.runsOn),
        derived: train.derived,
        classes,
        route: stops.map((s) => ({
          seq: s.seq,
          stationCode: s.stationCode,
          stationName: s.stationName,
          kmFromOrigin: s.kmFromOrigin,
          arrival: s.arrivalMin === null ? null : formatMinutes(s.arrivalMin),
          arrivalDay: s.arrivalDay,
          departure: s.departureMin === null ? null : formatMinutes(s.departureMin),
          departureDay: s.departureDay,
        })),
      };
    },
  );
};

export default catalog;
