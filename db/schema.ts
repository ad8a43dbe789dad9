// The final records. Temporal workflows own the live state of a booking and
// of a run's inventory; these tables keep what must outlive them and what the
// API reads. Money is stored in paise (integers), times of day in minutes.
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgSchema,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

export const berthType = pgEnum('berth_type', ['LB', 'MB', 'UB', 'SL', 'SU', 'WS', 'MS', 'AS']);
export const userRole = pgEnum('user_role', ['traveller', 'support', 'admin']);
export const bookingStatus = pgEnum('booking_status', [
  'held',
  'payment_pending',
  'confirmed',
  'expired',
  'payment_failed',
  'cancelled',
  'failed',
]);
export const allocationStatus = pgEnum('allocation_status', ['confirmed', 'cancelled']);
export const runStatus = pgEnum('run_status', ['open', 'closed', 'cancelled', 'departed']);
export const paymentStatus = pgEnum('payment_status', ['pending', 'succeeded', 'declined', 'failed']);
export const refundStatus = pgEnum('refund_status', ['pending', 'succeeded', 'failed']);
export const notificationStatus = pgEnum('notification_status', ['pending', 'sent', 'failed']);

export const stations = pgTable(
  'stations',
  {
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    state: text('state'),
    zone: text('zone'),
    lat: doublePrecision('lat'),
    lon: doublePrecision('lon'),
  },
  (t) => [index('stations_name_prefix_idx').on(sql`lower(${t.name}) text_pattern_ops`)],
);

export const trains = pgTable('trains', {
  number: text('number').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind').notNull(), // rajdhani, shatabdi, superfast, express, passenger… (drives coaches and fares)
  superfast: boolean('superfast').notNull().default(false),
  fromStation: text('from_station').notNull().references(() => stations.code),
  toStation: text('to_station').notNull().references(() => stations.code),
  distanceKm: integer('distance_km').notNull(),
  durationMin: integer('duration_min').notNull(),
  departureMin: integer('departure_min').notNull(), // minutes after midnight at the origin (derived, see db/seed)
  runsOn: smallint('runs_on').notNull(), // bit 0 = Monday … bit 6 = Sunday, weekday of departure from origin
  pairNumber: text('pair_number'),
  derived: jsonb('derived').$type<Record<string, string>>(), // which figures the importer derived, and how
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const trainStops = pgTable(
  'train_stops',
  {
    trainNumber: text('train_number')
      .notNull()
      .references(() => trains.number, { onDelete: 'cascade' }),
    seq: smallint('seq').notNull(),
    stationCode: text('station_code')
      .notNull()
      .references(() => stations.code),
    kmFromOrigin: integer('km_from_origin').notNull(),
    // Day 0 = the run date; null arrival at the origin, null departure at the terminus.
    arrivalDay: smallint('arrival_day'),
    arrivalMin: smallint('arrival_min'),
    departureDay: smallint('departure_day'),
    departureMin: smallint('departure_min'),
  },
  (t) => [
    primaryKey({ columns: [t.trainNumber, t.seq] }),
    uniqueIndex('train_stops_train_station_uq').on(t.trainNumber, t.stationCode),
    index('train_stops_station_idx').on(t.stationCode),
  ],
);

export const travelClasses = pgTable('travel_classes', {
  code: text('code').primaryKey(), // 1A, 2A, 3A, SL, CC, EC, 2S
  name: text('name').notNull(),
  sleeper: boolean('sleeper').notNull(),
  ac: boolean('ac').notNull(),
  coachPrefix: text('coach_prefix').notNull(), // A for 2A → A1, A2 …
  berthsPerCoach: smallint('berths_per_coach').notNull(),
});

// One row per berth (or seat) position of a coach of that class.
export const coachLayoutBerths = pgTable(
  'coach_layout_berths',
  {
    classCode: text('class_code')
      .notNull()
      .references(() => travelClasses.code),
    berthNo: smallint('berth_no').notNull(),
    berthType: berthType('berth_type').notNull(),
  },
  (t) => [primaryKey({ columns: [t.classCode, t.berthNo] })],
);

// The coaches a train runs with, by class; the composition rule is in db/seed.
export const trainCoaches = pgTable(
  'train_coaches',
  {
    trainNumber: text('train_number')
      .notNull()
      .references(() => trains.number, { onDelete: 'cascade' }),
    coach: text('coach').notNull(), // S1, B2, A1, H1, C3, E1, D4
    classCode: text('class_code')
      .notNull()
      .references(() => travelClasses.code),
    position: smallint('position').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.trainNumber, t.coach] }),
    index('train_coaches_class_idx').on(t.trainNumber, t.classCode),
  ],
);

