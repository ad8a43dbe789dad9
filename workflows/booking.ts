// The booking actor: one workflow per booking (booking-<PNR>). It owns the
// booking's life: hold (already placed in the inventory by the API) → hold
// timer → payment with retries → confirm in the inventory → final records →
// ticket → reminder → departure; or expiry/decline → release; or cancellation
// → refund → release. Support staff act on it through validated, audited
// signals and updates (contracts/booking.ts).
// Invariant: money is never kept without a ticket — every path that may have
// taken a payment and did not confirm ends in a refund, and a refund the
// gateway rejects waits here for support (NeedsAttention = refund_rejected)
// instead of failing the workflow. Nothing after the charge (mail, signals to
// an inventory that has ended) can fail a booking: such failures are recorded
// for support (NeedsAttention) and the booking goes on.
// Which message is accepted in which state is decided by domain/bookingRules.ts
// (pure, tested exhaustively); this file routes messages, timers and activities.
//
// Versioning: histories in test/fixtures/histories/ are frozen; a change that
// alters the commands of a path those histories take goes under patched()
// (docs/architecture.md, "Changing a workflow safely").
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  log,
  metricMeter,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  bookingStateQuery,
  cancelPassengersUpdate,
  cancelUpdate,
  extendHoldSignal,
  passengerStatusChangedSignal,
  passengersWithBerths,
  payUpdate,
  railwayCancelSignal,
  recordManualRefundUpdate,
  resendTicketSignal,
  retryPaymentUpdate,
  retryRefundUpdate,
  seatsConfirmedSignal,
  ticketStatusOf,
  type BookingInput,
  type StatusNotice,
  type BookingStatus,
  type BookingView,
  type PaymentInfo,
} from '../contracts/booking';
import { FailureType } from '../contracts/failures';
import {
  actorRefusal,
  cancelRefusal,
  FINAL_PAYMENT_FAILURES,
  payRefusal,
  partialCancelRefusal,
  paymentFailureOutcome,
  refundFailureNeedsSupport,
  refundResolutionRefusal,
  retryPaymentRefusal,
  type Attention,
  type BookingFacts,
  type Refusal,
} from '../domain/bookingRules';
import { confirmSeatsSignal, releasePassengersSignal, releaseSeatsSignal, type ConfirmResult, type ReleaseRequest } from '../contracts/inventory';
import { SA } from '../contracts/searchAttributeKeys';
import type { AllocatedSeat } from '../domain/allocation';
import { fullRefund, refundQuote } from '../domain/refunds';
import { partialCancellationQuote, type PartialCancellationQuote, type TicketStatus } from '../domain/partialCancellation';
import { cancellationEmail, chartEmail, partialCancellationEmail, reminderEmail, rupees, statusChangeEmail, ticketEmail } from '../domain/ticket';
import type { ClassCode } from '../domain/types';
import { railStatusLabel as statusLabel, type RailPassengerStatus as PassengerStatus } from '../domain/railInventory';

const db = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// The held record is written inside the actor's first workflow task (no
// activity task round trip): after a rush, actors start by the thousand.
const firstWrite = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// A charge is retried with backoff on transient gateway failures; a decline is final.
// The timeout bounds how long a charge lost with a crashed worker waits before it is retried.
const paymentActivities = (maximumAttempts: number) =>
  proxyActivities<Activities>({
    startToCloseTimeout: '15 seconds',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '10 seconds',
      maximumAttempts,
      nonRetryableErrorTypes: [...FINAL_PAYMENT_FAILURES],
    },
  });
/**
 * Patch: on actors started since, the sale in the inventory and the confirmed
 * record run as local activities in the workflow task that receives the
 * charge's result, and the pay is answered from it (docs/architecture.md,
 * "The pay path"). The charge stays an activity: a gateway may take seconds,
 * and a workflow task held open by a local activity answers no query
 * meanwhile. Actors started before keep the signal path to the end.
 */
export const PAY_PATH_PATCH = 'booking-pay-path-local';
/**
 * Patch: a cancellation (whole or of some passengers) is written to Postgres
 * before the inventory is told its berths are free. The other order let the
 * inventory resell or promote into a berth whose confirmed row was not yet
 * cancelled, and the exclusion constraint refused the new owner's record (a
 * paid booking failed and refunded, or a promotion went unrecorded; found by
 * test/integration/railway.stampede.test.ts).
 */
export const RECORD_BEFORE_RELEASE_PATCH = 'booking-record-cancel-before-release';
// The sale and its record: retried until they succeed (an inventory loading or continuing as new, Postgres
// down), except what is final: no inventory to sell (answered ok: false) and a seat conflict (refunded).
const localSale = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});
// bookingV2's first charge attempt, when the booking's input gives it a time (see `charge` in runBooking).
const firstChargeActivities = (timeoutMs: number) =>
  proxyLocalActivities<Activities>({ startToCloseTimeout: timeoutMs, retry: { maximumAttempts: 1 } });
// Refunds must eventually happen: transient failures are retried without a
// limit; a rejection (RefundRejected, non-retryable) goes to support.
const refunds = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
// Mail is retried with backoff for about 20 minutes (a mail server's outage),
// then recorded as failed for support to resend: it never fails a booking.
const mail = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

// Worker metrics (Prometheus, prefixed temporal_): what support's queue receives.
const attentionRaised = metricMeter.createCounter('railbook_booking_attention', 'count', 'bookings flagged for support (NeedsAttention), by reason');

