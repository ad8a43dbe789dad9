import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { randomUUID } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  WorkflowUpdateStage,
  type UpdateDefinition,
  type WorkflowHandle,
  type WorkflowUpdateHandle,
} from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import {
  BOOKING_WORKFLOW_TYPE,
  bookingStateQuery,
  bookingWorkflowId,
  cancelPassengersUpdate,
  cancelUpdate,
  inventoryWorkflowId,
  isWaiting,
  payUpdate,
  type BookingView,
  type PendingBooking,
  withCurrentNumbers,
} from '../../contracts';
import { heldBookingView } from '../../contracts/bookingStart';
import { FareError, fareQuote } from '../../domain/fares';
import { quotaOffered, quotaRefusal, type QuotaRefusalCode } from '../../domain/quotas';
import type { RailQuota } from '../../domain/railwayRules';
import { istText, tatkalFareQuote } from '../../domain/tatkal';
import { isClassCode, type BerthType, type PassengerInput } from '../../domain/types';
import { findBooking, listUserBookings } from '../../db/repositories/bookings';
import { listNotifications } from '../../db/repositories/notifications';
import { CardInvalidError } from '../../payments';
import { DependencyUnavailable } from '../dependencies';
import { AppError, type ErrorCode } from '../errors';
import { BookingViewSchema, IsoDate, PassengerInputSchema, StationCode, TrainNumber, errorResponses, Int, Text, ClassCodeSchema, QuotaSchema } from '../schemas';
import type { BookingRef } from '../services/bookingActors';
import { bookingFromRecords } from '../services/bookingRecords';
import { withIdempotency } from '../services/idempotency';
import { updateRefusal } from '../services/updateRefusal';

const PnrParams = Type.Object({ pnr: Type.String({ pattern: '^[0-9]{10}$', description: '10-digit PNR' }) });

/** ISO strings for the API; epoch ms inside the workflows. */
/** A quota refusal (domain/quotas.ts) as the API's stable codes. */
const QUOTA_REFUSALS: Readonly<Record<QuotaRefusalCode, ErrorCode>> = {
  QUOTA_NOT_OFFERED: 'QUOTA_NOT_OFFERED',
  NO_PASSENGERS: 'INVALID_PASSENGERS',
  TOO_MANY_PASSENGERS: 'TOO_MANY_PASSENGERS',
  SS_NOT_ELIGIBLE: 'QUOTA_NOT_ELIGIBLE',
  LD_NOT_ELIGIBLE: 'QUOTA_NOT_ELIGIBLE',
};

function present(v: BookingView) {
  return {
    ...v,
    holdExpiresAt: v.holdExpiresAt === null ? null : new Date(v.holdExpiresAt).toISOString(),
    history: v.history.map((h) => ({ ...h, at: new Date(h.at).toISOString() })),
  };
}

