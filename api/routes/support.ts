// Support staff (role support or admin): the actions the Temporal UI also
// offers on a booking workflow, through the API, with the acting user recorded.
import { randomUUID } from 'node:crypto';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import {
  cancelUpdate,
  extendHoldSignal,
  resendTicketSignal,
  recordManualRefundUpdate,
  retryPaymentUpdate,
  retryRefundUpdate,
  type BookingView,
} from '../../contracts';
import { auditTrail } from '../../db/repositories/audit';
import { AppError, type ErrorCode } from '../errors';
import { BookingViewSchema, Int, Text, errorResponses } from '../schemas';
import type { LiveBooking } from '../services/bookingActors';

const PnrParams = Type.Object({ pnr: Type.String({ pattern: '^[0-9]{10}$' }) });
const Accepted = Type.Object({ accepted: Type.Boolean(), action: Type.String() });

function present(v: BookingView) {
  return {
    ...v,
    holdExpiresAt: v.holdExpiresAt === null ? null : new Date(v.holdExpiresAt).toISOString(),
    history: v.history.map((h) => ({ ...h, at: new Date(h.at).toISOString() })),
  };
}

function rejection(err: unknown): AppError | null {
  if (err instanceof WorkflowNotFoundError) return new AppError('BOOKING_NOT_FOUND', 'no live booking with this PNR');
  if (!(err instanceof WorkflowUpdateFailedError)) return null;
  const m = /^([A-Z_]+): (.*)$/.exec((err.cause as Error | undefined)?.message ?? '');
  const codes: ErrorCode[] = ['HOLD_EXPIRED', 'BOOKING_NOT_PAYABLE', 'BOOKING_NOT_CANCELLABLE', 'PAYMENT_IN_PROGRESS', 'REFUND_NOT_OWED'];
  if (m && codes.includes(m[1] as ErrorCode)) return new AppError(m[1] as ErrorCode, m[2] ?? '');
  return null;
}

const support: FastifyPluginAsyncTypebox = async (app) => {
  const staff = app.requireRole('support', 'admin');
  const by = (sub: number) => `user:${sub}`;
  const { deadlines, booking } = app.config;
  /** Temporal calls under a deadline and the Temporal gate: 503 + Retry-After while it is down. */
  const temporal = <T>(fn: () => Promise<T>, ms = deadlines.temporalCallMs) => app.withTemporal(ms, fn);
  /** Updates that charge or refund run activities: their outcome is awaited as long as a payment is. */
  const updateWaitMs = booking.paymentWaitSeconds * 1000;

  /**
   * The booking's state, to validate a signal before sending it (signals
   * cannot be refused), and its actor, started now if the inventory has not yet.
   */
  async function live(pnr: string): Promise<LiveBooking> {
    const found = await temporal(() => app.bookingActors.live(pnr, { start: true }));
    if (!found) throw new AppError('BOOKING_NOT_FOUND', 'no live booking with this PNR');
    return found;
  }

  const base = (summary: string) => ({ tags: ['support'], summary, security: [{ bearerAuth: [] }], params: PnrParams });

  app.post(
    '/support/bookings/:pnr/extend-hold',
    {
      onRequest: [staff],
      schema: {
        ...base('Extend the hold of an unpaid booking by 1–60 minutes'),
        body: Type.Object({ minutes: Int({ minimum: 1, maximum: 60 }) }, { additionalProperties: false }),
        response: { 202: Accepted, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const { view, handle } = await live(req.params.pnr);
      if (view.status !== 'held') throw new AppError('BOOKING_NOT_PAYABLE', `only a held booking can be extended; it is ${view.status}`);
      await temporal(() => handle.signal(extendHoldSignal, { minutes: req.body.minutes, by: by(req.user.sub) }));
      return reply.status(202).send({ accepted: true, action: 'extendHold' });
    },
  );

  app.post(
    '/support/bookings/:pnr/resend-ticket',
    { onRequest: [staff], schema: { ...base('Email the ticket again'), response: { 202: Accepted, ...errorResponses(400, 401, 403, 404, 409) } } },
    async (req, reply) => {
      const { view, handle } = await live(req.params.pnr);
      if (view.status !== 'confirmed') throw new AppError('BOOKING_NOT_CANCELLABLE', `only a confirmed booking has a ticket; it is ${view.status}`);
      await temporal(() => handle.signal(resendTicketSignal, { by: by(req.user.sub), requestId: randomUUID() }));
      return reply.status(202).send({ accepted: true, action: 'resendTicket' });
    },
  );

  app.post(
    '/support/bookings/:pnr/retry-payment',
    {
      onRequest: [staff],
      schema: { ...base('Charge again after a payment attempt failed for a transient reason'), response: { 200: BookingViewSchema, ...errorResponses(400, 401, 403, 404, 409) } },
    },
    async (req) => {
      try {
        const { handle } = await live(req.params.pnr);
        return present(await temporal(() => handle.executeUpdate(retryPaymentUpdate, { args: [{ by: by(req.user.sub) }] }), updateWaitMs));
      } catch (err) {
        throw rejection(err) ?? err;
      }
    },
  );

  app.post(
    '/support/bookings/:pnr/retry-refund',
    {
      onRequest: [staff],
      schema: {
        ...base('Try again a refund the gateway rejected (the booking is in the support queue: NeedsAttention refund_rejected)'),
        response: { 200: BookingViewSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      try {
        const { handle } = await live(req.params.pnr);
        return present(await temporal(() => handle.executeUpdate(retryRefundUpdate, { args: [{ by: by(req.user.sub) }] }), updateWaitMs));
      } catch (err) {
        throw rejection(err) ?? err;
      }
    },
  );

  app.post(
    '/support/bookings/:pnr/record-refund',
    {
      onRequest: [staff],
      schema: {
        ...base('Record a refund made outside the gateway (bank transfer…) for a refund the gateway rejected; the booking then closes'),
        body: Type.Object({ reference: Text({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: BookingViewSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      try {
        const { handle } = await live(req.params.pnr);
        const args: [{ by: string; reference: string }] = [{ by: by(req.user.sub), reference: req.body.reference }];
        return present(await temporal(() => handle.executeUpdate(recordManualRefundUpdate, { args }), updateWaitMs));
      } catch (err) {
        throw rejection(err) ?? err;
      }
    },
  );

  app.post(
    '/support/bookings/:pnr/cancel',
    {
      onRequest: [staff],
      schema: {
        ...base('Cancel a booking with refund by the rules'),
        body: Type.Object({ reason: Text({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: BookingViewSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      try {
        const { handle } = await live(req.params.pnr);
        return present(
          await temporal(() => handle.executeUpdate(cancelUpdate, { args: [{ reason: req.body.reason, by: by(req.user.sub) }] }), updateWaitMs),
        );
      } catch (err) {
        throw rejection(err) ?? err;
      }
    },
  );

  app.get(
    '/support/bookings/:pnr/audit',
    {
      onRequest: [staff],
      schema: {
        ...base("The booking's audit trail, newest first"),
        response: {
          200: Type.Object({
            entries: Type.Array(Type.Object({ at: Type.String(), actor: Type.String(), action: Type.String(), details: Type.Unknown() })),
          }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (req) => {
      const rows = await auditTrail(app.db, `booking:${req.params.pnr}`);
      return { entries: rows.map((r) => ({ at: r.at.toISOString(), actor: r.actor, action: r.action, details: r.details })) };
    },
  );
};

export default support;
