// The booking actor: one workflow per booking (booking-<PNR>). It owns the
// booking's life: hold (already placed in the inventory by the API) → hold
// timer → payment with retries → confirm in the inventory → final records →
// ticket → reminder → departure; or expiry/decline → release; or cancellation
// → refund → release. Support staff act on it through validated, audited
// signals and updates (contracts/booking.ts).
// Invariant: money is never kept without a ticket — every path that may have
// taken a payment and did not confirm ends in a refund.
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  log,
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
  cancelUpdate,
  extendHoldSignal,
  passengersWithBerths,
  payUpdate,
  railwayCancelSignal,
  resendTicketSignal,
  retryPaymentUpdate,
  seatsConfirmedSignal,
  type BookingInput,
  type BookingStatus,
  type BookingView,
  type PaymentInfo,
} from '../contracts/booking';
import { FailureType } from '../contracts/failures';
import { confirmSeatsSignal, releaseSeatsSignal, type ConfirmResult, type ReleaseRequest } from '../contracts/inventory';
import { SA } from '../contracts/searchAttributeKeys';
import type { AllocatedSeat } from '../domain/allocation';
import { fullRefund, refundQuote } from '../domain/refunds';
import { cancellationEmail, reminderEmail, rupees, ticketEmail } from '../domain/ticket';
import type { ClassCode } from '../domain/types';

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
      nonRetryableErrorTypes: [FailureType.PaymentDeclined, FailureType.PaymentConflict, FailureType.InvalidInput],
    },
  });
// Refunds must eventually happen: retried without a limit.
const refunds = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
const mail = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 30 },
});

function failureType(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof Error ? cause.message : String(err);
}

/** Failures after which charging again cannot help. */
const FINAL_PAYMENT_FAILURES: (string | undefined)[] = [FailureType.PaymentDeclined, FailureType.PaymentConflict, FailureType.InvalidInput];

type SupportAction = { kind: 'extendHold'; minutes: number; by: string } | { kind: 'resendTicket'; by: string; requestId: string };
type CancelRequest = { reason: string; by: string; railway: boolean };

const validActor = (by: unknown): by is string => typeof by === 'string' && by.trim().length > 0 && by.length <= 100;

