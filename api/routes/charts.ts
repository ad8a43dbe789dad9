// Charts (docs/railway-rules.md, "The chart"): staff read a run's chart per
// class (GET /support/runs/…/chart), and operators prepare it early or move
// its time (POST /admin/runs/…/chart). The chart itself is
// prepared by the inventory actor (workflows/inventory.ts), on its timer or on
// this request; once prepared it is in Postgres (run_charts) for good, which is
// where reads come from (the live actor answers only "not yet, due at …").
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ChartQueryResult } from '../../contracts';
import { isIsoDate } from '../../domain/calendar';
import type { ChartView } from '../../domain/chart';
import { runsOn } from '../../domain/search';
import { findChart, passengerNames } from '../../db/repositories/charts';
import { AppError } from '../errors';
import { ClassCodeSchema, IsoDate, TrainNumber, errorResponses } from '../schemas';

const ChartParams = Type.Object({ trainNumber: TrainNumber, runDate: IsoDate, classCode: ClassCodeSchema });
const Occupant = Type.Object({
  pnr: Type.String(),
  passenger: Type.Integer({ description: 'position on the PNR, 1-based' }),
  name: Type.Union([Type.String(), Type.Null()]),
  from: Type.Integer({ description: 'stop sequence where the passenger boards' }),
  to: Type.Integer({ description: 'stop sequence where the passenger leaves' }),
  status: Type.String({ description: 'CNF, RAC n, or the waitlist number the passenger was dropped with' }),
});
const ChartResponse = Type.Object({
  trainNumber: Type.String(),
  runDate: Type.String(),
  classCode: Type.String(),
  preparedAt: Type.String({ format: 'date-time' }),
  preparedBy: Type.String({ description: "'schedule' (the chart timer) or the operator who prepared it" }),
  releasedToGeneral: Type.Integer({ description: 'unsold Tatkal, ladies and senior berths moved to the general pool' }),
  counts: Type.Object({ confirmed: Type.Integer(), rac: Type.Integer(), dropped: Type.Integer(), vacantBerths: Type.Integer() }),
  berths: Type.Array(
    Type.Object({ coach: Type.String(), berthNo: Type.Integer(), type: Type.String(), quota: Type.String(), passengers: Type.Array(Occupant) }),
  ),
  rac: Type.Array(Type.Object({ coach: Type.String(), berthNo: Type.Integer(), passengers: Type.Array(Occupant) })),
  dropped: Type.Array(Occupant),
});
const ChartScheduled = Type.Object({
  trainNumber: Type.String(),
  runDate: Type.String(),
  classCode: Type.String(),
  prepared: Type.Literal(false),
  chartAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

type Named = (pnr: string, idx: number) => string | null;

/** The chart in the API's words: 1-based passenger numbers and names from the booking records. */
function present(key: { trainNumber: string; runDate: string; classCode: string }, meta: { preparedAt: number; by: string; releasedToGeneral: number }, chart: ChartView, name: Named) {
  const occupant = (o: { pnr: string; passengerIndex: number; fromSeq: number; toSeq: number }, status: string) => ({
    pnr: o.pnr,
    passenger: o.passengerIndex + 1,
    name: name(o.pnr, o.passengerIndex),
    from: o.fromSeq,
    to: o.toSeq,
    status,
  });
  return {
    ...key,
    preparedAt: new Date(meta.preparedAt).toISOString(),
    preparedBy: meta.by,
    releasedToGeneral: meta.releasedToGeneral,
    counts: chart.counts,
    berths: chart.berths.map((b) => ({ coach: b.coach, berthNo: b.berthNo, type: b.type, quota: b.quota, passengers: b.occupants.map((o) => occupant(o, 'CNF')) })),
    rac: chart.rac.map((b) => ({ coach: b.coach, berthNo: b.berthNo, passengers: b.occupants.map((o) => occupant(o, o.label)) })),
    dropped: chart.dropped.map((o) => occupant(o, o.label)),
  };
}

function pnrsOf(chart: ChartView): string[] {
  const all = [...chart.berths.flatMap((b) => b.occupants), ...chart.rac.flatMap((b) => b.occupants), ...chart.dropped].map((o) => o.pnr);
  return [...new Set(all)];
}

const charts: FastifyPluginAsyncTypebox = async (app) => {
  const staff = app.requireRole('support', 'admin');
  const onlyAdmin = app.requireRole('admin');
  const { deadlines } = app.config;

  const named = async (chart: ChartView): Promise<Named> => {
    const names = await passengerNames(app.db, pnrsOf(chart));
    return (pnr, idx) => names.get(`${pnr}#${idx}`)?.name ?? null;
  };
  /** The run and class exist: an inventory is never started for one that does not (it could not load). */
  const checkRun = async ({ trainNumber, runDate, classCode }: { trainNumber: string; runDate: string; classCode: string }) => {
    if (!isIsoDate(runDate)) throw new AppError('INVALID_DATE', `"${runDate}" is not a calendar date`);
    const { train, classes } = await app.journeys.trainInfo(trainNumber);
    if (!classes.includes(classCode)) throw new AppError('CLASS_NOT_ON_TRAIN', `train ${trainNumber} has no ${classCode}; it has ${classes.join(', ')}`, { classes });
    if (!runsOn(train.runsOn, runDate)) throw new AppError('TRAIN_DOES_NOT_RUN', `train ${trainNumber} does not leave its origin on ${runDate}`);
  };

  app.get(
    '/support/runs/:trainNumber/:runDate/:classCode/chart',
    {
      onRequest: [staff],
      schema: {
        tags: ['support'],
        summary: "A run's chart for one class (support or admin)",
        description:
          'Final berths with who sits on each over which stops, the RAC berths (two passengers each at most) and the passengers the chart dropped from the waitlist. 404 CHART_NOT_PREPARED (details.chartAt: when it is due) before the chart.',
        security: [{ bearerAuth: [] }],
        params: ChartParams,
        response: { 200: ChartResponse, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) => {
      const { trainNumber, runDate, classCode } = req.params;
      app.postgresGate.check();
      await checkRun(req.params);
      const row = await findChart(app.db, trainNumber, runDate, classCode);
      if (row) {
        const summary = row.summary as { releasedToGeneral: number };
        const chart = row.chart as ChartView;
        return present(req.params, { preparedAt: row.preparedAt.getTime(), by: row.preparedBy, releasedToGeneral: summary.releasedToGeneral }, chart, await named(chart));
      }
      // Not in Postgres: not prepared yet, or prepared moments ago and being written; the actor knows which.
      const live = await app.withTemporal(deadlines.temporalCallMs, () => app.inventory.chart(req.params));
      if (live?.prepared) return present(req.params, live, live.chart, await named(live.chart));
      const chartAt = live?.chartAt ?? null;
      throw new AppError('CHART_NOT_PREPARED', `the ${classCode} chart of ${trainNumber} of ${runDate} is not prepared yet`, {
        chartAt: chartAt === null ? null : new Date(chartAt).toISOString(),
      });
    },
  );

  app.post(
    '/admin/runs/:trainNumber/:runDate/:classCode/chart',
    {
      onRequest: [onlyAdmin],
      schema: {
        tags: ['admin'],
        summary: 'Prepare the chart now, or move the time it is due (admin)',
        description:
          'Without `at` (or with a time already past) the inventory prepares the chart at once: unpaid waiting holds are released, unsold quota berths join the general pool, RAC and waitlisted passengers move up a last time, the passengers still waitlisted are cancelled and refunded less clerkage, every traveller is emailed the final status, and booking closes (409 CHART_PREPARED). With a future `at` the chart is prepared then instead of at its scheduled time (the timer is durable). 409 CHART_PREPARED once prepared.',
        security: [{ bearerAuth: [] }],
        params: ChartParams,
        body: Type.Object({ at: Type.Optional(Type.String({ format: 'date-time' })) }, { additionalProperties: false }),
        response: { 200: ChartResponse, 202: ChartScheduled, ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (req, reply) => {
      app.temporalGate.check();
      app.postgresGate.check();
      await checkRun(req.params);
      const at = req.body.at === undefined ? undefined : Date.parse(req.body.at);
      const result: ChartQueryResult = await app.temporalGate.run(() =>
        app.inventory.prepareChart(req.params, { by: `user:${req.user.sub}`, ...(at === undefined ? {} : { at }) }, deadlines.temporalCallMs),
      );
      if (result.prepared) return present(req.params, result, result.chart, await named(result.chart));
      return reply.status(202).send({ ...req.params, prepared: false as const, chartAt: result.chartAt === null ? null : new Date(result.chartAt).toISOString() });
    },
  );
};

export default charts;
