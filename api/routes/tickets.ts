// E-tickets: the PDF of a confirmed booking for its owner (and staff), and the
// staff check of a ticket's QR code (docs/architecture.md, "E-tickets and the
// signed QR code"). Both read the booking's Postgres record, not its actor:
// the record is written before the booking answers "confirmed".
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { findBooking } from '../../db/repositories/bookings';
import { isTicketed, ticketDocument } from '../../tickets/issue';
import { renderTicketPdf } from '../../tickets/pdf';
import { MAX_TICKET_QR_LENGTH, verifyTicketQr, type QrRefusal } from '../../tickets/signing';
import { AppError } from '../errors';
import { errorResponses } from '../schemas';
import { bookingFromRecords } from '../services/bookingRecords';

const PnrParams = Type.Object({ pnr: Type.String({ pattern: '^[0-9]{10}$', description: '10-digit PNR' }) });

const REFUSALS: Record<QrRefusal, string> = {
  MALFORMED: 'not a Railbook ticket QR code',
  UNSUPPORTED_VERSION: 'a ticket QR code of a version this server does not know',
  UNKNOWN_KEY: 'signed with a key this server does not know',
  BAD_SIGNATURE: 'the signature does not match: the QR code was altered or not made by Railbook',
  INVALID_PAYLOAD: 'signed, but its contents are not a ticket',
};

const VerifyAnswer = Type.Object({
  valid: Type.Boolean({ description: 'the QR code is a ticket signed with one of the server\'s keys' }),
  accept: Type.Boolean({ description: 'valid and the booking is confirmed now: the ticket may be honoured' }),
  reason: Type.Optional(
    Type.Union(
      (Object.keys(REFUSALS) as QrRefusal[]).map((r) => Type.Literal(r)),
      { description: 'why it is not valid' },
    ),
  ),
  message: Type.String(),
  version: Type.Optional(Type.Integer()),
  keyId: Type.Optional(Type.String()),
  ticket: Type.Optional(
    Type.Object({
      pnr: Type.String(),
      trainNumber: Type.String(),
      runDate: Type.String(),
      classCode: Type.String(),
      quota: Type.String(),
      from: Type.String(),
      to: Type.String(),
      passengers: Type.Array(Type.Object({ name: Type.String(), age: Type.Integer(), gender: Type.String(), status: Type.String() })),
      amountPaid: Type.Integer({ description: 'paise' }),
      issuedAt: Type.String({ description: 'ISO instant this copy of the ticket was made' }),
    }),
  ),
  booking: Type.Optional(
    Type.Object({
      found: Type.Boolean(),
      status: Type.Union([Type.String(), Type.Null()], { description: "the booking's status in the records now; null when there is no record" }),
    }),
  ),
});

const tickets: FastifyPluginAsyncTypebox = async (app) => {
  const staff = app.requireRole('support', 'admin');
  const { keys } = app.config.tickets;

  app.get(
    '/bookings/:pnr/ticket.pdf',
    {
      onRequest: [app.authenticate],
      schema: {
        tags: ['bookings'],
        summary: 'The e-ticket of a confirmed booking, as a PDF with a signed QR code (its owner, support or admin)',
        security: [{ bearerAuth: [] }],
        description:
          "Made from the booking's records: PNR, train, date, class, quota, stations, each passenger's status, the fare and a QR code " +
          'signed by the server (POST /support/tickets/verify checks one). 409 TICKET_NOT_ISSUED while the booking is not confirmed. ' +
          "Someone else's booking answers 404, as GET /bookings/{pnr} does.",
        params: PnrParams,
        response: {
          // A plain JSON schema (not TypeBox): the reply is a Buffer, sent as is, never serialised.
          200: { description: 'The e-ticket', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } },
          ...errorResponses(400, 401, 404, 409, 503),
        },
      },
    },
    async (req, reply) => {
      const { pnr } = req.params;
      const view = await bookingFromRecords(app.db, app.journeys, pnr);
      const staffUser = req.user.role === 'support' || req.user.role === 'admin';
      if (!view || (!staffUser && view.userId !== req.user.sub)) throw new AppError('BOOKING_NOT_FOUND', `no booking with PNR ${pnr}`);
      if (!isTicketed(view)) {
        throw new AppError('TICKET_NOT_ISSUED', `booking ${pnr} is ${view.status}: only a confirmed booking has a ticket`, { status: view.status });
      }
      const pdf = await renderTicketPdf(await ticketDocument(app.journeys, keys, view));
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="railbook-ticket-${pnr}.pdf"`)
        .header('cache-control', 'private, no-store')
        .send(pdf);
    },
  );

  app.post(
    '/support/tickets/verify',
    {
      onRequest: [staff],
      bodyLimit: 8 * 1024,
      schema: {
        tags: ['support'],
        summary: "Check an e-ticket's QR code: its signature, what it says, and the booking's status now",
        security: [{ bearerAuth: [] }],
        description:
          'Send the text the QR code decodes to. 200 with valid false and a reason when it is not a ticket signed by this server ' +
          '(altered, malformed, another key); with valid true, the ticket as signed and the booking\'s current status: a ticket ' +
          'whose booking was cancelled since is valid but not accepted.',
        body: Type.Object({ qr: Type.String({ minLength: 1, maxLength: MAX_TICKET_QR_LENGTH }) }, { additionalProperties: false }),
        response: { 200: VerifyAnswer, ...errorResponses(400, 401, 403, 413, 415, 503) },
      },
    },
    async (req) => {
      const checked = verifyTicketQr(req.body.qr, keys);
      if (!checked.valid) return { valid: false, accept: false, reason: checked.reason, message: REFUSALS[checked.reason] };
      const { payload } = checked;
      const row = await findBooking(app.db, payload.pnr);
      const status = row?.status ?? null;
      const accept = status === 'confirmed';
      return {
        valid: true,
        accept,
        message: accept
          ? 'valid ticket; the booking is confirmed'
          : status
            ? `the signature is valid, but the booking is ${status} now: do not honour this ticket`
            : 'the signature is valid, but there is no booking with this PNR',
        version: checked.version,
        keyId: checked.keyId,
        ticket: { ...payload, issuedAt: new Date(payload.issuedAt * 1000).toISOString() },
        booking: { found: row !== undefined, status },
      };
    },
  );
};

export default tickets;