export async function bookingWorkflow(input: BookingInput): Promise<BookingView> {
  const { pnr } = input;
  const payments = paymentActivities(input.paymentMaxAttempts);
  let status: BookingStatus = 'held';
  let holdExpiresAt = input.holdExpiresAt;
  let seats: AllocatedSeat[] = input.seats;
  let amountPaid = 0;
  let amountRefunded = 0;
  let paymentAttempts = 0;
  let lastError: string | null = null;
  let ticketSent = false;
  let reminderSent = false;
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
    from: input.from,
    to: input.to,
    passengers: passengersWithBerths(input.passengers, seats),
    fareTotal: input.fare.total,
    amountPaid,
    amountRefunded,
    holdExpiresAt: status === 'held' || status === 'payment_pending' ? holdExpiresAt : null,
    paymentAttempts,
    lastError,
    ticketSent,
    reminderSent,
    history,
  });

  const note = (event: string, detail?: string) => history.push({ at: Date.now(), event, ...(detail ? { detail } : {}) });
  const showDetails = (detail?: string) =>
    setCurrentDetails(
      [
        `**${status}** — PNR ${pnr}, ${input.trainNumber} ${input.from.code}→${input.to.code} ${input.from.time.slice(0, 10)} ${input.classCode}`,
        `fare ${rupees(input.fare.total)}, paid ${rupees(amountPaid)}, refunded ${rupees(amountRefunded)}`,
        seats.map((s) => `${s.coach}/${s.berthNo}`).join(', '),
        detail ?? '',
      ].join('\n\n'), // Markdown in the UI: blank lines keep the lines apart
    );
  const setStatus = (next: BookingStatus, detail?: string) => {
    status = next;
    note(next, detail);
    upsertSearchAttributes([{ key: SA.BookingStatus, value: next }]);
    showDetails(detail);
  };
  const audit = (actor: string, action: string, details?: Record<string, unknown>) =>
    db.recordAudit({ actor, action: `booking.${action}`, entity: `booking:${pnr}`, details });
  const releaseSeats = (reason: ReleaseRequest['reason'], onlyIfHeld: boolean) =>
    getExternalWorkflowHandle(input.inventoryWorkflowId).signal(releaseSeatsSignal, { bookingId: pnr, reason, onlyIfHeld });
  /** Asks the inventory to sell the hold and waits for its answer; the request is idempotent, so it is repeated if no answer comes. */
  const confirmInInventory = async (): Promise<ConfirmResult> => {
    for (let attempt = 1; ; attempt++) {
      await getExternalWorkflowHandle(input.inventoryWorkflowId).signal(confirmSeatsSignal, {
        bookingId: pnr,
        replyTo: workflowInfo().workflowId,
      });
      if (await condition(() => confirmation !== null, '1 minute')) return confirmation as unknown as ConfirmResult;
      log.warn('no answer from the inventory yet; asking again', { pnr, attempt });
    }
  };
  const paymentSettled = () => !chargeRequested && status !== 'payment_pending';
  const ended = () => status !== 'held' && status !== 'payment_pending' && status !== 'confirmed';

  // ---- messages ----------------------------------------------------------
  setHandler(bookingStateQuery, view);
  setHandler(seatsConfirmedSignal, (r) => {
    if (r.bookingId === pnr) confirmation = r;
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
    {
      validator: (_info: PaymentInfo) => {
        if (cancelRequest) throw new Error('BOOKING_NOT_PAYABLE: booking is being cancelled');
        if (status === 'held' && Date.now() >= holdExpiresAt) throw new Error('HOLD_EXPIRED: the hold has expired');
        if (status === 'held' && payment !== null && !chargeRequested) {
          throw new Error('BOOKING_NOT_PAYABLE: a payment failed; support can retry it (retryPayment)');
        }
        if (status !== 'held' && status !== 'payment_pending' && status !== 'confirmed') {
          throw new Error(`BOOKING_NOT_PAYABLE: booking is ${status}`);
        }
      },
    },
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
      validator: ({ by }: { by: string }) => {
        if (!validActor(by)) throw new Error('INVALID_REQUEST: `by` must name who acts');
        if (status !== 'held' || payment === null || chargeRequested || lastError === null) {
          throw new Error('BOOKING_NOT_PAYABLE: only a held booking whose last payment attempt failed can be retried');
        }
        if (Date.now() >= holdExpiresAt) throw new Error('HOLD_EXPIRED: the hold has expired');
      },
    },
  );

  setHandler(
    cancelUpdate,
    async (req) => {
      cancelRequest ??= { ...req, railway: false };
      await condition(ended);
      return view();
    },
    {
      validator: ({ by }: { reason: string; by: string }) => {
        if (!validActor(by)) throw new Error('INVALID_REQUEST: `by` must name who acts');
        if (status === 'payment_pending') throw new Error('PAYMENT_IN_PROGRESS: retry when the payment has completed');
        if (status !== 'held' && status !== 'confirmed' && status !== 'cancelled') {
          throw new Error(`BOOKING_NOT_CANCELLABLE: booking is ${status}`);
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

  const sendTicket = async (dedupeKey: string) => {
    const email = ticketEmail(view());
    await mail.sendEmail({ dedupeKey, kind: 'ticket', to: input.email, userId: input.userId, pnr, ...email });
    ticketSent = true;
  };
  const runSupportActions = async () => {
    for (let action = support.shift(); action; action = support.shift()) {
      if (action.kind === 'extendHold' && status === 'held') {
        holdExpiresAt = Math.max(holdExpiresAt, Date.now()) + action.minutes * 60_000;
        await db.extendInventoryHold({ inventoryWorkflowId: input.inventoryWorkflowId, bookingId: pnr, holdExpiresAt });
        note('hold_extended', `${action.minutes} min by ${action.by}`);
        await audit(action.by, 'extend_hold', { minutes: action.minutes, holdExpiresAt: new Date(holdExpiresAt).toISOString() });
      } else if (action.kind === 'resendTicket' && status === 'confirmed') {
        await sendTicket(`ticket:${pnr}:resend:${action.requestId}`);
        note('ticket_resent', action.by);
        await audit(action.by, 'resend_ticket', { requestId: action.requestId });
      }
    }
  };
  /** Ends the workflow once every update has answered. */
  const finish = async (): Promise<BookingView> => {
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
  await firstWrite.recordBookingHeld(input);

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
      if (paymentAttempts > 0) amountRefunded = (await refunds.refundBooking({ pnr, amount: input.fare.total, reason: 'payment_not_completed' })).amount;
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

    setStatus('payment_pending');
    try {
      await payments.chargeBooking({ pnr, amount: input.fare.total, paymentToken: (payment as unknown as PaymentInfo).paymentToken });
      amountPaid = input.fare.total;
      chargeRequested = false;
      break;
    } catch (err) {
      chargeRequested = false;
      lastError = failureMessage(err);
      log.warn('payment failed', { pnr, error: lastError });
      if (!FINAL_PAYMENT_FAILURES.includes(failureType(err))) {
        // The gateway kept failing: keep the hold so support (or the traveller) can retry before it expires.
        setStatus('held', `payment attempt failed: ${lastError}`);
        continue;
      }
      amountRefunded = (await refunds.refundBooking({ pnr, amount: input.fare.total, reason: 'payment_not_completed' })).amount;
      await releaseSeats('payment_failed', true);
      await db.recordBookingStatus({ pnr, status: 'payment_failed', detail: lastError });
      setStatus('payment_failed', failureType(err) === FailureType.PaymentDeclined ? `declined: ${lastError}` : lastError);
      return finish();
    }
  }

  // ---- phase 2: the sale in the inventory, then the final records -------
  const confirmed = await confirmInInventory();
  let recorded = confirmed.ok;
  if (confirmed.ok) {
    seats = confirmed.seats;
    try {
      await db.recordBookingConfirmed({ pnr, classCode: input.classCode, fromSeq: input.from.seq, toSeq: input.to.seq, seats, amountPaid });
    } catch (err) {
      if (failureType(err) !== FailureType.SeatConflict) throw err;
      lastError = failureMessage(err);
      recorded = false;
    }
  }
  if (!recorded) {
    // The hold was lost (or Postgres refused the sale): the railway's fault, so a full refund.
    lastError ??= 'the hold was no longer in the inventory when payment completed';
    amountRefunded = (await refunds.refundBooking({ pnr, amount: fullRefund(amountPaid).refundAmount, reason: 'seats_not_confirmed' })).amount;
    await releaseSeats('payment_failed', false);
    await db.recordRefundAmount({ pnr, amountRefunded, status: 'failed' });
    setStatus('failed', lastError);
    return finish();
  }
  setStatus('confirmed');
  await sendTicket(`ticket:${pnr}`);

  // ---- phase 3: confirmed until departure: reminder, resends, cancellation
  // A durable timer per booking (see docs/architecture.md, "Reminders").
  const reminderAt = input.departureAt - input.reminderLeadMs;
  for (;;) {
    // A booking made inside the lead time gets its reminder at once.
    const nextTimer = reminderSent ? input.departureAt : Math.min(reminderAt, input.departureAt);
    const woken = await condition(() => cancelRequest !== null || support.length > 0, Math.max(nextTimer - Date.now(), 1));
    await runSupportActions();
    if (cancelRequest !== null) break;
    if (woken) continue;
    if (!reminderSent && Date.now() < input.departureAt) {
      await mail.sendEmail({ dedupeKey: `reminder:${pnr}`, kind: 'reminder', to: input.email, userId: input.userId, pnr, ...reminderEmail(view()) });
      reminderSent = true;
      note('reminder_sent');
      continue;
    }
    note('departed');
    return finish();
  }

  const req = cancelRequest as unknown as CancelRequest;
  const quote = req.railway
    ? fullRefund(amountPaid)
    : refundQuote({
        classCode: input.classCode as ClassCode,
        fareTotal: amountPaid,
        passengers: input.passengers.length,
        departureAt: input.departureAt,
        cancelledAt: Date.now(),
      });
  amountRefunded = (await refunds.refundBooking({ pnr, amount: quote.refundAmount, reason: `cancelled: ${req.reason}` })).amount;
  await releaseSeats('cancelled', false);
  await db.recordBookingCancelled({ pnr, amountRefunded, by: req.by, reason: req.reason });
  setStatus('cancelled', `${req.reason}; ${quote.rule}`);
  const email = cancellationEmail(view(), req.railway ? `${req.reason}: ${quote.rule}` : quote.rule);
  await mail.sendEmail({ dedupeKey: `cancel:${pnr}`, kind: 'cancellation', to: input.email, userId: input.userId, pnr, ...email });
  return finish();
}
