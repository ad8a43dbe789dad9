// Operators (role admin): the timetable, runs, delays and cancellations.
// Every change is audited; notices and refunds run as workflows.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { delayNoticeWorkflowId, runCancellationWorkflowId } from '../../contracts';
import { isIsoDate, WEEKDAYS } from '../../domain/calendar';
import type { ClassCode } from '../../domain/types';
import { audit } from '../../db/repositories/audit';
import { activeBookingsOfTrain, cancelRun, openRun, setRunDelay } from '../../db/repositories/runs';
import { findStationByCode } from '../../db/repositories/stations';
import { replaceTrain } from '../../db/repositories/timetable';
import { findTrain } from '../../db/repositories/trains';
import { auditLog } from '../../db/schema';
import { classDef } from '../../db/seed/classes';
import type { delayNoticeWorkflow, runCancellationWorkflow } from '../../workflows';
import { AppError } from '../errors';
import { Int, IsoDate, StationCode, Text, TrainNumber, errorResponses, ClassCodeSchema } from '../schemas';

const Time = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM local time' });
const StopTime = Type.Object({ day: Int({ minimum: 0, maximum: 6, description: 'day of the run, 0 = departure day' }), time: Time });
const RunParams = Type.Object({ trainNumber: TrainNumber, runDate: IsoDate });

const TrainBody = Type.Object(
  {
    name: Text({ minLength: 1, maxLength: 60 }),
    kind: Type.Optional(Type.String({ pattern: '^[a-z_]{2,20}$' })),
    superfast: Type.Optional(Type.Boolean()),
    runsOn: Type.Array(Type.Union(WEEKDAYS.map((d) => Type.Literal(d))), { minItems: 1, maxItems: 7, uniqueItems: true }),
    stops: Type.Array(
      Type.Object(
        {
          stationCode: StationCode,
          km: Int({ minimum: 0, maximum: 10_000 }),
          arrival: Type.Union([StopTime, Type.Null()]),
          departure: Type.Union([StopTime, Type.Null()]),
        },
        { additionalProperties: false },
      ),
      { minItems: 2, maxItems: 150 },
    ),
    coaches: Type.Array(Type.Object({ classCode: ClassCodeSchema, count: Int({ minimum: 1, maximum: 24 }) }), {
      minItems: 1,
      maxItems: 7,
    }),
  },
  { additionalProperties: false },
);

const minutes = (t: { day: number; time: string }) => t.day * 1440 + Number(t.time.slice(0, 2)) * 60 + Number(t.time.slice(3, 5));