function failureType(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof Error ? cause.message : String(err);
}

/** A validator's refusal, as the API reads it: `CODE: message`. */
function refused(r: Refusal | null): void {
  if (r) throw new Error(`${r.code}: ${r.message}`);
}

type SupportAction = { kind: 'extendHold'; minutes: number; by: string } | { kind: 'resendTicket'; by: string; requestId: string };
type CancelRequest = { reason: string; by: string; railway: boolean };

const validActor = (by: unknown): by is string => actorRefusal(by) === null;

/**
 * The booking actor of bookings held since the pay path changed (contracts
 * BOOKING_WORKFLOW_TYPE): versioned by its type rather than by a patch. A
 * patch costs every new workflow a marker and an upsert of the
 * TemporalChangeVersion search attribute (two billed actions and a visibility
 * write per booking, ~20% of a confirmed booking's actions) for as long as it
 * stays in the code, and booking actors live until departure, up to the
 * advance reservation period. Workers register both types; the API and the
 * workers start this one (docs/architecture.md, "Changing a workflow safely").
 */
export async function bookingV2(input: BookingInput): Promise<BookingView> {
  return runBooking(input, { localPay: true, firstChargeMs: input.firstChargeTimeoutMs ?? 0 });
}

/** The booking actor as started before bookingV2: actors of this type keep their recorded paths. */
export async function bookingWorkflow(input: BookingInput): Promise<BookingView> {
  return runBooking(input, { localPay: patched(PAY_PATH_PATCH), firstChargeMs: 0 });
}

interface PayPath {
  /** The sale and its record as local activities in the task that gets the charge's result (else signals and activities). */
  localPay: boolean;
  /** > 0: the charge's first attempt is a local activity of at most this long in the pay's own workflow task (bookingV2; see `charge`). */
  firstChargeMs: number;
}

