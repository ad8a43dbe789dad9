// Messages of the inventory actor: one workflow per train run and class
// (inventory-<train>-<runDate>-<class>), the only writer of that run's seats.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AllocatedSeat, AllocationFailure, Availability, InventoryState, SeatMapView } from '../domain/allocation';
import type { PassengerInput, Quota } from '../domain/types';
import type { BookingInput } from './booking';

/** A booking actor's input before its berths are known: the hold adds `seats`. */
export type PendingBooking = Omit<BookingInput, 'seats'>;

export interface InventoryInput {
  trainNumber: string;
  runDate: string;
  classCode: string;
  /** Present after continue-as-new: everything the previous run knew. */
  carried?: InventoryCarry;
  /** Lower limits for tests that drive an actor through continue-as-new; production uses the defaults. */
  limits?: { maxMessagesPerRun?: number };
}

export interface InventoryCarry {
  state: InventoryState;
  /** Booking ids released in the last day, so a late duplicate hold is refused, not re-seated. */
  closed: Record<string, number>;
  stats: InventoryStats;
  /** Held bookings whose actor (booking-<PNR>) the inventory has not started yet. */
  pendingStarts?: BookingInput[];
}

export interface InventoryStats {
  runs: number;
  holds: number;
  holdFailures: number;
  confirms: number;
  releases: number;
  expiries: number;
  batches: number;
  largestBatch: number;
  /** Booking actors this inventory started after their holds (absent in state carried by older runs). */
  actorsStarted?: number;
}

export interface HoldRequest {
  bookingId: string;
  fromSeq: number;
  toSeq: number;
  passengers: PassengerInput[];
  /** Epoch ms; the inventory releases the hold by itself this long after it, if nobody confirmed it. */
  holdExpiresAt: number;
  quota?: Quota;
  /**
   * The booking this hold is for. When present, the inventory starts its
   * booking actor once the hold is placed (see docs/architecture.md, "Booking
   * actors start after the hold"): the API answers as soon as the hold is
   * durable, and no request waits for a workflow start.
   */
  booking?: PendingBooking;
}

export type HoldFailureReason = AllocationFailure | 'BOOKING_CLOSED';

export type HoldResult =
  | { bookingId: string; ok: true; seats: AllocatedSeat[]; duplicate: boolean }
  | { bookingId: string; ok: false; reason: HoldFailureReason };

export interface ConfirmResult {
  bookingId: string;
  ok: boolean;
  status: 'sold' | 'none';
  seats: AllocatedSeat[];
}

export interface ReleaseRequest {
  bookingId: string;
  reason: 'expired' | 'payment_failed' | 'cancelled' | 'api_rollback' | 'support';
  /** Release only a hold, never a sale (a late expiry must not undo a paid booking). */
  onlyIfHeld?: boolean;
}

export interface InventorySummary {
  trainNumber: string;
  runDate: string;
  classCode: string;
  stopCount: number;
  berths: number;
  held: number;
  sold: number;
  /** Held bookings whose actor the inventory has yet to start. */
  pendingStarts: number;
  stats: InventoryStats;
}

/** Several hold requests in one message: the API coalesces concurrent requests per run. */
export const holdSeatsUpdate = defineUpdate<HoldResult[], [{ requests: HoldRequest[] }]>('holdSeats');
/**
 * Turns a hold into a sale. A signal, not an update: hundreds of bookings may
 * confirm at once after a rush, and updates are limited to 10 in flight per
 * workflow while signals queue. The inventory answers with `seatsConfirmedSignal`
 * to the booking workflow named in `replyTo`.
 */
export const confirmSeatsSignal = defineSignal<[{ bookingId: string; replyTo: string }]>('confirmSeats');
export const extendHoldUpdate = defineUpdate<{ ok: boolean; holdExpiresAt: number | null }, [{ bookingId: string; holdExpiresAt: number }]>(
  'extendHold',
);
export const releaseSeatsSignal = defineSignal<[ReleaseRequest]>('releaseSeats');
export const availabilityQuery = defineQuery<Availability, [{ fromSeq: number; toSeq: number; quota?: Quota }]>('availability');
export const seatMapQuery = defineQuery<SeatMapView>('seatMap');
export const inventorySummaryQuery = defineQuery<InventorySummary>('summary');
/** The inputs of held bookings whose actors have not been started yet (unknown or started ones are left out). */
export const pendingBookingsQuery = defineQuery<BookingInput[], [string[]]>('pendingBookings');
