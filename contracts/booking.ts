// Messages of the booking actor: one workflow per booking (booking-<PNR>).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AllocatedSeat } from '../domain/allocation';
import type { FareQuote } from '../domain/fares';
import type { ConfirmResult } from './inventory';
import type { PassengerInput } from '../domain/types';
import { railStatusLabel, type RailPassengerStatus } from '../domain/railInventory';
import type { RailQuota } from '../domain/railwayRules';

export type BookingStatus = 'held' | 'payment_pending' | 'confirmed' | 'expired' | 'payment_failed' | 'cancelled' | 'failed';

export interface StopRef {
  code: string;
  name: string;
  seq: number;
  /** Local date-time with offset, e.g. 2026-12-24T16:35+05:30. */
  time: string;
}

export interface BookingInput {
  pnr: string;
  userId: number;
  email: string;
  trainNumber: string;
  trainName: string;
  runDate: string;
  classCode: string;
  from: StopRef;
  to: StopRef;
  /** Epoch ms of departure from the boarding station (refund windows count from it). */
  departureAt: number;
  passengers: PassengerInput[];
  seats: AllocatedSeat[];
  /** Per passenger, when the hold gave some RAC or a waitlist number; absent when all are confirmed. */
  statuses?: RailPassengerStatus[];
  /** The quota booked in (docs/railway-rules.md); absent: general (GN), as every booking before quotas. */
  quota?: RailQuota;
  /** Per passenger; a Tatkal fare's entries carry `tatkal`, the Tatkal charge. */
  fare: FareQuote;
  holdExpiresAt: number;
  /** Epoch ms the API placed the hold (the actor may start a little later). */
  heldAt?: number;
  inventoryWorkflowId: string;
  /** How long before departure the reminder email goes out. */
  reminderLeadMs: number;
  /** Charge attempts on transient gateway failures before the attempt is reported failed. */
  paymentMaxAttempts: number;
  /** When > 0: the first charge attempt is a local activity of at most this long, then the charge activity takes over (bookingV2). */
  firstChargeTimeoutMs?: number;
  /**
   * The API wrote the held record with the hold (bookings held since actors start on the first
   * message): the actor does not write it again. Absent on older bookings, whose actor writes it.
   */
  heldRecorded?: boolean;
}

export interface PaymentInfo {
  paymentToken: string;
  last4: string;
}

export interface BookingView {
  pnr: string;
  status: BookingStatus;
  userId: number;
  trainNumber: string;
  trainName: string;
  runDate: string;
  classCode: string;
  /** GN, TQ (Tatkal), LD (ladies) or SS (senior citizen / lower berth). */
  quota: RailQuota;
  from: StopRef;
  to: StopRef;
  passengers: (PassengerInput & {
    coach: string | null;
    berthNo: number | null;
    berthType: string | null;
    /** CNF, RAC n or <kind> n (e.g. GNWL 12): the passenger's status now. */
    currentStatus: string;
    /** The status given at booking, as the ticket prints it. */
    bookingStatus: string;
  })[];
  /** The booking as a whole: CNF when every passenger has a berth, else RAC, else WL (some passenger waitlisted). */
  ticketStatus: TicketStatus;
  fareTotal: number;
  amountPaid: number;
  amountRefunded: number;
  holdExpiresAt: number | null;
  paymentAttempts: number;
  lastError: string | null;
  ticketSent: boolean;
  /** `failed`: the mail server kept refusing the ticket; support can resend it (NeedsAttention). */
  ticketDelivery: 'pending' | 'sent' | 'failed';
  reminderSent: boolean;
  /** Paise of a refund the gateway rejected, waiting for support (retryRefund / recordManualRefund); 0 when none. */
  refundOwed: number;
  /** What support must act on (the NeedsAttention search attribute); empty when nothing. */
  attention: string[];
  history: { at: number; event: string; detail?: string }[];
}

export type TicketStatus = 'CNF' | 'RAC' | 'WL';

/**
 * Each passenger with the berth allocated to them (none yet: nulls) and their
 * status: `statuses` now and `booked` at booking (absent: confirmed the ordinary way).
 */
export function passengersWithBerths(
  passengers: PassengerInput[],
  seats: AllocatedSeat[],
  statuses?: readonly RailPassengerStatus[],
  booked?: readonly RailPassengerStatus[],
): BookingView['passengers'] {
  return passengers.map((p, i) => {
    const seat = seats.find((s) => s.passengerIndex === i);
    const now: RailPassengerStatus = statuses?.[i] ?? { status: 'CNF' };
    return {
      ...p,
      coach: seat?.coach ?? null,
      berthNo: seat?.berthNo ?? null,
      berthType: seat?.type ?? null,
      currentStatus: railStatusLabel(now),
      bookingStatus: railStatusLabel(booked?.[i] ?? now),
    };
  });
}

