// The booking actor: one workflow per booking (booking-<PNR>). It owns the
// booking's life: hold (already placed in the inventory by the API) → hold
// timer → payment with retries → confirm in the inventory → final records →
// ticket; or expiry/decline → release; or cancellation → refund → release.
// Invariant: money is never kept without a ticket — every path that took a
// payment and did not confirm ends in a refund.
import {
  ApplicationFailure,
  ActivityFailure,
  condition,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
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
  payUpdate,
  resendTicketSignal,
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
import { cancellationEmail, rupees, ticketEmail } from '../domain/ticket';
import type { ClassCode } from '../domain/types';

const db = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// A charge is retried with backoff on transient gateway failures; a decline is final.
// The timeout bounds how long a charge lost with a crashed worker waits before it is retried.
const payments = proxyActivities<Activities>({
  startToCloseTimeout: '15 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 8,
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

export async function bookingWorkflow(input: BookingInput): Promise<BookingView> {
  const { pnr } = input;
  let status: BookingStatus = 'held';
  let holdExpiresAt = input.holdExpiresAt;
  let seats: AllocatedSeat[] = input.seats;
  let amountPaid = 0;
  let amountRefunded = 0;
  let paymentAttempts = 0;
  let lastError: string | null = null;
  let ticketSent = false;
  let payment: PaymentInfo | null = null;
  let cancelRequest: { reason: string; by: string } | null = null;
  let holdExtended = false;
  const ticketResends: string[] = [];
  const history: BookingView['history'] = [{ at: Date.now(), event: 'held', detail: `${seats.length} berth(s)` }];

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
    passengers: input.passengers.map((p, i) => {
      const seat = seats.find((s) => s.passengerIndex === i);
      return { ...p, coach: seat?.coach ?? null, berthNo: seat?.berthNo ?? null, berthType: seat?.type ?? null };
    }),
    fareTotal: input.fare.total,
    amountPaid,
    amountRefunded,
    holdExpiresAt: status === 'held' || status === 'payment_pending' ? holdExpiresAt : null,
    paymentAttempts,
    lastError,
    ticketSent,
    history,
  });

  const setStatus = (next: BookingStatus, detail?: string) => {
    status = next;
    history.push({ at: Date.now(), event: next, ...(detail ? { detail } : {}) });
    upsertSearchAttributes([{ key: SA.BookingStatus, value: next }]);
    setCurrentDetails(
      [
        `**${next}** — PNR ${pnr}, ${input.trainNumber} ${input.from.code}→${input.to.code} ${input.from.time.slice(0, 10)} ${input.classCode}`,
        `fare ${rupees(input.fare.total)}, paid ${rupees(amountPaid)}, refunded ${rupees(amountRefunded)}`,
        seats.map((s) => `${s.coach}/${s.berthNo}`).join(', '),
        detail ?? '',
      ].join('\n'),
    );
  };
  let confirmation: ConfirmResult | null = null;
  setHandler(seatsConfirmedSignal, (r) => {
    if (r.bookingId === pnr) confirmation = r;
  });
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
  const releaseSeats = (reason: ReleaseRequest['reason'], onlyIfHeld: boolean) =>
    getExternalWorkflowHandle(input.inventoryWorkflowId).signal(releaseSeatsSignal, { bookingId: pnr, reason, onlyIfHeld });

  setHandler(bookingStateQuery, view);

  setHandler(
    payUpdate,
    async (info) => {
      // A repeated pay request (client retry) joins the payment already under way.
      if (status === 'held' && payment === null) {
        payment = info;
        paymentAttempts += 1;
      }
      await condition(() => status !== 'held' && status !== 'payment_pending');
      return view();
    },
    {
      validator: (_info: PaymentInfo) => {
        if (status === 'held' && Date.now() >= holdExpiresAt) throw new Error('HOLD_EXPIRED: the hold has expired');
        if (status !== 'held' && status !== 'payment_pending' && status !== 'confirmed') {
          throw new Error(`BOOKING_NOT_PAYABLE: booking is ${status}`);
        }
        if (cancelRequest) throw new Error('BOOKING_NOT_PAYABLE: booking is being cancelled');
      },
    },
  );

  setHandler(
    cancelUpdate,
    async (req) => {
      if (!cancelRequest) cancelRequest = req;
      await condition(() => status === 'cancelled' || status === 'expired' || status === 'failed' || status === 'payment_failed');
      return view();
    },
    {
      validator: (_req: { reason: string; by: string }) => {
        if (status === 'payment_pending') throw new Error('PAYMENT_IN_PROGRESS: retry when the payment has completed');
        if (status !== 'held' && status !== 'confirmed' && status !== 'cancelled') {
          throw new Error(`BOOKING_NOT_CANCELLABLE: booking is ${status}`);
        }
      },
    },
  );

  setHandler(extendHoldSignal, ({ minutes }) => {
    if (status !== 'held' || minutes <= 0 || minutes > 60) return;
    holdExpiresAt = Math.max(holdExpiresAt, Date.now()) + minutes * 60_000;
    holdExtended = true;
  });
  setHandler(resendTicketSignal, ({ requestId }) => {
    if (status === 'confirmed' && !ticketResends.includes(requestId)) ticketResends.push(requestId);
  });

  upsertSearchAttributes([
    { key: SA.Pnr, value: pnr },
    { key: SA.BookingStatus, value: status },
    { key: SA.TrainNumber, value: input.trainNumber },
    { key: SA.TravelDate, value: input.runDate },
    { key: SA.UserId, value: String(input.userId) },
    { key: SA.TravelClass, value: input.classCode },
  ]);
  setStatus('held');
  await db.recordBookingHeld(input);

  // Phase 1: the hold, until it is paid, cancelled or expires.
  for (;;) {
    holdExtended = false;
    const acted = await condition(
      () => payment !== null || cancelRequest !== null || holdExtended,
      Math.max(holdExpiresAt - Date.now(), 1),
    );
    if (holdExtended) {
      await db.extendInventoryHold({ inventoryWorkflowId: input.inventoryWorkflowId, bookingId: pnr, holdExpiresAt });
      history.push({ at: Date.now(), event: 'hold_extended', detail: new Date(holdExpiresAt).toISOString() });
      continue;
    }
    if (!acted) {
      await releaseSeats('expired', true);
      await db.recordBookingStatus({ pnr, status: 'expired' });
      setStatus('expired', 'hold timed out unpaid');
      return view();
    }
    if (payment === null) {
      // Cancelled while only held: nothing was charged.
      const req = cancelRequest as unknown as { reason: string; by: string };
      await releaseSeats('cancelled', true);
      await db.recordBookingCancelled({ pnr, amountRefunded: 0, by: req.by, reason: req.reason });
      setStatus('cancelled', req.reason);
      return view();
    }
    break;
  }

  // Phase 2: payment, then the sale in the inventory, then the final records.
  setStatus('payment_pending');
  const pay = payment as PaymentInfo;
  try {
    await payments.chargeBooking({ pnr, amount: input.fare.total, paymentToken: pay.paymentToken });
    amountPaid = input.fare.total;
  } catch (err) {
    lastError = failureMessage(err);
    log.warn('payment failed', { pnr, error: lastError });
    // A timed-out attempt may still have charged: the refund activity asks the gateway and refunds if so.
    const r = await refunds.refundBooking({ pnr, amount: input.fare.total, reason: 'payment_not_completed' });
    amountRefunded = r.amount;
    await releaseSeats('payment_failed', true);
    await db.recordBookingStatus({ pnr, status: 'payment_failed', detail: lastError });
    setStatus('payment_failed', failureType(err) === FailureType.PaymentDeclined ? `declined: ${lastError}` : lastError);
    return view();
  }

  const confirmed = await confirmInInventory();
  let recorded = confirmed.ok;
  if (confirmed.ok) {
    seats = confirmed.seats;
    try {
      await db.recordBookingConfirmed({
        pnr,
        classCode: input.classCode,
        fromSeq: input.from.seq,
        toSeq: input.to.seq,
        seats,
        amountPaid,
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
    const r = await refunds.refundBooking({ pnr, amount: fullRefund(amountPaid).refundAmount, reason: 'seats_not_confirmed' });
    amountRefunded = r.amount;
    await releaseSeats('payment_failed', false);
    await db.recordRefundAmount({ pnr, amountRefunded, status: 'failed' });
    setStatus('failed', lastError);
    return view();
  }
  setStatus('confirmed');

  const sendTicket = async (dedupeKey: string) => {
    const email = ticketEmail(view());
    await mail.sendEmail({ dedupeKey, kind: 'ticket', to: input.email, userId: input.userId, pnr, ...email });
    ticketSent = true;
  };
  await sendTicket(`ticket:${pnr}`);

  // Phase 3: confirmed until departure; a cancellation refunds by the rules.
  for (;;) {
    const departed = !(await condition(
      () => cancelRequest !== null || ticketResends.length > 0,
      Math.max(input.departureAt - Date.now(), 1),
    ));
    if (departed) {
      history.push({ at: Date.now(), event: 'departed' });
      return view();
    }
    const resend = ticketResends.shift();
    if (resend !== undefined) {
      await sendTicket(`ticket:${pnr}:resend:${resend}`);
      continue;
    }
    break;
  }

  const req = cancelRequest as unknown as { reason: string; by: string };
  const quote = refundQuote({
    classCode: input.classCode as ClassCode,
    fareTotal: amountPaid,
    passengers: input.passengers.length,
    departureAt: input.departureAt,
    cancelledAt: Date.now(),
  });
  const r = await refunds.refundBooking({ pnr, amount: quote.refundAmount, reason: `cancelled: ${req.reason}` });
  amountRefunded = r.amount;
  await releaseSeats('cancelled', false);
  await db.recordBookingCancelled({ pnr, amountRefunded, by: req.by, reason: req.reason });
  setStatus('cancelled', `${req.reason}; ${quote.rule}`);
  const email = cancellationEmail(view(), quote.rule);
  await mail.sendEmail({ dedupeKey: `cancel:${pnr}`, kind: 'cancellation', to: input.email, userId: input.userId, pnr, ...email });
  return view();
}