async function runBooking(input: BookingInput, { localPay, firstChargeMs }: PayPath): Promise<BookingView> {
  const { pnr } = input;
  const payments = paymentActivities(input.paymentMaxAttempts);
  /**
   * The charge. On bookingV2 with `firstChargeTimeoutMs` (PAYMENT_FIRST_ATTEMPT_TIMEOUT_MS, off by default) its
   * first attempt is a local activity in the workflow task that accepted the pay, so a charge the gateway answers
   * at once is sold, recorded and answered in that same task: one workflow task and one activity task fewer per
   * booking (docs/architecture.md, "Performance on a durable server"). A slow or failing gateway (no answer in
   * that time, or an outage) falls back to the charge activity with its retries; both use the key charge:<PNR>,
   * so the gateway answers the fallback with the first attempt's charge if it went through. A decline is final
   * either way. The price, and why it is off by default: while that task is open the actor answers no query and
   * takes no message, so a traveller's GET waits for the charge and a cancel sent during it is not refused
   * (PAYMENT_IN_PROGRESS) but applied to the confirmed booking.
   */
  const charge = async (args: Parameters<typeof payments.chargeBooking>[0]) => {
    if (firstChargeMs <= 0) return payments.chargeBooking(args);
    try {
      return await firstChargeActivities(firstChargeMs).chargeBooking(args);
    } catch (err) {
      const type = failureType(err);
      if (type !== undefined && FINAL_PAYMENT_FAILURES.includes(type)) throw err;
      log.info('first charge attempt did not settle; the charge activity takes over', { pnr, error: failureMessage(err) });
      return payments.chargeBooking(args);
    }
  };
  let status: BookingStatus = 'held';
  let holdExpiresAt = input.holdExpiresAt;
  let seats: AllocatedSeat[] = input.seats;
  /**
   * Per passenger (CNF, RAC n, <kind> n) on a booking the hold gave RAC or waitlist places; undefined on a booking
   * confirmed the ordinary way, whose path (commands included) is unchanged. The inventory tells a paid booking
   * when its passengers move up (passengerStatusChanged): a new message, so recorded histories never take it.
   */
  let statuses: PassengerStatus[] | undefined = input.statuses;
  let statusNotice: StatusNotice | null = null;
  /** Epoch ms the run's chart was prepared, once the inventory has told (its notice carries it). */
  let chartedAt: number | undefined;
  let statusChanges = 0;
  /** Passengers cancelled alone (partial cancellation), and the requests waiting to be carried out. */
  const cancelledPassengers: number[] = [];
  const partialRequests: { passengerIndexes: number[]; reason: string; by: string }[] = [];
  let partialsDone = 0;
  /** The TicketStatus search attribute as last set (at start, from the hold's statuses). */
  let shownTicketStatus = input.statuses ? ticketStatusOf(input.statuses) : undefined;
  let amountPaid = 0;
  let amountRefunded = 0;
  let paymentAttempts = 0;
  let lastError: string | null = null;
  let ticketSent = false;
  let ticketDelivery: BookingView['ticketDelivery'] = 'pending';
  let reminderSent = false;
  /** A refund the gateway rejected: what is owed and why, until support resolves it. */
  let refundOwed: { amount: number; reason: string } | null = null;
  let refundResolution: { kind: 'retry'; by: string } | { kind: 'manual'; by: string; reference: string } | null = null;
  const attention = new Set<Attention>();
  let payment: PaymentInfo | null = null;
  let chargeRequested = false;
  let cancelRequest: CancelRequest | null = null;
  let confirmation: ConfirmResult | null = null;
  const support: SupportAction[] = [];
  const resendsSeen = new Set<string>();
  const history: BookingView['history'] = [{ at: input.heldAt ?? Date.now(), event: 'held', detail: `${seats.length} berth(s)` }];

  const view = (): BookingView => ({
    pnr,
    status,
    userId: input.userId,
    trainNumber: input.trainNumber,
    trainName: input.trainName,
    runDate: input.runDate,
    classCode: input.classCode,
    quota: input.quota ?? 'GN',
    from: input.from,
    to: input.to,
    passengers: passengersWithBerths(input.passengers, seats, statuses, input.statuses),
    ticketStatus: ticketStatusOf(statuses),
    fareTotal: input.fare.total,
    amountPaid,
    amountRefunded,
    holdExpiresAt: status === 'held' || status === 'payment_pending' ? holdExpiresAt : null,
    paymentAttempts,
    lastError,
    ticketSent,
    ticketDelivery,
    reminderSent,
    refundOwed: refundOwed?.amount ?? 0,
    attention: [...attention],
    history,
  });
  const facts = (): BookingFacts => ({
    status,
    chargeRequested,
    paymentGiven: payment !== null,
    lastError,
    cancelRequested: cancelRequest !== null,
    holdExpiresAt,
    refundOwed: refundOwed !== null,
  });

  const note = (event: string, detail?: string) => history.push({ at: Date.now(), event, ...(detail ? { detail } : {}) });
  const showDetails = (detail?: string) =>
    setCurrentDetails(
      [
        `**${status}** — PNR ${pnr}, ${input.trainNumber} ${input.from.code}→${input.to.code} ${input.from.time.slice(0, 10)} ${input.classCode}`,
        `fare ${rupees(input.fare.total)}, paid ${rupees(amountPaid)}, refunded ${rupees(amountRefunded)}`,
        statuses
          ? statuses.map((st, i) => (st.status === 'CNF' ? seatText(seats.find((x) => x.passengerIndex === i)) : statusLabel(st))).join(', ')
          : seats.map((s) => `${s.coach}/${s.berthNo}`).join(', '),
        detail ?? '',
      ].join('\n\n'), // Markdown in the UI: blank lines keep the lines apart
    );
  /** Only bookings with RAC or waitlisted passengers carry TicketStatus; it follows their promotions. */
  const showTicketStatus = () => {
    if (!statuses) return;
    const now = ticketStatusOf(statuses);
    if (now === shownTicketStatus) return;
    shownTicketStatus = now;
    upsertSearchAttributes([{ key: SA.TicketStatus, value: now }]);
  };
  const statusLabels = () => (statuses ? statuses.map(statusLabel) : undefined);
  /** Takes these statuses and berths, with the passengers cancelled alone shown cancelled and holding none. */
  const showCancelled = (now: readonly PassengerStatus[], berths: readonly AllocatedSeat[]) => {
    statuses = now.map((st, i) => (cancelledPassengers.includes(i) ? { status: 'CAN' } : st));
    seats = berths.filter((x) => !cancelledPassengers.includes(x.passengerIndex));
  };
  const setStatus = (next: BookingStatus, detail?: string) => {
    status = next;
    note(next, detail);
    upsertSearchAttributes([{ key: SA.BookingStatus, value: next }]);
    showDetails(detail);
  };
  const audit = (actor: string, action: string, details?: Record<string, unknown>) =>
    db.recordAudit({ actor, action: `booking.${action}`, entity: `booking:${pnr}`, details });
  /** Flags the booking for support: the NeedsAttention search attribute, a metric and the history. */
  const flag = (reason: Attention, on: boolean, detail?: string) => {
    if (attention.has(reason) === on) return;
    if (on) {
      attention.add(reason);
      attentionRaised.add(1, { reason });
    } else attention.delete(reason);
    note(on ? `attention:${reason}` : `resolved:${reason}`, detail);
    upsertSearchAttributes([{ key: SA.NeedsAttention, value: [...attention] }]);
    showDetails(detail);
  };
  // A release that cannot reach the inventory (it ended after departure, or was
  // terminated) has nothing left to free: the inventory's own hold timer and its
  // rebuild from Postgres cover it. It must not fail the booking.
  const releaseSeats = (reason: ReleaseRequest['reason'], onlyIfHeld: boolean) =>
    getExternalWorkflowHandle(input.inventoryWorkflowId)
      .signal(releaseSeatsSignal, { bookingId: pnr, reason, onlyIfHeld })
      .catch((err: unknown) => log.warn('could not signal a release to the inventory', { pnr, reason, error: String(err) }));
  /** Asks the inventory to sell the hold and waits for its answer; the request is idempotent, so it is repeated if no answer comes. */
  const confirmInInventory = async (): Promise<ConfirmResult> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await getExternalWorkflowHandle(input.inventoryWorkflowId).signal(confirmSeatsSignal, {
          bookingId: pnr,
          replyTo: workflowInfo().workflowId,
        });
      } catch (err) {
        // No inventory to sell the hold (it has ended): the sale cannot happen, so the payment is refunded.
        log.warn('could not reach the inventory to confirm', { pnr, error: String(err) });
        return { bookingId: pnr, ok: false, status: 'none', seats: [] };
      }
      if (await condition(() => confirmation !== null, '1 minute')) return confirmation as unknown as ConfirmResult;
      log.warn('no answer from the inventory yet; asking again', { pnr, attempt });
    }
  };
  const paymentSettled = () => !chargeRequested && status !== 'payment_pending';
  const ended = () => status !== 'held' && status !== 'payment_pending' && status !== 'confirmed';

  /**
   * Refunds `amount` (0 when nothing was taken), returning what was refunded.
   * A rejection by the gateway does not fail the booking: the amount is owed,
   * the booking is flagged for support, and the actor stays open until support
   * retries the refund or records one made outside the gateway (settleOwedRefund).
   */
  const refund = async (amount: number, reason: string): Promise<number> => {
    try {
      return (await refunds.refundBooking({ pnr, amount, reason })).amount;
    } catch (err) {
      if (!refundFailureNeedsSupport(failureType(err))) throw err;
      lastError = failureMessage(err);
      refundOwed = { amount, reason };
      log.error('refund rejected by the gateway; waiting for support', { pnr, amount, error: lastError });
      await audit(`workflow:booking-${pnr}`, 'refund_rejected', { amount, reason, error: lastError });
      flag('refund_rejected', true, `refund of ${rupees(amount)} rejected: ${lastError}`);
      return 0;
    }
  };
  /** Waits for support to resolve an owed refund (retry at the gateway, or one made outside it) and records it. */
  const settleOwedRefund = async (): Promise<void> => {
    while (refundOwed !== null) {
      await condition(() => refundResolution !== null);
      const owed: { amount: number; reason: string } = refundOwed;
      const resolution = refundResolution as unknown as NonNullable<typeof refundResolution>;
      let settled = true;
      if (resolution.kind === 'manual') {
        await payments.recordManualRefund({ pnr, amount: owed.amount, reference: resolution.reference, by: resolution.by });
      } else {
        try {
          await refunds.refundBooking({ pnr, amount: owed.amount, reason: owed.reason });
        } catch (err) {
          if (!refundFailureNeedsSupport(failureType(err))) throw err;
          lastError = failureMessage(err);
          settled = false;
        }
      }
      await audit(resolution.by, resolution.kind === 'manual' ? 'manual_refund' : 'retry_refund', {
        amount: owed.amount,
        outcome: settled ? 'refunded' : `rejected again: ${lastError}`,
        ...(resolution.kind === 'manual' ? { reference: resolution.reference } : {}),
      });
      if (settled) {
        amountRefunded += owed.amount;
        refundOwed = null;
        lastError = null;
        await db.recordRefundedAmount({ pnr, amountRefunded });
        flag('refund_rejected', false, `refund of ${rupees(owed.amount)} settled by ${resolution.by}`);
      }
      refundResolution = null; // answers the support update
    }
  };
  /**
   * Sends an email; a failure after the retries is recorded (NeedsAttention)
   * and never fails the booking. True when sent (or sent before).
   */
  const deliver = async (message: Parameters<typeof mail.sendEmail>[0], onFailure: Attention): Promise<boolean> => {
    try {
      await mail.sendEmail(message);
      return true;
    } catch (err) {
      log.warn('email not delivered', { pnr, kind: message.kind, error: failureMessage(err) });
      flag(onFailure, true, `${message.kind} email not delivered: ${failureMessage(err)}`);
      return false;
    }
  };

  // ---- messages ----------------------------------------------------------
  setHandler(bookingStateQuery, view);
  setHandler(seatsConfirmedSignal, (r) => {
    if (r.bookingId === pnr) confirmation = r;
  });
  setHandler(passengerStatusChangedSignal, (n) => {
    // Sent by the inventory after the sale; the last one holds every passenger's status.
    if (!Array.isArray(n?.statuses) || n.statuses.length !== input.passengers.length || !Array.isArray(n.seats)) return;
    // A later move up does not make an unprocessed chart notice an ordinary one.
    const chartTime = n.chartedAt ?? statusNotice?.chartedAt;
    statusNotice = chartTime === undefined ? n : { ...n, chartedAt: chartTime };
  });

  setHandler(
    payUpdate,
    async (info) => {
      // A repeated pay request (a client retry) joins the payment already under way.
      if (status === 'held' && !chargeRequested && payment === null) {
        payment = info;
        chargeRequested = true;
        paymentAttempts += 1;
      }
      await condition(paymentSettled);
      return view();
    },
    { validator: (_info: PaymentInfo) => refused(payRefusal(facts(), Date.now())) },
  );

  setHandler(
    retryPaymentUpdate,
    async ({ by }) => {
      chargeRequested = true;
      paymentAttempts += 1;
      await audit(by, 'retry_payment', { attempt: paymentAttempts });
      await condition(paymentSettled);
      return view();
    },
    {
      validator: ({ by }: { by: string }) => refused(actorRefusal(by) ?? retryPaymentRefusal(facts(), Date.now())),
    },
  );

  setHandler(
    cancelUpdate,
    async (req) => {
      cancelRequest ??= { ...req, railway: false };
      // Answers once the booking has ended; a refund the gateway rejected is then support's (see `refund`).
      await condition(ended);
      return view();
    },
    { validator: ({ by }: { reason: string; by: string }) => refused(actorRefusal(by) ?? cancelRefusal(facts())) },
  );

  setHandler(
    cancelPassengersUpdate,
    async (req) => {
      partialRequests.push(req);
      const mine = partialsDone + partialRequests.length;
      await condition(() => partialsDone >= mine || ended());
      return view();
    },
    {
      validator: ({ passengerIndexes, by }: { passengerIndexes: number[]; reason: string; by: string }) => {
        const queued = partialRequests.flatMap((r) => r.passengerIndexes);
        refused(actorRefusal(by) ?? partialCancelRefusal(facts(), input.passengers.length, [...cancelledPassengers, ...queued], passengerIndexes));
      },
    },
  );

  // Support resolves a refund the gateway rejected: try it again, or record one made outside the gateway.
  const resolutionUnderWay = (): Refusal | null =>
    refundResolution === null ? null : { code: 'PAYMENT_IN_PROGRESS', message: 'another resolution of this refund is under way' };
  setHandler(
    retryRefundUpdate,
    async ({ by }) => {
      refundResolution = { kind: 'retry', by };
      await condition(() => refundResolution === null);
      return view();
    },
    { validator: ({ by }: { by: string }) => refused(actorRefusal(by) ?? refundResolutionRefusal(facts()) ?? resolutionUnderWay()) },
  );
  setHandler(
    recordManualRefundUpdate,
    async ({ by, reference }) => {
      refundResolution = { kind: 'manual', by, reference };
      await condition(() => refundResolution === null);
      return view();
    },
    {
      validator: ({ by, reference }: { by: string; reference: string }) => {
        refused(actorRefusal(by) ?? refundResolutionRefusal(facts()) ?? resolutionUnderWay());
        if (typeof reference !== 'string' || reference.trim() === '' || reference.length > 200) {
          throw new Error('INVALID_REQUEST: `reference` must name the refund made (1–200 characters)');
        }
      },
    },
  );

  // Signals cannot be refused, so they are validated here and invalid ones only logged.
  setHandler(extendHoldSignal, ({ minutes, by }) => {
    if (!validActor(by) || status !== 'held' || !Number.isInteger(minutes) || minutes < 1 || minutes > 60) {
      log.warn('extendHold ignored', { pnr, minutes, by, status });
      return;
    }
    support.push({ kind: 'extendHold', minutes, by });
  });
  // Support resolves a failed ticket delivery by resending it (once the mail server is back).
  setHandler(resendTicketSignal, ({ by, requestId }) => {
    if (!validActor(by) || typeof requestId !== 'string' || requestId === '' || status !== 'confirmed' || resendsSeen.has(requestId)) {
      log.warn('resendTicket ignored', { pnr, by, requestId, status });
      return;
    }
    resendsSeen.add(requestId);
    support.push({ kind: 'resendTicket', by, requestId });
  });
  setHandler(railwayCancelSignal, ({ reason, by }) => {
    if (ended()) return;
    cancelRequest = { reason: reason || 'run cancelled', by: validActor(by) ? by : 'railway', railway: true };
  });

  const sendTicket = async (dedupeKey: string): Promise<boolean> => {
    const email = ticketEmail(view());
    if (!(await deliver({ dedupeKey, kind: 'ticket', to: input.email, userId: input.userId, pnr, ...email }, 'ticket_delivery_failed'))) {
      if (!ticketSent) ticketDelivery = 'failed';
      return false;
    }
    ticketSent = true;
    ticketDelivery = 'sent';
    flag('ticket_delivery_failed', false, 'ticket sent');
    return true;
  };
  const runSupportActions = async () => {
    for (let action = support.shift(); action; action = support.shift()) {
      if (action.kind === 'extendHold' && status === 'held') {
        holdExpiresAt = Math.max(holdExpiresAt, Date.now()) + action.minutes * 60_000;
        await db.extendInventoryHold({ inventoryWorkflowId: input.inventoryWorkflowId, bookingId: pnr, holdExpiresAt });
        note('hold_extended', `${action.minutes} min by ${action.by}`);
        await audit(action.by, 'extend_hold', { minutes: action.minutes, holdExpiresAt: new Date(holdExpiresAt).toISOString() });
      } else if (action.kind === 'resendTicket' && status === 'confirmed') {
        const sent = await sendTicket(`ticket:${pnr}:resend:${action.requestId}`);
        note(sent ? 'ticket_resent' : 'ticket_resend_failed', action.by);
        await audit(action.by, 'resend_ticket', { requestId: action.requestId, sent });
      }
    }
  };
  /** Ends the workflow once any refund owed is settled and every update has answered. */
  const finish = async (): Promise<BookingView> => {
    await settleOwedRefund();
    // A pay that was accepted but never charged (the booking ended first) answers with the final state.
    // Replay-safe without patched(): on every recorded path chargeRequested is already false here.
    chargeRequested = false;
    await condition(allHandlersFinished);
    return view();
  };

  // Starts normally carry the search attributes (contracts/bookingStart.ts); upserting them again
  // would cost a visibility write per booking, so only an actor started without them sets them.
  if (workflowInfo().typedSearchAttributes.get(SA.Pnr) === undefined) {
    upsertSearchAttributes([
      { key: SA.Pnr, value: pnr },
      { key: SA.BookingStatus, value: status },
      { key: SA.TrainNumber, value: input.trainNumber },
      { key: SA.TravelDate, value: input.runDate },
      { key: SA.UserId, value: String(input.userId) },
      { key: SA.TravelClass, value: input.classCode },
    ]);
  }
  showDetails();
  // Bookings held since actors start on the first message have their held record written by the API.
  if (!input.heldRecorded) await firstWrite.recordBookingHeld(input);

  // ---- phase 1: the hold, until it is paid, cancelled or expires ---------
  for (;;) {
    const woken = await condition(
      () => chargeRequested || cancelRequest !== null || support.length > 0,
      Math.max(holdExpiresAt - Date.now(), 1),
    );
    await runSupportActions();
    const expired = !woken && Date.now() >= holdExpiresAt;
    if (cancelRequest !== null || expired) {
      // A failed attempt may still have charged (e.g. a timeout): the refund activity asks the gateway.
      if (paymentAttempts > 0) amountRefunded = await refund(input.fare.total, 'payment_not_completed');
      await releaseSeats(expired ? 'expired' : 'cancelled', true);
      if (expired) {
        await db.recordBookingStatus({ pnr, status: 'expired' });
        setStatus('expired', 'hold timed out unpaid');
      } else {
        const req = cancelRequest as unknown as CancelRequest;
        await db.recordBookingCancelled({ pnr, amountRefunded, by: req.by, reason: req.reason });
        setStatus('cancelled', req.reason);
      }
      return finish();
    }
    if (!chargeRequested) continue;

    if (localPay) {
      // Not worth a visibility write for the seconds of a charge: the search attribute stays at held; the
      // actor's state (GET, the UI's query and details) says payment_pending, and its validators refuse a cancel.
      status = 'payment_pending';
      note('payment_pending');
      showDetails();
    } else setStatus('payment_pending');
    try {
      await charge({ pnr, amount: input.fare.total, paymentToken: (payment as unknown as PaymentInfo).paymentToken });
      amountPaid = input.fare.total;
      chargeRequested = false;
      break;
    } catch (err) {
      chargeRequested = false;
      lastError = failureMessage(err);
      log.warn('payment failed', { pnr, error: lastError });
      if (paymentFailureOutcome(failureType(err)) === 'retryable') {
        // The gateway kept failing: keep the hold so support (or the traveller) can retry before it expires.
        setStatus('held', `payment attempt failed: ${lastError}`);
        continue;
      }
      amountRefunded = await refund(input.fare.total, 'payment_not_completed');
      await releaseSeats('payment_failed', true);
      await db.recordBookingStatus({ pnr, status: 'payment_failed', detail: lastError });
      setStatus('payment_failed', failureType(err) === FailureType.PaymentDeclined ? `declined: ${lastError}` : lastError);
      return finish();
    }
  }

  // ---- phase 2: the sale in the inventory, then the final records -------
  const confirmed = localPay
    ? await localSale.confirmSeatsInInventory({ inventoryWorkflowId: input.inventoryWorkflowId, bookingId: pnr })
    : await confirmInInventory();
  let recorded = confirmed.ok;
  if (confirmed.ok) {
    seats = confirmed.seats;
    if (confirmed.statuses) statuses = confirmed.statuses;
    const labels = statusLabels();
    try {
      await (localPay ? localSale : db).recordBookingConfirmed({
        pnr,
        classCode: input.classCode,
        fromSeq: input.from.seq,
        toSeq: input.to.seq,
        seats,
        amountPaid,
        ...(labels ? { statuses: labels } : {}),
      });
    } catch (err) {
      if (failureType(err) !== FailureType.SeatConflict) throw err;
      lastError = failureMessage(err);
      recorded = false;
    }
  }
  if (!recorded) {
    // The hold was lost (or Postgres refused the sale): the railway's fault, so a full refund.
    lastError ??= 'the hold was no longer in the inventory when payment completed';
    amountRefunded = await refund(fullRefund(amountPaid).refundAmount, 'seats_not_confirmed');
    await releaseSeats('payment_failed', false);
    await db.recordRefundAmount({ pnr, amountRefunded, status: 'failed' });
    setStatus('failed', lastError);
    return finish();
  }
  setStatus('confirmed');
  showTicketStatus();
  await sendTicket(`ticket:${pnr}`);

  /**
   * Refunds part of the booking under its own key (refund:<pnr>:<part>) and adds it to what was refunded. A refund
   * the gateway rejects is support's (flagged), and the booking goes on: answers what was refunded (0 then).
   */
  const refundPart = async (amount: number, reason: string, part: string, what: string): Promise<number> => {
    let refunded = 0;
    try {
      refunded = (await refunds.refundBooking({ pnr, amount, reason, part })).amount;
    } catch (err) {
      if (!refundFailureNeedsSupport(failureType(err))) throw err;
      lastError = failureMessage(err);
      log.error(`${what} refund rejected by the gateway`, { pnr, amount, error: lastError });
      flag('refund_rejected', true, `${what} refund of ${rupees(amount)} rejected: ${lastError}; settle it outside the gateway`);
    }
    amountRefunded += refunded;
    return refunded;
  };

  /**
   * Cancels some passengers: refunds each by the rules for their status (domain/partialCancellation.ts) under
   * its own refund key, frees their places in the inventory (others move up), records it and mails the ticket
   * of those still booked.
   */
  const cancelSomePassengers = async (req: { passengerIndexes: number[]; reason: string; by: string }) => {
    const now: PassengerStatus[] = statuses ?? input.passengers.map(() => ({ status: 'CNF' }));
    const quote = quotePassengers(
      input,
      req.passengerIndexes.map((i) => {
        const st = now[i]!.status;
        return { passengerIndex: i, status: st === 'CAN' ? 'CNF' : st };
      }),
      { cancelledAt: Date.now(), chartedAt },
    );
    const refunded = await refundPart(quote.refundTotal, `partial cancellation: ${req.reason}`, `p${partialsDone + 1}`, 'partial');
    cancelledPassengers.push(...req.passengerIndexes);
    showCancelled(now, seats);
    const releasePassengers = () =>
      getExternalWorkflowHandle(input.inventoryWorkflowId)
        .signal(releasePassengersSignal, { bookingId: pnr, passengerIndexes: req.passengerIndexes, passengers: input.passengers })
        .catch((err: unknown) => log.warn('could not signal a partial release to the inventory', { pnr, error: String(err) }));
    const record = () =>
      db.recordPassengersCancelled({ pnr, passengerIndexes: req.passengerIndexes, amountRefunded, by: req.by, reason: req.reason, refund: refunded });
    if (patched(RECORD_BEFORE_RELEASE_PATCH)) {
      await record();
      await releasePassengers();
    } else {
      await releasePassengers();
      await record();
    }
    const who = req.passengerIndexes.map((i) => input.passengers[i]!.name).join(', ');
    note('passengers_cancelled', `${who}: refund ${rupees(refunded)}`);
    await audit(req.by, 'cancel_passengers', { passengers: req.passengerIndexes, refund: refunded, rules: quote.lines.map((l) => l.rule) });
    showTicketStatus();
    showDetails(`cancelled ${who}`);
    const email = partialCancellationEmail(view(), who, refunded, quote.rules);
    await deliver({ dedupeKey: `ticket:${pnr}:partial:${partialsDone + 1}`, kind: 'ticket', to: input.email, userId: input.userId, pnr, ...email }, 'notice_delivery_failed');
    partialsDone += 1; // answers the update
  };

  /**
   * Records a move up the inventory told of, and mails the new ticket; never fails the booking. The chart's
   * notice is final: passengers it shows CAN whom the traveller did not cancel were dropped from the waitlist and
   * are refunded less clerkage (refund part 'chart'); if nobody is left the booking ends cancelled. Returns
   * whether the booking has ended.
   */
  const applyStatusNotice = async (): Promise<boolean> => {
    const n = statusNotice as unknown as StatusNotice;
    statusNotice = null;
    const before = statuses;
    const charted = n.chartedAt !== undefined && chartedAt === undefined;
    if (charted) chartedAt = n.chartedAt;
    const dropped = charted ? n.statuses.flatMap((st, i) => (st.status === 'CAN' && !cancelledPassengers.includes(i) ? [i] : [])) : [];
    // A notice the inventory computed before it learnt of a partial cancellation still shows those passengers:
    // they stay cancelled, and their berths are not theirs.
    showCancelled(n.statuses, n.seats);
    const changed = JSON.stringify(before ?? input.passengers.map(() => ({ status: 'CNF' }))) !== JSON.stringify(statuses);
    const labels = statusLabels() as string[];
    if (changed) {
      statusChanges += 1;
      try {
        await db.recordPassengerStatuses({ pnr, classCode: input.classCode, fromSeq: input.from.seq, toSeq: input.to.seq, seats, statuses: labels });
      } catch (err) {
        // Only a bug could make Postgres refuse a berth the inventory gave: support sees it; the booking goes on.
        if (failureType(err) !== FailureType.SeatConflict) throw err;
        log.error('promoted berth refused by Postgres', { pnr, error: failureMessage(err) });
        flag('notice_delivery_failed', true, `promotion not recorded: ${failureMessage(err)}`);
      }
      note('status_changed', labels.join(', '));
    }
    if (!charted) {
      showTicketStatus();
      showDetails(`now ${labels.join(', ')}`);
      const email = statusChangeEmail(view());
      await deliver({ dedupeKey: `ticket:${pnr}:status:${statusChanges}`, kind: 'ticket', to: input.email, userId: input.userId, pnr, ...email }, 'notice_delivery_failed');
      return false;
    }
    let refunded = 0;
    let rule = '';
    if (dropped.length > 0) {
      const quote = quotePassengers(
        input,
        dropped.map((i) => ({ passengerIndex: i, status: 'WL' as const })),
        { cancelledAt: Date.now(), by: 'chart' },
      );
      rule = quote.rules;
      refunded = await refundPart(quote.refundTotal, 'left waitlisted at the chart', 'chart', 'chart');
      cancelledPassengers.push(...dropped);
      const everyone = cancelledPassengers.length >= input.passengers.length;
      if (everyone) await db.recordBookingCancelled({ pnr, amountRefunded, by: 'chart', reason: `left waitlisted at the chart; ${rule}` });
      else await db.recordPassengersCancelled({ pnr, passengerIndexes: dropped, amountRefunded, by: 'chart', reason: 'left waitlisted at the chart', refund: refunded });
      note('chart_dropped', `${dropped.map((i) => input.passengers[i]!.name).join(', ')}: refund ${rupees(refunded)}`);
      if (everyone) setStatus('cancelled', `left waitlisted at the chart; ${rule}`);
    }
    note('chart_prepared', labels.join(', '));
    showTicketStatus();
    showDetails(`chart prepared: ${labels.join(', ')}`);
    const email = chartEmail(view(), dropped.map((i) => input.passengers[i]!.name).join(', '), refunded, rule);
    await deliver({ dedupeKey: `chart:${pnr}`, kind: 'ticket', to: input.email, userId: input.userId, pnr, ...email }, 'notice_delivery_failed');
    return status === 'cancelled';
  };

  // ---- phase 3: confirmed until departure: reminder, resends, cancellation
  // A durable timer per booking (see docs/architecture.md, "Reminders").
  const reminderAt = input.departureAt - input.reminderLeadMs;
  for (;;) {
    // A booking made inside the lead time gets its reminder at once.
    const nextTimer = reminderSent ? input.departureAt : Math.min(reminderAt, input.departureAt);
    const woken = await condition(
      () => cancelRequest !== null || support.length > 0 || statusNotice !== null || partialRequests.length > 0,
      Math.max(nextTimer - Date.now(), 1),
    );
    await runSupportActions();
    while (partialRequests.length > 0 && cancelRequest === null) await cancelSomePassengers(partialRequests.shift()!);
    if (statusNotice !== null && cancelRequest === null && (await applyStatusNotice())) return finish();
    if (cancelRequest !== null) break;
    if (woken) continue;
    if (!reminderSent && Date.now() < input.departureAt) {
      const sent = await deliver(
        { dedupeKey: `reminder:${pnr}`, kind: 'reminder', to: input.email, userId: input.userId, pnr, ...reminderEmail(view()) },
        'notice_delivery_failed',
      );
      reminderSent = true; // tried: a reminder is not worth more than its retries
      note(sent ? 'reminder_sent' : 'reminder_failed');
      continue;
    }
    note('departed');
    return finish();
  }

  const req = cancelRequest as unknown as CancelRequest;
  // What is left of the charge after earlier refunds (passengers cancelled alone, or dropped at the chart).
  const unrefunded = amountPaid - amountRefunded;
  const quote = req.railway
    ? fullRefund(unrefunded)
    : statuses || input.quota === 'TQ'
      ? // Per passenger: by status, and a confirmed Tatkal berth is not refunded (domain/partialCancellation.ts).
        waitingRefund(input, statuses ?? input.passengers.map(() => ({ status: 'CNF' })), Date.now(), chartedAt, unrefunded)
      : refundQuote({
        classCode: input.classCode as ClassCode,
        fareTotal: amountPaid,
        passengers: input.passengers.length,
        departureAt: input.departureAt,
        cancelledAt: Date.now(),
      });
  amountRefunded += await refund(quote.refundAmount, `cancelled: ${req.reason}`);
  if (patched(RECORD_BEFORE_RELEASE_PATCH)) {
    await db.recordBookingCancelled({ pnr, amountRefunded, by: req.by, reason: req.reason });
    await releaseSeats('cancelled', false);
  } else {
    await releaseSeats('cancelled', false);
    await db.recordBookingCancelled({ pnr, amountRefunded, by: req.by, reason: req.reason });
  }
  setStatus('cancelled', `${req.reason}; ${quote.rule}`);
  const email = cancellationEmail(view(), req.railway ? `${req.reason}: ${quote.rule}` : quote.rule);
  await deliver({ dedupeKey: `cancel:${pnr}`, kind: 'cancellation', to: input.email, userId: input.userId, pnr, ...email }, 'notice_delivery_failed');
  return finish();
}