const bookings: FastifyPluginAsyncTypebox = async (app) => {
  const { booking: cfg, deadlines } = app.config;
  /** Every Temporal call of a request runs under a deadline and the Temporal gate (api/plugins/temporal.ts). */
  const temporal = <T>(fn: () => Promise<T>, ms = deadlines.temporalCallMs) => app.withTemporal(ms, fn);

  /**
   * RAC and waitlist numbers as the inventory has them now (a booking is told only when its passengers move up).
   * Best effort within the Temporal deadline: on any failure the view keeps the numbers it has.
   */
  async function currentNumbers(view: BookingView): Promise<BookingView> {
    if ((view.status !== 'held' && view.status !== 'confirmed') || !isWaiting(view)) return view;
    try {
      return withCurrentNumbers(view, await temporal(() => app.inventory.passengerStatuses(view, view.pnr)));
    } catch (err) {
      app.log.debug({ pnr: view.pnr, err }, 'current waiting numbers not read');
      return view;
    }
  }

  /**
   * The booking's live state from its actor (or, until the inventory has
   * started the actor, from the held booking); owners and staff only. While
   * Temporal is down, the booking as its records show it, marked stale. Not
   * when the server is up but the actor does not answer in time (no worker,
   * or a busy one): the records lag the actor (a payment in progress is not
   * recorded), so a client polling for a change would be misled; that is a 503.
   */
  async function loadBooking(req: FastifyRequest, pnr: string): Promise<{ view: BookingView; source: 'live' | 'records' }> {
    let live;
    try {
      live = await temporal(() => app.bookingActors.live(pnr, { start: false }));
    } catch (err) {
      if (!(err instanceof DependencyUnavailable) || err.dependency !== 'temporal' || err.kind !== 'down') throw err;
      const recorded = await bookingFromRecords(app.db, app.journeys, pnr);
      // No record yet (held a moment ago, its actor not yet started): nothing honest to answer but "later".
      if (!recorded) throw err;
      return { view: visibleTo(req, recorded.userId, pnr, recorded), source: 'records' };
    }
    if (!live) {
      // No actor: a hold nobody acted on (it never gets one; expired once its deadline passed), or an actor
      // ended and archived. Its record is the whole truth.
      const recorded = await bookingFromRecords(app.db, app.journeys, pnr);
      if (!recorded) return notLive(pnr);
      return { view: await currentNumbers(visibleTo(req, recorded.userId, pnr, recorded)), source: 'records' };
    }
    return { view: await currentNumbers(visibleTo(req, live.view.userId, pnr, live).view), source: 'live' };
  }

  /** The booking's actor for a request that messages it (started if still queued); owners and staff only. */
  async function bookingRef(req: FastifyRequest, pnr: string): Promise<BookingRef> {
    const ref = (await temporal(() => app.bookingActors.forMessage(pnr))) ?? (await notLive(pnr));
    return visibleTo(req, ref.userId, pnr, ref);
  }

  /** A request the actor accepted whose outcome cannot be read now: say so, never "do it again". */
  function outcomeUnknown(err: DependencyUnavailable, what: string): DependencyUnavailable {
    return new DependencyUnavailable(
      'temporal',
      err.kind,
      err.retryAfterSeconds,
      `the ${what} was accepted but its outcome cannot be read now; check GET /bookings/{pnr} shortly (do not send it again)`,
      err,
    );
  }

  /** The update call ran out of time (the server is up; the actor's worker did not answer in time). */
  const updateTimedOut = (err: unknown) =>
    err instanceof DependencyUnavailable && err.kind === 'timeout' && err.cause instanceof WorkflowUpdateRPCTimeoutOrCancelledError;

  /**
   * Sends a pay or cancel update to the booking actor and waits for its outcome up to
   * PAYMENT_WAIT_SECONDS. Each attempt to have it accepted has the short call deadline, so an
   * unreachable server is a 503 at once; an attempt that only ran out of time (a worker busy after a
   * rush) is sent again with the same update id, which joins the first — never a second payment —
   * until the wait is over. `outcome` null: not known in time (the caller answers 202).
   */
  async function sendAndWait<A>(
    ref: BookingRef,
    def: UpdateDefinition<BookingView, [A]>,
    arg: A,
    what: string,
  ): Promise<{ outcome: BookingView | null; accepted: boolean }> {
    const { handle, startWith } = ref;
    const until = Date.now() + cfg.paymentWaitSeconds * 1000;
    const left = () => Math.max(100, until - Date.now());
    const updateId = randomUUID();
    // A booking with no actor yet gets it started by the same call (update-with-start: one round trip);
    // a repeated attempt finds the actor started (USE_EXISTING) and the update id joins the first.
    const send = () =>
      startWith
        ? app.temporal.workflow.startUpdateWithStart(def, {
            args: [arg],
            updateId,
            waitForStage: WorkflowUpdateStage.ACCEPTED,
            startWorkflowOperation: new WithStartWorkflowOperation(BOOKING_WORKFLOW_TYPE, {
              ...app.bookingActors.startOptions(startWith),
              workflowIdConflictPolicy: 'USE_EXISTING',
            }),
          })
        : handle.startUpdate(def, { args: [arg], updateId, waitForStage: WorkflowUpdateStage.ACCEPTED });
    let accepted: WorkflowUpdateHandle<BookingView> | null = null;
    while (!accepted) {
      try {
        accepted = await temporal(send, Math.min(deadlines.temporalCallMs, left()));
      } catch (err) {
        // The actor ended between the read of its record and this call (REJECT_DUPLICATE refused the start).
        if (err instanceof WorkflowExecutionAlreadyStartedError) {
          throw new AppError(what === 'payment' ? 'BOOKING_NOT_PAYABLE' : 'BOOKING_NOT_CANCELLABLE', `booking ${ref.handle.workflowId} is no longer held`);
        }
        if (!updateTimedOut(err)) throw err;
        if (until - Date.now() <= 100) return { outcome: null, accepted: false };
      }
    }
    const update = accepted;
    try {
      return { outcome: await temporal(() => update.result(), left()), accepted: true };
    } catch (err) {
      if (updateTimedOut(err)) return { outcome: null, accepted: true };
      if (err instanceof DependencyUnavailable) throw outcomeUnknown(err, what);
      throw err;
    }
  }

  /** The state for a 202: from the actor, or (too busy to answer a query) from the records. */
  async function pendingView(handle: WorkflowHandle, pnr: string, accepted: { status: BookingView['status'] } | null, what: string): Promise<BookingView> {
    try {
      return await stateOf(handle);
    } catch (err) {
      // WorkflowNotFound: an update-with-start that ran out of time before the server took it (the actor was
      // never started; the booking is still just held). Its record answers, as when Temporal is unreachable.
      if (!(err instanceof DependencyUnavailable) && !(err instanceof WorkflowNotFoundError)) throw err;
      const recorded = await bookingFromRecords(app.db, app.journeys, pnr);
      if (!recorded) throw err instanceof DependencyUnavailable ? outcomeUnknown(err, what) : err;
      // The records do not show a request in progress; the actor has accepted this one.
      return accepted ? { ...recorded, status: accepted.status } : recorded;
    }
  }

  /** The actor's current state, for answers that report it (202, already confirmed/cancelled). */
  async function stateOf(handle: WorkflowHandle): Promise<BookingView> {
    return temporal(() => handle.query(bookingStateQuery));
  }

  /** No actor has the booking: it never existed, or it ended and only its record is left. */
  async function notLive(pnr: string): Promise<never> {
    const row = await findBooking(app.db, pnr);
    throw new AppError('BOOKING_NOT_FOUND', row ? `booking ${pnr} is archived` : `no booking with PNR ${pnr}`);
  }

  /** Someone else's booking reads as absent, except to staff. */
  function visibleTo<T>(req: FastifyRequest, ownerId: number, pnr: string, found: T): T {
    const staff = req.user.role === 'support' || req.user.role === 'admin';
    if (!staff && ownerId !== req.user.sub) throw new AppError('BOOKING_NOT_FOUND', `no booking with PNR ${pnr}`);
    return found;
  }

  app.post(
    '/bookings',
    {
      onRequest: [app.authenticate],
      // Six passengers take ~1 kB; anything near this is not a booking.
      bodyLimit: 16 * 1024,
      schema: {
        tags: ['bookings'],
        summary: 'Hold berths on a train and create a booking',
        description:
          'Places a hold (default 10 minutes) and answers with the PNR, berths and fare. Pay with POST /bookings/{pnr}/payment before holdExpiresAt. Send an Idempotency-Key header to make retries safe.',
        security: [{ bearerAuth: [] }],
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 128 })) }),
        body: Type.Object(
          {
            trainNumber: TrainNumber,
            date: IsoDate,
            classCode: ClassCodeSchema,
            from: StationCode,
            to: StationCode,
            passengers: Type.Array(PassengerInputSchema, { minItems: 1, maxItems: 6 }),
            quota: Type.Optional(QuotaSchema),
            confirmedOnly: Type.Optional(
              Type.Boolean({
                description:
                  'Book only if every passenger gets a confirmed berth (409 NO_SEATS_AVAILABLE otherwise). Default false: when the class is full the booking gets RAC places, then waitlist numbers, or 409 REGRET when the waitlist is full too (docs/railway-rules.md).',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: BookingViewSchema, ...errorResponses(400, 401, 404, 409, 413, 422, 429, 503) },
      },
    },
    async (req, reply) =>
      withIdempotency(app, req, reply, `user:${req.user.sub}:bookings`, async () => {
        // Both are needed to hold: answer at once while either is known to be down.
        app.temporalGate.check();
        app.postgresGate.check();
        const body = req.body;
        const quota: RailQuota = (body.quota as RailQuota | undefined) ?? 'GN';
        const journey = await app.journeys.plan({ ...body, quota });
        const passengers: PassengerInput[] = body.passengers.map((p) => ({
          name: p.name.trim(),
          age: p.age,
          gender: p.gender,
          ...(p.berthPreference ? { preference: p.berthPreference as BerthType } : {}),
        }));
        const refusal = quotaRefusal({ quota, classCode: journey.classCode, passengers });
        if (refusal) throw new AppError(QUOTA_REFUSALS[refusal.code], refusal.message);
        let fare;
        try {
          const fareInput = { classCode: journey.classCode, distanceKm: journey.distanceKm, superfast: journey.superfast, passengers };
          // Tatkal: the basic fare plus the Tatkal charge, no child concession (domain/tatkal.ts).
          fare = quota === 'TQ' ? tatkalFareQuote(fareInput) : fareQuote(fareInput);
        } catch (err) {
          if (err instanceof FareError) throw new AppError('INVALID_PASSENGERS', err.message);
          throw err;
        }
        const key = { trainNumber: journey.trainNumber, runDate: journey.runDate, classCode: journey.classCode };
        const inventoryId = inventoryWorkflowId(key.trainNumber, key.runDate, key.classCode);
        const idempotencyKey = req.headers['idempotency-key'];
        const pnr = await app.bookingActors.reservePnr(inventoryId, req.user.sub, typeof idempotencyKey === 'string' ? `bookings:${idempotencyKey}` : undefined);
        const heldAt = Date.now();
        const holdExpiresAt = heldAt + cfg.holdTtlSeconds * 1000;
        const booking: PendingBooking = {
          pnr,
          userId: req.user.sub,
          email: req.user.email,
          trainNumber: journey.trainNumber,
          trainName: journey.trainName,
          runDate: journey.runDate,
          classCode: journey.classCode,
          from: { code: journey.from.stationCode, name: journey.from.stationName, seq: journey.from.seq, time: journey.from.time },
          to: { code: journey.to.stationCode, name: journey.to.stationName, seq: journey.to.seq, time: journey.to.time },
          departureAt: journey.departureAt,
          passengers,
          ...(quota === 'GN' ? {} : { quota }),
          fare,
          holdExpiresAt,
          heldAt,
          inventoryWorkflowId: inventoryId,
          reminderLeadMs: cfg.reminderLeadSeconds * 1000,
          paymentMaxAttempts: cfg.paymentMaxAttempts,
          firstChargeTimeoutMs: cfg.firstChargeTimeoutMs,
          heldRecorded: true,
        };
        // The inventory places the hold; the held record below is where the booking lives until someone
        // acts on it: its actor starts with the first pay, cancel or support action (docs/architecture.md).
        // The gateway gives each hold its own deadline (HOLD_TIMEOUT_MS); the gate learns of an outage.
        const hold = await app.temporalGate.run(() => app.inventory.hold(key, {
          bookingId: pnr,
          fromSeq: journey.from.seq,
          toSeq: journey.to.seq,
          passengers,
          holdExpiresAt,
          ...(quota === 'GN' ? {} : { quota }),
          ...(body.confirmedOnly === true ? {} : { waitlist: true }),
        }));
        if (!hold.ok) {
          if (hold.reason === 'REGRET') {
            app.metrics.bookingOutcome('no_seats');
            throw new AppError('REGRET', `${journey.classCode} is full from ${journey.from.stationCode} to ${journey.to.stationCode}, RAC and waitlist included`);
          }
          if (hold.reason === 'NO_CAPACITY') {
            app.metrics.bookingOutcome('no_seats');
            throw new AppError('NO_SEATS_AVAILABLE', `no ${journey.classCode} berths free for ${passengers.length} passenger(s) from ${journey.from.stationCode} to ${journey.to.stationCode}`);
          }
          if (hold.reason === 'TATKAL_NOT_OPEN') {
            const opensAt = hold.opensAt ?? 0;
            throw new AppError('TATKAL_NOT_OPEN', `Tatkal booking for ${journey.trainNumber} of ${journey.runDate} in ${journey.classCode} opens at ${istText(opensAt)}`, {
              opensAt: new Date(opensAt).toISOString(),
            });
          }
          if (hold.reason === 'QUOTA_NOT_OFFERED') throw new AppError('QUOTA_NOT_OFFERED', `${journey.classCode} has no Tatkal quota`);
          if (hold.reason === 'CHART_PREPARED') {
            throw new AppError('CHART_PREPARED', `the chart of ${journey.trainNumber} of ${journey.runDate} ${journey.classCode} is prepared: booking has closed`);
          }
          // A retry (same Idempotency-Key) whose first attempt's hold has run out or been released.
          if (hold.reason === 'BOOKING_CLOSED') throw new AppError('HOLD_EXPIRED', `the hold of PNR ${pnr} has ended; book again with a new Idempotency-Key`);
          throw new AppError('INVALID_PASSENGERS', `the hold was refused: ${hold.reason}`);
        }
        // Durable before the answer: a traveller told "held" can always pay. If this fails the hold is
        // answered 503 and runs out by itself in the inventory; a retry with the same key finds it again.
        // A retry of a request whose hold was placed (same PNR) keeps that hold's deadline, as the inventory does.
        const held = await app.bookingActors.recordHeld({
          ...booking,
          seats: hold.seats,
          holdExpiresAt: hold.holdExpiresAt ?? holdExpiresAt,
          ...(hold.statuses ? { statuses: hold.statuses } : {}),
        });
        await app.availability.invalidate(key);
        req.log.info({ pnr, workflowId: bookingWorkflowId(pnr), inventoryWorkflowId: inventoryId }, 'booking held');
        app.metrics.bookingOutcome('held');
        const view = heldBookingView(held, held.heldAt ?? heldAt);
        return { status: 201, body: present(view) };
      }),
  );

  app.get(
    '/bookings/:pnr',
    {
      onRequest: [app.authenticate],
      schema: {
        tags: ['bookings'],
        summary: 'A booking (its owner, support or admin)',
        security: [{ bearerAuth: [] }],
        description:
          'The live state from the booking actor (source "live"). While Temporal is unavailable, the booking as its records show it, with "stale": true and source "records"; 503 with Retry-After if it has no record yet.',
        params: PnrParams,
        response: { 200: BookingViewSchema, ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (req) => {
      const { view, source } = await loadBooking(req, req.params.pnr);
      return { ...present(view), source, ...(source === 'records' ? { stale: true } : {}) };
    },
  );

  app.post(
    '/bookings/:pnr/payment',
    {
      onRequest: [app.authenticate],
      bodyLimit: 4 * 1024,
      schema: {
        tags: ['bookings'],
        summary: 'Pay for a held booking',
        description:
          'Charges the card once (repeating the request never charges twice). 200 with the confirmed booking; 402 PAYMENT_DECLINED when the card is declined (the berths are released); 202 while a slow payment is still being processed (poll GET /bookings/{pnr}). Sandbox test cards are in payments/README.md.',
        security: [{ bearerAuth: [] }],
        params: PnrParams,
        body: Type.Object(
          {
            card: Type.Object(
              {
                number: Type.String({ pattern: '^[0-9 ]{12,23}$' }),
                expMonth: Int({ minimum: 1, maximum: 12 }),
                expYear: Int({ minimum: 2000, maximum: 2100 }),
                cvc: Type.String({ pattern: '^[0-9]{3,4}$' }),
                holder: Type.Optional(Text({ maxLength: 100 })),
              },
              { additionalProperties: false },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: BookingViewSchema, 202: BookingViewSchema, ...errorResponses(400, 401, 402, 404, 409, 413, 429, 503) },
      },
    },
    async (req, reply) => {
      app.temporalGate.check();
      const view = await bookingRef(req, req.params.pnr);
      const { handle } = view;
      if (view.userId !== req.user.sub) throw new AppError('FORBIDDEN', 'only the traveller who booked can pay');
      if (view.status === 'confirmed') return present(await stateOf(handle));
      if (!view.running || (view.status !== 'held' && view.status !== 'payment_pending')) {
        throw new AppError('BOOKING_NOT_PAYABLE', `booking is ${view.status}`);
      }
      let token;
      try {
        token = await app.payments.tokenize(req.body.card);
      } catch (err) {
        if (err instanceof CardInvalidError) throw new AppError('CARD_INVALID', err.message, { reason: err.code });
        throw err;
      }
      let sent;
      try {
        sent = await sendAndWait(view, payUpdate, { paymentToken: token.token, last4: token.last4 }, 'payment');
      } catch (err) {
        throw updateRefusal(err, 'BOOKING_NOT_PAYABLE') ?? err;
      }
      await app.availability.invalidate({ trainNumber: view.trainNumber, runDate: view.runDate, classCode: view.classCode });
      const result = sent.outcome;
      if (result === null) {
        req.log.info({ pnr: req.params.pnr, workflowId: bookingWorkflowId(req.params.pnr), accepted: sent.accepted }, 'payment pending');
        app.metrics.bookingOutcome('payment_pending');
        const pending = await pendingView(handle, req.params.pnr, sent.accepted ? { status: 'payment_pending' } : null, 'payment');
        return reply.status(202).send(present(pending));
      }
      if (result.status === 'payment_failed') {
        req.log.info({ pnr: req.params.pnr, workflowId: bookingWorkflowId(req.params.pnr), reason: result.lastError }, 'payment declined');
        app.metrics.bookingOutcome('payment_declined');
        throw new AppError('PAYMENT_DECLINED', result.lastError ?? 'the payment failed', { booking: present(result) });
      }
      req.log.info({ pnr: req.params.pnr, workflowId: bookingWorkflowId(req.params.pnr), status: result.status }, 'payment completed');
      if (result.status === 'confirmed') app.metrics.bookingOutcome('confirmed');
      return present(result);
    },
  );

  app.post(
    '/bookings/:pnr/cancel',
    {
      onRequest: [app.authenticate],
      bodyLimit: 4 * 1024,
      schema: {
        tags: ['bookings'],
        summary: 'Cancel a booking, or some of its passengers (refund by the cancellation rules)',
        description:
          '200 with the booking; 202 while the cancellation (and its refund) is still running after PAYMENT_WAIT_SECONDS: poll GET /bookings/{pnr}. With `passengers` (numbers as on the ticket, 1 = first), only those passengers of a confirmed booking are cancelled: each is refunded by the rules for their status, their berths go to the next in line, the others keep theirs, and a new ticket is emailed.',
        security: [{ bearerAuth: [] }],
        params: PnrParams,
        body: Type.Optional(
          Type.Object(
            {
              reason: Type.Optional(Text({ maxLength: 200 })),
              passengers: Type.Optional(Type.Array(Int({ minimum: 1, maximum: 6 }), { minItems: 1, maxItems: 6, uniqueItems: true })),
            },
            { additionalProperties: false },
          ),
        ),
        response: { 200: BookingViewSchema, 202: BookingViewSchema, ...errorResponses(400, 401, 404, 409, 413, 429, 503) },
      },
    },
    async (req, reply) => {
      app.temporalGate.check();
      const view = await bookingRef(req, req.params.pnr);
      const { handle } = view;
      if (view.status === 'cancelled') return present(await stateOf(handle));
      if (!view.running || (view.status !== 'held' && view.status !== 'confirmed')) {
        throw new AppError(view.status === 'payment_pending' ? 'PAYMENT_IN_PROGRESS' : 'BOOKING_NOT_CANCELLABLE', `booking is ${view.status}`);
      }
      const reason = req.body?.reason ?? 'requested by traveller';
      const by = `user:${req.user.sub}`;
      const some = req.body?.passengers;
      try {
        // The refund runs inside the update: its outcome is awaited as long as a payment's, then 202.
        const sent = some
          ? await sendAndWait(view, cancelPassengersUpdate, { passengerIndexes: some.map((n) => n - 1), reason, by }, 'cancellation')
          : await sendAndWait(view, cancelUpdate, { reason, by }, 'cancellation');
        const result = sent.outcome;
        if (result === null) {
          req.log.info({ pnr: req.params.pnr, workflowId: bookingWorkflowId(req.params.pnr), accepted: sent.accepted }, 'cancellation pending');
          return reply.status(202).send(present(await pendingView(handle, req.params.pnr, null, 'cancellation')));
        }
        await app.availability.invalidate({ trainNumber: view.trainNumber, runDate: view.runDate, classCode: view.classCode });
        req.log.info({ pnr: req.params.pnr, workflowId: bookingWorkflowId(req.params.pnr), refunded: result.amountRefunded }, 'booking cancelled');
        app.metrics.bookingOutcome('cancelled');
        return present(result);
      } catch (err) {
        if (err instanceof WorkflowFailedError) throw new AppError('BOOKING_NOT_CANCELLABLE', 'booking workflow failed');
        throw updateRefusal(err, 'BOOKING_NOT_CANCELLABLE') ?? err;
      }
    },
  );

  app.get(
    '/bookings/:pnr/notifications',
    {
      onRequest: [app.authenticate],
      schema: {
        tags: ['bookings'],
        summary: "The emails sent about a booking: what, to whom, when, status, attempts",
        security: [{ bearerAuth: [] }],
        params: PnrParams,
        response: {
          200: Type.Object({
            notifications: Type.Array(
              Type.Object({
                kind: Type.String(),
                recipient: Type.String(),
                subject: Type.String(),
                status: Type.String(),
                attempts: Type.Integer(),
                createdAt: Type.String(),
                sentAt: Type.Union([Type.String(), Type.Null()]),
                lastError: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (req) => {
      await loadBooking(req, req.params.pnr);
      const rows = await listNotifications(app.db, { pnr: req.params.pnr });
      return {
        notifications: rows.map((n) => ({
          kind: n.kind,
          recipient: n.recipient,
          subject: n.subject,
          status: n.status,
          attempts: n.attempts,
          createdAt: n.createdAt.toISOString(),
          sentAt: n.sentAt?.toISOString() ?? null,
          lastError: n.lastError,
        })),
      };
    },
  );

  app.get(
    '/bookings',
    {
      onRequest: [app.authenticate],
      schema: {
        tags: ['bookings'],
        summary: "The caller's bookings, newest first",
        security: [{ bearerAuth: [] }],
        querystring: Type.Object({
          limit: Int({ minimum: 1, maximum: 100, default: 20 }),
          offset: Int({ minimum: 0, maximum: 1_000_000, default: 0 }),
        }),
        response: {
          200: Type.Object({
            bookings: Type.Array(
              Type.Object({
                pnr: Type.String(),
                status: Type.String(),
                trainNumber: Type.String(),
                runDate: Type.String(),
                classCode: Type.String(),
                fromStation: Type.String(),
                toStation: Type.String(),
                fareTotal: Type.Integer(),
                amountPaid: Type.Integer(),
                amountRefunded: Type.Integer(),
                createdAt: Type.String(),
              }),
            ),
          }),
          ...errorResponses(400, 401),
        },
      },
    },
    async (req) => {
      const rows = await listUserBookings(app.db, req.user.sub, req.query.limit, req.query.offset);
      return { bookings: rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })) };
    },
  );

  app.get(
    '/trains/:number/availability',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Free berths per class for a segment on a date',
        description:
          'Berths of the quota pool asked for (default GN), with its adult fare (Tatkal: with the Tatkal charge); with a quota other than GN, only the classes that have it. Cached for a few seconds; a booking made through this API refreshes it at once. While the seat inventory cannot be reached, each class is answered from the last value read (stale: true, asOf: when it was read), or 503 with Retry-After when there is none.',
        params: Type.Object({ number: TrainNumber }),
        querystring: Type.Object({
          date: IsoDate,
          from: StationCode,
          to: StationCode,
          classCode: Type.Optional(ClassCodeSchema),
          quota: Type.Optional(QuotaSchema),
        }),
        response: {
          200: Type.Object({
            trainNumber: Type.String(),
            runDate: Type.String(),
            from: Type.String(),
            to: Type.String(),
            classes: Type.Array(
              Type.Object({
                classCode: Type.String(),
                available: Type.Integer(),
                byType: Type.Record(Type.String(), Type.Integer()),
                fare: Type.Integer({ description: 'adult fare, paise' }),
                stale: Type.Optional(Type.Boolean({ description: 'true: the last value read, the inventory being unreachable now' })),
                asOf: Type.Optional(Type.String({ description: 'when a stale value was read (ISO instant)' })),
              }),
            ),
            stale: Type.Boolean({ description: 'true when any class is answered from its last known value' }),
          }),
          ...errorResponses(400, 404, 503),
        },
      },
    },
    async (req) => {
      const { number } = req.params;
      const { date, from, to } = req.query;
      const quota: RailQuota = (req.query.quota as RailQuota | undefined) ?? 'GN';
      const info = await app.journeys.trainInfo(number);
      const offered = (c: string) => isClassCode(c) && quotaOffered(c, quota);
      if (req.query.classCode && !offered(req.query.classCode)) throw new AppError('QUOTA_NOT_OFFERED', `${req.query.classCode} has no ${quota} quota`);
      const classCodes = (req.query.classCode ? [req.query.classCode] : info.classes).filter(offered);
      const classes = [];
      let runDate = '';
      for (const classCode of classCodes) {
        const j = await app.journeys.plan({ trainNumber: number, date, classCode, from, to, quota });
        runDate = j.runDate;
        const a = await app.availability.get({ trainNumber: number, runDate: j.runDate, classCode, fromSeq: j.from.seq, toSeq: j.to.seq, quota });
        const fareInput = { classCode: j.classCode, distanceKm: j.distanceKm, superfast: j.superfast, passengers: [{ age: 30 }] };
        const fare = quota === 'TQ' ? tatkalFareQuote(fareInput) : fareQuote(fareInput);
        classes.push({
          classCode,
          available: a.available,
          byType: a.byType as Record<string, number>,
          fare: fare.total,
          ...(a.stale ? { stale: true, asOf: a.asOf } : {}),
        });
      }
      const stale = classes.some((c) => c.stale === true);
      return { trainNumber: number, runDate, from: from.toUpperCase(), to: to.toUpperCase(), classes, stale };
    },
  );
};

export default bookings;