export const trainRuns = pgTable(
  'train_runs',
  {
    id: serial('id').primaryKey(),
    trainNumber: text('train_number')
      .notNull()
      .references(() => trains.number, { onDelete: 'cascade' }),
    runDate: date('run_date', { mode: 'string' }).notNull(), // departure date from the origin
    status: runStatus('status').notNull().default('open'),
    delayMin: integer('delay_min').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('train_runs_train_date_uq').on(t.trainNumber, t.runDate)],
);

/**
 * A run's chart per class, as the inventory prepared it (issue 10, item 7): final berths over their segments,
 * RAC berths and the passengers dropped from the waitlist (domain/chart.ts ChartView). Written once, idempotently.
 */
export const runCharts = pgTable(
  'run_charts',
  {
    trainNumber: text('train_number').notNull(),
    runDate: date('run_date', { mode: 'string' }).notNull(),
    classCode: text('class_code').notNull(),
    preparedAt: timestamp('prepared_at', { withTimezone: true }).notNull(),
    preparedBy: text('prepared_by').notNull(),
    workflowId: text('workflow_id').notNull(),
    summary: jsonb('summary').notNull(),
    chart: jsonb('chart').notNull(),
  },
  (t) => [primaryKey({ columns: [t.trainNumber, t.runDate, t.classCode] })],
);

export type RunChartRow = typeof runCharts.$inferSelect;

export const users = pgTable(
  'users',
  {
    id: serial('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: userRole('role').notNull().default('traveller'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_email_uq').on(sql`lower(${t.email})`)],
);

