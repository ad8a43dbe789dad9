// Shared JSON schemas (TypeBox) for routes and the OpenAPI document.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ERROR_STATUS } from './errors';

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(Object.keys(ERROR_STATUS).map((c) => Type.Literal(c))),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
    requestId: Type.String(),
  },
  { $id: 'ErrorResponse', description: 'Every 4xx/5xx answer has this shape; switch on error.code.' },
);

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, Type.Ref('ErrorResponse')]));

export const ClassCodeSchema = Type.Union(['1A', '2A', '3A', 'SL', 'CC', 'EC', '2S'].map((c) => Type.Literal(c)));
export const QuotaSchema = Type.Union(['GN', 'TQ', 'LD', 'SS'].map((q) => Type.Literal(q)), {
  description: 'GN general, TQ Tatkal, LD ladies, SS senior citizen / lower berth (docs/railway-rules.md)',
});
export const StationCode = Type.String({ pattern: '^[A-Za-z0-9]{1,8}$', description: 'Station code, e.g. NDLS' });
export const TrainNumber = Type.String({ pattern: '^[0-9]{5}$', description: '5-digit train number, e.g. 12951' });
export const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD', examples: ['2026-12-24'] });

/**
 * An integer that is really one: ajv 8 coerces a query or body string like "1e309" to Infinity and then
 * skips minimum/maximum; the allOf checks the coerced value again (found by fuzz/).
 */
export const Int = (opts: { minimum?: number; maximum?: number; default?: number; description?: string } = {}) =>
  Type.Integer({ ...opts, allOf: [{ type: 'integer' }] });

/**
 * Free text Postgres can store, in a text column or inside jsonb (audit details, workflow payloads written
 * by activities): no NUL and no unpaired UTF-16 surrogate, both of which Postgres refuses (found by fuzz/).
 * `nonBlank` also requires a character other than whitespace.
 */
export const Text = (opts: { minLength?: number; maxLength: number; nonBlank?: boolean; description?: string }) => {
  const { nonBlank, ...rest } = opts;
  return Type.String({ ...rest, pattern: `^${nonBlank ? '(?=[\\s\\S]*\\S)' : ''}[^\\u0000\\uD800-\\uDFFF]*$` });
};

export const Station = Type.Object({
  code: Type.String(),
  name: Type.String(),
  state: Type.Union([Type.String(), Type.Null()]),
  zone: Type.Union([Type.String(), Type.Null()]),
  lat: Type.Union([Type.Number(), Type.Null()]),
  lon: Type.Union([Type.Number(), Type.Null()]),
});
export type StationT = Static<typeof Station>;

export const Role = Type.Union([Type.Literal('traveller'), Type.Literal('support'), Type.Literal('admin')]);
export const PublicUser = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  name: Type.String(),
  role: Role,
});

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const BerthTypeSchema = Type.Union(['LB', 'MB', 'UB', 'SL', 'SU', 'WS', 'MS', 'AS'].map((t) => Type.Literal(t)));

export const PassengerInputSchema = Type.Object(
  {
    name: Text({ minLength: 1, maxLength: 60, nonBlank: true }),
    age: Int({ minimum: 0, maximum: 125 }),
    gender: Type.Union([Type.Literal('M'), Type.Literal('F'), Type.Literal('T')]),
    berthPreference: Type.Optional(BerthTypeSchema),
  },
  { additionalProperties: false },
);

const StopRefSchema = Type.Object({ code: Type.String(), name: Type.String(), seq: Type.Integer(), time: Type.String() });

export const BookingViewSchema = Type.Object(
  {
    pnr: Type.String(),
    status: Type.String({ description: 'held, payment_pending, confirmed, expired, payment_failed, cancelled, failed' }),
    trainNumber: Type.String(),
    trainName: Type.String(),
    runDate: Type.String(),
    classCode: Type.String(),
    quota: Type.Optional(QuotaSchema),
    from: StopRefSchema,
    to: StopRefSchema,
    passengers: Type.Array(
      Type.Object({
        name: Type.String(),
        age: Type.Integer(),
        gender: Type.String(),
        preference: Type.Optional(Type.String()),
        coach: Nullable(Type.String()),
        berthNo: Nullable(Type.Integer()),
        berthType: Nullable(Type.String()),
        currentStatus: Type.Optional(Type.String({ description: 'CNF, RAC n (sharing a side-lower berth) or a waitlist number such as GNWL 12' })),
        bookingStatus: Type.Optional(Type.String({ description: 'the status given at booking' })),
      }),
    ),
    ticketStatus: Type.Optional(
      Type.Union([Type.Literal('CNF'), Type.Literal('RAC'), Type.Literal('WL')], {
        description: 'CNF: every passenger has a berth; RAC: the others share side-lower berths; WL: some passenger is waitlisted',
      }),
    ),
    fareTotal: Type.Integer({ description: 'paise' }),
    amountPaid: Type.Integer({ description: 'paise' }),
    amountRefunded: Type.Integer({ description: 'paise' }),
    holdExpiresAt: Nullable(Type.String({ description: 'ISO instant; null once the hold is over' })),
    paymentAttempts: Type.Integer(),
    lastError: Nullable(Type.String()),
    ticketSent: Type.Boolean(),
    ticketDelivery: Type.Optional(
      Type.Union([Type.Literal('pending'), Type.Literal('sent'), Type.Literal('failed')], {
        description: 'failed: the mail server kept refusing the ticket; support resends it',
      }),
    ),
    reminderSent: Type.Boolean(),
    refundOwed: Type.Optional(Type.Integer({ description: 'paise of a refund the gateway rejected, waiting for support; 0 when none' })),
    attention: Type.Optional(
      Type.Array(Type.String(), { description: 'what support must act on (ticket_delivery_failed, notice_delivery_failed, refund_rejected)' }),
    ),
    history: Type.Array(Type.Object({ at: Type.String(), event: Type.String(), detail: Type.Optional(Type.String()) })),
    source: Type.Optional(
      Type.Union([Type.Literal('live'), Type.Literal('records')], {
        description: 'live: from the booking actor; records: from the database while Temporal is unavailable (see stale)',
      }),
    ),
    stale: Type.Optional(
      Type.Boolean({
        description:
          'true when answered from the records during an outage: status, berths and amounts as last recorded; paymentAttempts, lastError, ticket and history are not known then',
      }),
    ),
  },
  { $id: 'Booking' },
);