/** CNF when every passenger is confirmed, RAC when the rest are RAC, WL when any is waitlisted. */
export function ticketStatusOf(statuses: readonly RailPassengerStatus[] | undefined): TicketStatus {
  if (!statuses) return 'CNF';
  // Cancelled passengers (CAN) do not count: the ticket is what the others hold.
  if (statuses.some((s) => s.status === 'WL')) return 'WL';
  return statuses.some((s) => s.status === 'RAC') ? 'RAC' : 'CNF';
}

const WAITING_LABEL = /^(RAC|[A-Z]{2}WL) \d+$/;

/**
 * A view with its RAC and waitlist numbers as the inventory has them now (they close up as others leave, and the
 * booking is told only when its passengers move up). Only a waiting status is replaced by a waiting status: a
 * move up to a berth comes with its notice.
 */
export function withCurrentNumbers(view: BookingView, now: readonly RailPassengerStatus[] | null): BookingView {
  if (!now || now.length !== view.passengers.length) return view;
  const passengers = view.passengers.map((p, i) => {
    const s = now[i]!;
    return (s.status === 'RAC' || s.status === 'WL') && WAITING_LABEL.test(p.currentStatus) ? { ...p, currentStatus: railStatusLabel(s) } : p;
  });
  return { ...view, passengers, ticketStatus: ticketStatusOfLabels(passengers.map((p) => p.currentStatus)) };
}

/** Whether any passenger of the view is RAC or waitlisted. */
export const isWaiting = (view: BookingView) => view.passengers.some((p) => WAITING_LABEL.test(p.currentStatus));

/** The same from recorded labels (null: confirmed the ordinary way). */
export function ticketStatusOfLabels(labels: readonly (string | null)[]): TicketStatus {
  if (labels.some((l) => l !== null && /WL \d+$/.test(l))) return 'WL';
  return labels.some((l) => l !== null && l.startsWith('RAC')) ? 'RAC' : 'CNF';
}

/**
 * From the inventory: the booking's passengers moved up (RAC → CNF, WL → RAC
 * or CNF) after someone else's berth was freed; every passenger's status now.
 */
export const passengerStatusChangedSignal = defineSignal<[StatusNotice]>('passengerStatusChanged');
export interface StatusNotice {
  statuses: RailPassengerStatus[];
  seats: AllocatedSeat[];
  /**
   * The chart's notice (epoch ms it was prepared): these statuses are final; a passenger shown CAN whom the
   * traveller did not cancel was dropped from the waitlist and is refunded less clerkage.
   */
  chartedAt?: number;
}

/** The inventory's answer to confirmSeatsSignal. */
export const seatsConfirmedSignal = defineSignal<[ConfirmResult]>('seatsConfirmed');
export const payUpdate = defineUpdate<BookingView, [PaymentInfo]>('pay');
export const cancelUpdate = defineUpdate<BookingView, [{ reason: string; by: string }]>('cancel');
/**
 * Cancels some passengers of a paid booking (0-based positions): each refunded by the cancellation rules for
 * their status, their berths freed for others; the rest keep theirs. Cancelling everyone left is `cancel`.
 */
export const cancelPassengersUpdate = defineUpdate<BookingView, [{ passengerIndexes: number[]; reason: string; by: string }]>('cancelPassengers');
export const bookingStateQuery = defineQuery<BookingView>('state');
// Support actions. Each is validated by the workflow and recorded in the audit log with `by`.
/** Charge again with the card already given, after an attempt failed for a transient reason. */
export const retryPaymentUpdate = defineUpdate<BookingView, [{ by: string }]>('retryPayment');
/** Move the hold deadline by 1–60 minutes (also in the inventory). */
export const extendHoldSignal = defineSignal<[{ minutes: number; by: string }]>('extendHold');
/** Send the ticket email again; one email per requestId. */
export const resendTicketSignal = defineSignal<[{ by: string; requestId: string }]>('resendTicket');
/** Try again a refund the gateway rejected (e.g. after the card issuer was contacted). */
export const retryRefundUpdate = defineUpdate<BookingView, [{ by: string }]>('retryRefund');
/** Record a refund support made outside the gateway (bank transfer, cash): `reference` names it. */
export const recordManualRefundUpdate = defineUpdate<BookingView, [{ by: string; reference: string }]>('recordManualRefund');
/** The railway cancelled the run: full refund and a notice, whatever the booking's state. */
export const railwayCancelSignal = defineSignal<[{ reason: string; by: string }]>('railwayCancel');