export const bookings = pgTable(
  'bookings',
  {
    pnr: text('pnr').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    runId: integer('run_id')
      .notNull()
      .references(() => trainRuns.id),
    classCode: text('class_code')
      .notNull()
      .references(() => travelClasses.code),
    /** GN, TQ, LD or SS (docs/railway-rules.md). */
    quota: text('quota').notNull().default('GN'),
    fromSeq: smallint('from_seq').notNull(),
    toSeq: smallint('to_seq').notNull(),
    fromStation: text('from_station').notNull(),
    toStation: text('to_station').notNull(),
    status: bookingStatus('status').notNull(),
    fareTotal: integer('fare_total').notNull(), // paise
    amountPaid: integer('amount_paid').notNull().default(0),
    amountRefunded: integer('amount_refunded').notNull().default(0),
    holdExpiresAt: timestamp('hold_expires_at', { withTimezone: true }),
    workflowId: text('workflow_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('bookings_pnr_format', sql`${t.pnr} ~ '^[0-9]{10}$'`),
    check('bookings_segment', sql`${t.fromSeq} < ${t.toSeq}`),
    index('bookings_user_idx').on(t.userId, t.createdAt),
    index('bookings_run_idx').on(t.runId, t.status),
  ],
);

export const passengers = pgTable(
  'passengers',
  {
    pnr: text('pnr')
      .notNull()
      .references(() => bookings.pnr, { onDelete: 'cascade' }),
    idx: smallint('idx').notNull(),
    name: text('name').notNull(),
    age: smallint('age').notNull(),
    gender: text('gender').notNull(),
    berthPreference: berthType('berth_preference'),
    coach: text('coach'),
    berthNo: smallint('berth_no'),
    berthType: berthType('berth_type'),
    fare: integer('fare').notNull().default(0),
    /** CNF, RAC n or <kind> n (GNWL 12) now; null: confirmed the ordinary way (or not yet held). */
    currentStatus: text('current_status'),
    /** The status given at booking; null as above. */
    bookingStatus: text('booking_status'),
  },
  (t) => [primaryKey({ columns: [t.pnr, t.idx] }), check('passengers_age', sql`${t.age} between 0 and 125`)],
);

// The final record of who sits where: one row per passenger × berth × segment.
// An exclusion constraint (migration 0001) forbids two confirmed rows for the
// same berth of the same run over overlapping stop ranges, whatever the code does.
export const seatAllocations = pgTable(
  'seat_allocations',
  {
    id: serial('id').primaryKey(),
    pnr: text('pnr')
      .notNull()
      .references(() => bookings.pnr, { onDelete: 'cascade' }),
    passengerIdx: smallint('passenger_idx').notNull(),
    runId: integer('run_id')
      .notNull()
      .references(() => trainRuns.id),
    classCode: text('class_code').notNull(),
    coach: text('coach').notNull(),
    berthNo: smallint('berth_no').notNull(),
    fromSeq: smallint('from_seq').notNull(),
    toSeq: smallint('to_seq').notNull(),
    status: allocationStatus('status').notNull().default('confirmed'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('seat_allocations_pnr_passenger_uq').on(t.pnr, t.passengerIdx, t.coach, t.berthNo, t.fromSeq),
    check('seat_allocations_segment', sql`${t.fromSeq} < ${t.toSeq}`),
  ],
);

export const payments = pgTable(
  'payments',
  {
    id: serial('id').primaryKey(),
    pnr: text('pnr')
      .notNull()
      .references(() => bookings.pnr),
    idempotencyKey: text('idempotency_key').notNull(),
    provider: text('provider').notNull(),
    providerRef: text('provider_ref'),
    amount: integer('amount').notNull(),
    status: paymentStatus('status').notNull(),
    attempts: integer('attempts').notNull().default(1),
    failureCode: text('failure_code'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('payments_idempotency_uq').on(t.idempotencyKey)],
);

export const refunds = pgTable(
  'refunds',
  {
    id: serial('id').primaryKey(),
    pnr: text('pnr')
      .notNull()
      .references(() => bookings.pnr),
    paymentId: integer('payment_id').references(() => payments.id),
    idempotencyKey: text('idempotency_key').notNull(),
    providerRef: text('provider_ref'),
    amount: integer('amount').notNull(),
    reason: text('reason').notNull(),
    status: refundStatus('status').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('refunds_idempotency_uq').on(t.idempotencyKey)],
);

export const notifications = pgTable(
  'notifications',
  {
    id: serial('id').primaryKey(),
    // Unique per logical message (e.g. ticket:<PNR>, delay:<run>:<PNR>) so a retried send never sends twice.
    dedupeKey: text('dedupe_key').notNull(),
    kind: text('kind').notNull(),
    pnr: text('pnr'),
    userId: integer('user_id').references(() => users.id),
    recipient: text('recipient').notNull(),
    subject: text('subject').notNull(),
    status: notificationStatus('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    providerMessageId: text('provider_message_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('notifications_dedupe_uq').on(t.dedupeKey), index('notifications_pnr_idx').on(t.pnr)],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actor: text('actor').notNull(), // user:<id>, system, workflow:<id>
    action: text('action').notNull(),
    entity: text('entity').notNull(), // booking:<PNR>, train:<number>, run:<id>, user:<id>
    details: jsonb('details').$type<Record<string, unknown>>(),
  },
  (t) => [index('audit_log_entity_idx').on(t.entity, t.at)],
);

// Every PNR ever issued, and the inventory that holds its berths. A PNR names
// one booking forever: rows are never deleted, so the primary key makes a
// reissue impossible (a Redis reservation with a TTL could expire or be lost,
// and a reissued PNR's rows would merge into the old booking's). The inventory
// id lets the API find a held booking whose actor has not started yet without
// Redis. No foreign keys: the hold path's insert stays one index write.
// `booking` is the booking actor's input (contracts BookingInput), written with
// the held record: a booking has no actor until it is paid, cancelled or acted
// on by support, and whoever starts it reads its input here (docs/architecture.md,
// "Booking actors start on the first message").
export const pnrs = pgTable(
  'pnrs',
  {
    pnr: text('pnr').primaryKey(),
    inventoryWorkflowId: text('inventory_workflow_id').notNull(),
    userId: integer('user_id').notNull(),
    booking: jsonb('booking'),
    /** `<scope>:<Idempotency-Key>` of the request that took it: a retry after a 5xx reuses the PNR (db/repositories/pnrs.ts). */
    requestKey: text('request_key'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('pnrs_format', sql`${t.pnr} ~ '^[1-9][0-9]{9}$'`), index('pnrs_request_key').on(t.requestKey)],
);

export const idempotencyState = pgEnum('idempotency_state', ['pending', 'done']);

// The first answer to each Idempotency-Key (api/services/idempotency.ts), kept
// here rather than in Redis so a flush or an outage of Redis cannot let a
// retry act twice. `claim` identifies the request holding a pending row, so a
// request whose stale claim was taken over cannot overwrite the new answer.
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    fingerprint: text('fingerprint').notNull(),
    state: idempotencyState('state').notNull().default('pending'),
    claim: text('claim').notNull(),
    status: smallint('status'),
    body: jsonb('body'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_keys_expires_idx').on(t.expiresAt)],
);

export type Station = typeof stations.$inferSelect;
export type NewStation = typeof stations.$inferInsert;
export type Train = typeof trains.$inferSelect;
export type NewTrain = typeof trains.$inferInsert;
export type TrainStop = typeof trainStops.$inferSelect;
export type NewTrainStop = typeof trainStops.$inferInsert;
export type TravelClass = typeof travelClasses.$inferSelect;
export type CoachLayoutBerth = typeof coachLayoutBerths.$inferSelect;
export type TrainCoach = typeof trainCoaches.$inferSelect;
export type NewTrainCoach = typeof trainCoaches.$inferInsert;
export type TrainRun = typeof trainRuns.$inferSelect;
export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type Booking = typeof bookings.$inferSelect;
export type NewBooking = typeof bookings.$inferInsert;
export type Passenger = typeof passengers.$inferSelect;
export type SeatAllocation = typeof seatAllocations.$inferSelect;
export type Payment = typeof payments.$inferSelect;
export type Refund = typeof refunds.$inferSelect;
export type Notification = typeof notifications.$inferSelect;
export type NewNotification = typeof notifications.$inferInsert;
export type AuditEntry = typeof auditLog.$inferSelect;
export type PnrRow = typeof pnrs.$inferSelect;
export type IdempotencyRow = typeof idempotencyKeys.$inferSelect;

// The sandbox payment provider's own ledger. It stands in for a real gateway's
// servers, so it lives in its own schema and only payments/sandbox.ts touches it.
export const paymentSandbox = pgSchema('payment_sandbox');

export const sandboxTokens = paymentSandbox.table('tokens', {
  token: text('token').primaryKey(),
  last4: text('last4').notNull(),
  brand: text('brand').notNull(),
  behaviour: text('behaviour').notNull(), // success, decline, insufficient_funds, transient, slow
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const sandboxCharges = paymentSandbox.table('charges', {
  id: text('id').primaryKey(),
  idempotencyKey: text('idempotency_key').notNull().unique(),
  token: text('token').notNull(),
  amount: integer('amount').notNull(),
  currency: text('currency').notNull(),
  status: text('status').notNull(), // succeeded, declined
  declineCode: text('decline_code'),
  attempts: integer('attempts').notNull().default(0),
  refundedAmount: integer('refunded_amount').notNull().default(0),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const sandboxRefunds = paymentSandbox.table('refunds', {
  id: text('id').primaryKey(),
  idempotencyKey: text('idempotency_key').notNull().unique(),
  chargeId: text('charge_id')
    .notNull()
    .references(() => sandboxCharges.id),
  amount: integer('amount').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