const admin: FastifyPluginAsyncTypebox = async (app) => {
  const onlyAdmin = app.requireRole('admin');
  const tq = app.config.temporal.taskQueue;
  const actor = (sub: number) => `user:${sub}`;

  app.put(
    '/admin/trains/:number',
    {
      onRequest: [onlyAdmin],
      schema: {
        tags: ['admin'],
        summary: 'Create or change a train: its stops, times and coaches',
        description: "Stops' times are local; day 0 is the day the train leaves its origin. Refused while the train has live bookings if its stops change.",
        security: [{ bearerAuth: [] }],
        params: Type.Object({ number: TrainNumber }),
        body: TrainBody,
        response: { 200: Type.Object({ number: Type.String(), created: Type.Boolean(), stops: Type.Integer(), coaches: Type.Integer() }), ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req) => {
      const { number } = req.params;
      const b = req.body;
      const first = b.stops[0]!;
      const last = b.stops.at(-1)!;
      const problems: string[] = [];
      if (first.arrival !== null || first.departure === null) problems.push('the first stop has a departure and no arrival');
      if (last.departure !== null || last.arrival === null) problems.push('the last stop has an arrival and no departure');
      if (first.km !== 0) problems.push('the first stop is at km 0');
      let clock = -1;
      b.stops.forEach((s, i) => {
        if (i > 0 && s.km <= b.stops[i - 1]!.km) problems.push(`stop ${i} (${s.stationCode}): km must increase`);
        for (const t of [s.arrival, s.departure]) {
          if (!t) continue;
          if (minutes(t) < clock) problems.push(`stop ${i} (${s.stationCode}): times must not go back`);
          clock = minutes(t);
        }
        if (i > 0 && i < b.stops.length - 1 && (s.arrival === null || s.departure === null)) problems.push(`stop ${i} (${s.stationCode}) needs arrival and departure`);
      });
      if (new Set(b.stops.map((s) => s.stationCode.toUpperCase())).size !== b.stops.length) problems.push('a station appears twice');
      if (new Set(b.coaches.map((c) => c.classCode)).size !== b.coaches.length) problems.push('a class appears twice in coaches');
      for (const s of b.stops) if (!(await findStationByCode(app.db, s.stationCode))) problems.push(`unknown station ${s.stationCode}`);
      if (problems.length) throw new AppError('INVALID_TIMETABLE', problems[0]!, { problems });

      const existing = await findTrain(app.db, number);
      const today = new Date().toISOString().slice(0, 10);
      if (existing && (await activeBookingsOfTrain(app.db, number, today)) > 0) {
        throw new AppError('TRAIN_HAS_BOOKINGS', `train ${number} has live bookings; cancel or wait for those runs before changing its route`);
      }
      const stops = b.stops.map((s, seq) => ({
        seq,
        stationCode: s.stationCode.toUpperCase(),
        kmFromOrigin: s.km,
        arrivalDay: s.arrival?.day ?? null,
        arrivalMin: s.arrival ? minutes(s.arrival) - s.arrival.day * 1440 : null,
        departureDay: s.departure?.day ?? null,
        departureMin: s.departure ? minutes(s.departure) - s.departure.day * 1440 : null,
      }));
      let position = 0;
      const coaches = b.coaches.flatMap((c) => {
        const prefix = classDef(c.classCode as ClassCode).coachPrefix;
        return Array.from({ length: c.count }, (_, i) => ({ coach: `${prefix}${i + 1}`, classCode: c.classCode, position: ++position }));
      });
      await app.db.transaction(async (tx) => {
        await replaceTrain(
          tx,
          {
            number,
            name: b.name.toUpperCase(),
            kind: b.kind ?? 'mail_express',
            superfast: b.superfast ?? false,
            fromStation: stops[0]!.stationCode,
            toStation: stops.at(-1)!.stationCode,
            distanceKm: last.km,
            durationMin: minutes(last.arrival!) - minutes(first.departure!),
            departureMin: minutes(first.departure!),
            runsOn: WEEKDAYS.reduce((mask, d, bit) => (b.runsOn.includes(d) ? mask | (1 << bit) : mask), 0),
            pairNumber: existing?.pairNumber ?? null,
            derived: { source: 'entered by an operator through the admin API' },
          },
          stops,
          coaches,
        );
        await audit(tx, {
          actor: actor(req.user.sub),
          action: existing ? 'train.update' : 'train.create',
          entity: `train:${number}`,
          details: { name: b.name, stops: stops.length, coaches: coaches.length },
        });
      });
      app.journeys.forget(number);
      return { number, created: !existing, stops: stops.length, coaches: coaches.length };
    },
  );

  app.post(
    '/admin/runs',
    {
      onRequest: [onlyAdmin],
      schema: {
        tags: ['admin'],
        summary: 'Open a train run for booking (or re-open a closed one)',
        security: [{ bearerAuth: [] }],
        body: Type.Object({ trainNumber: TrainNumber, runDate: IsoDate }, { additionalProperties: false }),
        response: { 201: Type.Object({ trainNumber: Type.String(), runDate: Type.String(), status: Type.String() }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const { trainNumber, runDate } = req.body;
      if (!isIsoDate(runDate)) throw new AppError('INVALID_DATE', `"${runDate}" is not a calendar date`);
      if (!(await findTrain(app.db, trainNumber))) throw new AppError('TRAIN_NOT_FOUND', `no train ${trainNumber}`);
      const run = await app.db.transaction(async (tx) => {
        const r = await openRun(tx, trainNumber, runDate);
        await audit(tx, { actor: actor(req.user.sub), action: 'run.open', entity: `run:${trainNumber}:${runDate}` });
        return r;
      });
      return reply.status(201).send({ trainNumber, runDate, status: run.status });
    },
  );

  app.post(
    '/admin/runs/:trainNumber/:runDate/delay',
    {
      onRequest: [onlyAdmin],
      schema: {
        tags: ['admin'],
        summary: 'Report a delay: every confirmed passenger of the run is emailed',
        description: 'Starts a delay-notice workflow (visible in the Temporal UI). Each report notifies each passenger once, however often the workflow is retried or reset.',
        security: [{ bearerAuth: [] }],
        params: RunParams,
        body: Type.Object({ minutes: Int({ minimum: 1, maximum: 2880 }) }, { additionalProperties: false }),
        response: { 202: Type.Object({ workflowId: Type.String(), reportId: Type.String() }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const { trainNumber, runDate } = req.params;
      if (!isIsoDate(runDate)) throw new AppError('INVALID_DATE', `"${runDate}" is not a calendar date`);
      if (!(await findTrain(app.db, trainNumber))) throw new AppError('TRAIN_NOT_FOUND', `no train ${trainNumber}`);
      const reportId = await app.db.transaction(async (tx) => {
        await setRunDelay(tx, trainNumber, runDate, req.body.minutes);
        const [row] = await tx
          .insert(auditLog)
          .values({ actor: actor(req.user.sub), action: 'run.delay', entity: `run:${trainNumber}:${runDate}`, details: { minutes: req.body.minutes } })
          .returning({ id: auditLog.id });
        return String(row!.id);
      });
      const workflowId = delayNoticeWorkflowId(trainNumber, runDate, reportId);
      await app.temporal.workflow.start<typeof delayNoticeWorkflow>('delayNoticeWorkflow', {
        workflowId,
        taskQueue: tq,
        args: [{ trainNumber, runDate, delayMinutes: req.body.minutes, reportId, by: actor(req.user.sub) }],
        staticSummary: `Delay notice: ${trainNumber} of ${runDate}, ${req.body.minutes} min late`,
      });
      return reply.status(202).send({ workflowId, reportId });
    },
  );

  app.post(
    '/admin/runs/:trainNumber/:runDate/cancel',
    {
      onRequest: [onlyAdmin],
      schema: {
        tags: ['admin'],
        summary: 'Cancel a run: every booking on it is refunded in full and notified',
        security: [{ bearerAuth: [] }],
        params: RunParams,
        body: Type.Object({ reason: Text({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 202: Type.Object({ workflowId: Type.String() }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const { trainNumber, runDate } = req.params;
      if (!isIsoDate(runDate)) throw new AppError('INVALID_DATE', `"${runDate}" is not a calendar date`);
      if (!(await findTrain(app.db, trainNumber))) throw new AppError('TRAIN_NOT_FOUND', `no train ${trainNumber}`);
      const by = actor(req.user.sub);
      const { changed } = await app.db.transaction(async (tx) => {
        const r = await cancelRun(tx, trainNumber, runDate);
        if (r.changed) await audit(tx, { actor: by, action: 'run.cancel', entity: `run:${trainNumber}:${runDate}`, details: { reason: req.body.reason } });
        return r;
      });
      const workflowId = runCancellationWorkflowId(trainNumber, runDate);
      try {
        await app.temporal.workflow.start<typeof runCancellationWorkflow>('runCancellationWorkflow', {
          workflowId,
          taskQueue: tq,
          args: [{ trainNumber, runDate, reason: req.body.reason, by }],
          // A run cancelled again after it was re-opened needs a job of its own, one that finds the bookings made
          // since (the earlier job, done or still running, may have listed the run before them); telling a booking
          // twice is harmless. Repeating the same cancellation reuses the job already started.
          ...(changed
            ? { workflowIdReusePolicy: 'ALLOW_DUPLICATE' as const, workflowIdConflictPolicy: 'TERMINATE_EXISTING' as const }
            : { workflowIdReusePolicy: 'REJECT_DUPLICATE' as const }),
          staticSummary: `Run cancellation: ${trainNumber} of ${runDate}`,
        });
      } catch (err) {
        // Already under way (or done) for this run: the same job, nothing to start.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError) || changed) throw err;
      }
      return reply.status(202).send({ workflowId });
    },
  );
};

export default admin;