function seatText(seat: AllocatedSeat | undefined): string {
  return seat ? `${seat.coach}/${seat.berthNo}` : 'CNF';
}

/**
 * The refund of a booking with RAC or waitlisted passengers, cancelled whole: per passenger, confirmed ones by
 * the cancellation charges, RAC and waitlisted ones their fare less clerkage (domain/partialCancellation.ts).
 */
function waitingRefund(
  input: BookingInput,
  statuses: readonly PassengerStatus[],
  cancelledAt: number,
  chartedAt: number | undefined,
  unrefunded: number,
): { refundAmount: number; rule: string } {
  // Passengers cancelled before (CAN) were refunded then.
  const passengers = statuses.flatMap((s, i) => (s.status === 'CAN' ? [] : [{ passengerIndex: i, status: s.status }]));
  const quote = quotePassengers(input, passengers, { cancelledAt, chartedAt });
  return { refundAmount: Math.min(quote.refundTotal, unrefunded), rule: quote.rules };
}

/**
 * The refund of some passengers of the booking, each by their status and their own fare
 * (domain/partialCancellation.ts), with the rules applied as one text.
 */
function quotePassengers(
  input: BookingInput,
  passengers: readonly { passengerIndex: number; status: TicketStatus }[],
  opts: { cancelledAt: number; chartedAt?: number | undefined; by?: 'chart' },
): PartialCancellationQuote & { rules: string } {
  const quote = partialCancellationQuote({
    classCode: input.classCode as ClassCode,
    quota: input.quota ?? 'GN',
    passengers: passengers.map((p) => ({ ...p, fare: input.fare.perPassenger[p.passengerIndex]?.total ?? 0 })),
    departureAt: input.departureAt,
    cancelledAt: opts.cancelledAt,
    ...(opts.chartedAt === undefined ? {} : { chartedAt: opts.chartedAt }),
    ...(opts.by ? { by: opts.by } : {}),
  });
  return { ...quote, rules: [...new Set(quote.lines.map((l) => l.rule))].join('; ') };
}
