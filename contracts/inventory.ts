// Messages of the inventory actor: one workflow per train run and class
// (inventory-<train>-<runDate>-<class>), the only writer of that run's seats.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AllocatedSeat, AllocationFailure, Availability, InventoryState, SeatMapView } from '../domain/allocation';
import type { CompactClosed, CompactInventory } from '../domain/inventoryCarry';
import type { BookingStatusChange, PersistedWaitBooking, RailPassengerStatus, RailState } from '../domain/railInventory';
import type { ChartView } from '../domain/chart';
import type { Cancelled, WaitlistKind } from '../domain/waitlist';
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
  /** Lower limits for tests that drive an actor through continue-as-new or its end; production uses the defaults. */
  limits?: {
    maxMessagesPerRun?: number;
    /** How long after the last boarding departure the inventory ends (default INVENTORY_CLOSE_GRACE_MS). */
    closeGraceMs?: number;
    /** Pause after a start activity failed its bounded attempts (default 30 s). */
    startRetryPauseMs?: number;
    /** How long after a hold's deadline the inventory releases it by itself (default HOLD_GRACE_MS; tests shorten it). */
    holdGraceMs?: number;
  };
}

/**
 * What a run hands to the next. Runs before the compact carry (patch
 * 'inventory-lifecycle') wrote `state` and `closed`; newer ones write
 * `compact` and `closedCompact`. A run accepts either.
 */
/** A hold released at its deadline: its berths, so a payment completing just after can still place it. */
export interface ExpiredHold {
  fromSeq: number;
  toSeq: number;
  seats: { passengerIndex: number; coach: string; berthNo: number }[];
  /** Epoch ms it was released. */
  at: number;
}

export interface InventoryCarry {
  /** The plain seat state (older runs). */
  state?: InventoryState;
  /** Booking ids released recently, so a late duplicate hold is refused, not re-seated (older runs). */
  closed?: Record<string, number>;
  /** The seat state, compactly (domain/inventoryCarry.ts). */
  compact?: CompactInventory;
  /** The released booking ids, compactly. */
  closedCompact?: CompactClosed;
  stats: InventoryStats;
  /** Held bookings whose actor (booking-<PNR>) the inventory has not started yet. */
  pendingStarts?: BookingInput[];
  /** Bookings whose hold expired in the inventory and are not yet marked expired in Postgres. */
  expiriesToRecord?: string[];
  /** Holds released at their deadline within the grace, for a late confirmation. */
  recentlyExpired?: Record<string, ExpiredHold>;
  /** Epoch ms of the train's departure from its last boarding stop (the second-to-last stop). */
  lastBoardingAt?: number;
  /** RAC places, waitlists and waiting bookings (patch 'inventory-waitlist'). */
  rail?: RailState;
  /** Paid bookings whose passengers moved up, not yet told (their actors get passengerStatusChanged). */
  statusNotices?: StatusNoticeEntry[];
  /** Epoch ms the chart is due (patch 'inventory-chart'): origin departure less CHART_MINUTES_BEFORE_DEPARTURE, or as staff set it. */
  chartAt?: number;
  /** The chart once prepared. */
  chart?: PreparedChart;
  /** The prepared chart, not yet written to Postgres. */
  chartToRecord?: boolean;
}

/** A notice queued for a paid booking; the chart's carry the time it was prepared (final statuses). */
export type StatusNoticeEntry = BookingStatusChange & { chartedAt?: number };

/** What the inventory keeps of its chart: the rest (berths, RAC) is its state, which only cancellations change after it. */
export interface PreparedChart {
  preparedAt: number;
  /** 'schedule' (the chart timer) or the staff member who prepared it early. */
  by: string;
  releasedToGeneral: number;
  unpaidReleased: number;
  promoted: number;
  dropped: Cancelled[];
}

/** A hold is released by the inventory itself this long after its deadline, if the booking actor did not act. */
export const HOLD_GRACE_MS = 5 * 60_000;
/**
 * The inventory ends this long after the train's departure from its last
 * boarding stop (the second-to-last stop): late enough that every booking
 * actor has settled its hold (holds last minutes) and a reported delay has been
 * seen (the departure is read again, with the run's delay, before ending).
 */
export const INVENTORY_CLOSE_GRACE_MS = 6 * 3600_000;

/** The inventory's timetable: when its train leaves the last stop where anyone can board. */
export interface InventoryTimetable {
  /** Epoch ms, including the run's reported delay. */
  lastBoardingAt: number;
  /**
   * Epoch ms the chart is due: the scheduled departure from the origin less the worker's
   * CHART_MINUTES_BEFORE_DEPARTURE (absent from workers of the previous version).
   */
  chartAt?: number;
}

/** An inventory's first state: the layout, with every sale and recorded hold of the run placed back (Postgres). */
export interface InventoryRebuild extends InventoryTimetable {
  compact: CompactInventory;
  restored: { sold: number; held: number };
  /** Bookings that could not be placed back (only a bug could cause one); their pay finds no hold and is refunded. */
  conflicts: { bookingId: string; status: 'sold' | 'held'; reason: string }[];
  /** RAC side-lowers per coach where the operator overrides the table (absent: the table's). */
  racPerCoach?: number;
  /** Bookings with RAC or waitlisted passengers, in booking order (their confirmed passengers are in `compact`). */
  waiting?: PersistedWaitBooking[];
}

/** The final state written to Postgres (audit_log, action inventory.closed) when an inventory ends. */
export interface InventoryClosedRecord {
  workflowId: string;
  trainNumber: string;
  runDate: string;
  classCode: string;
  lastBoardingAt: number;
  closedAt: number;
  berths: number;
  stopCount: number;
  sold: number;
  held: number;
  /** Berth×hop capacity sold, 0–1. */
  soldShare: number;
  stats: InventoryStats;
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
  /** Start activities that failed after their bounded attempts (the loop waits and tries again). */
  startFailures?: number;
  /** Holds confirmed just after the inventory released them at their deadline (their berths still free). */
  lateConfirms?: number;
  /** Holds and sales placed back from Postgres when the actor started after a terminated one. */
  rebuilt?: { sold: number; held: number; conflicts: number };
  /** Bytes (JSON) of the input the last continue-as-new handed on. */
  lastCarryBytes?: number;
  /** Holds answered with RAC or waitlist places (some passengers without a confirmed berth). */
  waitingHolds?: number;
  /** Requests refused because the waitlist was full (REGRET). */
  regrets?: number;
  /** Passengers moved up (RAC → CNF, WL → RAC or CNF). */
  promotions?: number;
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
   * When no confirmed berth fits: join RAC and the waitlist (answered with
   * `statuses`) rather than fail NO_CAPACITY. The API sends it unless the
   * traveller asked for confirmed berths only. Inventories before patch
   * 'inventory-waitlist' ignore it.
   */
  waitlist?: boolean;
  /**
   * The booking this hold is for. When present, the inventory starts its
   * booking actor once the hold is placed. The API no longer sends it (booking
   * actors start on the first message; docs/architecture.md); kept for holds
   * sent by an API process of the previous version during a rolling deploy.
   */
  booking?: PendingBooking;
}

/** REGRET: no confirmed berth, no RAC place and the waitlist is full. */
/** CHART_PREPARED: the chart is prepared, booking in this class has closed. */
/** TATKAL_NOT_OPEN: a Tatkal request before its window (by the workflow clock); QUOTA_NOT_OFFERED: no Tatkal in the class. */
export type HoldFailureReason = AllocationFailure | 'BOOKING_CLOSED' | 'REGRET' | 'ALREADY_WAITING' | 'CHART_PREPARED' | 'TATKAL_NOT_OPEN' | 'QUOTA_NOT_OFFERED';

export type HoldResult =
  | {
      bookingId: string;
      ok: true;
      seats: AllocatedSeat[];
      duplicate: boolean;
      /**
       * The hold's deadline as the inventory keeps it (epoch ms): for a repeated request (a retry with the same
       * PNR), the first request's. Absent from inventories of the previous version.
       */
      holdExpiresAt?: number;
      /** Per passenger (CNF, RAC n, <kind>WL n) when some got no confirmed berth; absent when all did. */
      statuses?: RailPassengerStatus[];
    }
  | {
      bookingId: string;
      ok: false;
      reason: HoldFailureReason;
      /** TATKAL_NOT_OPEN: when the window opens (epoch ms). */
      opensAt?: number;
    };

export interface ConfirmResult {
  bookingId: string;
  ok: boolean;
  status: 'sold' | 'none';
  /** The confirmed berths (for a waiting booking: its confirmed passengers'). */
  seats: AllocatedSeat[];
  /** Per passenger, for a booking with RAC or waitlisted passengers; absent when all are confirmed the ordinary way. */
  statuses?: RailPassengerStatus[];
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
  /** Epoch ms of the departure from the last boarding stop, once known (absent in older runs). */
  lastBoardingAt?: number;
  /** True once the train has left: the inventory takes no more holds and is ending. */
  departed?: boolean;
  /** RAC passengers and waitlisted passengers now, and the waitlist's cap (patch 'inventory-waitlist'). */
  rac?: number;
  waitlisted?: number;
  waitlistCap?: number;
  /** When the chart is due, and when it was prepared (patch 'inventory-chart'). */
  chartAt?: number;
  chartPreparedAt?: number;
}

/** The chart query: staff read it in the Temporal UI and through GET /admin/runs/…/chart. */
export type ChartQueryResult =
  | { prepared: false; chartAt: number | null }
  | { prepared: true; chartAt: number; preparedAt: number; by: string; releasedToGeneral: number; unpaidReleased: number; chart: ChartView };

/** The prepared chart, as written to Postgres (run_charts) by the inventory. */
export interface ChartRecord {
  trainNumber: string;
  runDate: string;
  classCode: string;
  workflowId: string;
  preparedAt: number;
  by: string;
  releasedToGeneral: number;
  unpaidReleased: number;
  chart: ChartView;
}

/** RAC berths with their passengers, and each waitlist in order: what support reads in the UI. */
export interface WaitlistView {
  racBerths: { coach: string; berthNo: number; passengers: { bookingId: string; passengerIndex: number; fromSeq: number; toSeq: number }[] }[];
  waitlists: Record<WaitlistKind, { number: number; bookingId: string; passengerIndex: number; fromSeq: number; toSeq: number }[]>;
  cap: number;
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
/**
 * Turns holds into sales, a batch at a time: the booking actor's local
 * activity asks its worker, which coalesces the confirmations for one
 * inventory that arrive while a batch is in flight (activities/inventoryConfirms.ts),
 * so the 10-updates-in-flight limit is never near. Idempotent per booking.
 * Used by booking actors started since patch 'booking-pay-path-local'; older
 * actors use confirmSeatsSignal.
 */
export const confirmSeatsUpdate = defineUpdate<ConfirmResult[], [{ bookingIds: string[] }]>('confirmSeatsBatch');
export const extendHoldUpdate = defineUpdate<{ ok: boolean; holdExpiresAt: number | null }, [{ bookingId: string; holdExpiresAt: number }]>(
  'extendHold',
);
export const releaseSeatsSignal = defineSignal<[ReleaseRequest]>('releaseSeats');
/**
 * Partial cancellation: frees these passengers' berths, RAC places and waitlist numbers (others are promoted
 * into them); the booking's other passengers keep theirs. `passengers` is the booking's whole list (the
 * inventory keeps none for a booking placed the ordinary way). Ignored by inventories before patch 'inventory-waitlist'.
 */
export const releasePassengersSignal = defineSignal<[{ bookingId: string; passengerIndexes: number[]; passengers: PassengerInput[] }]>('releasePassengers');
export const availabilityQuery = defineQuery<Availability, [{ fromSeq: number; toSeq: number; quota?: Quota }]>('availability');
export const seatMapQuery = defineQuery<SeatMapView>('seatMap');
/** RAC berths and waitlists (empty on inventories before patch 'inventory-waitlist'). */
export const waitlistQuery = defineQuery<WaitlistView>('waitlist');
export const inventorySummaryQuery = defineQuery<InventorySummary>('summary');
/**
 * One booking's passengers' statuses now (CNF, RAC n, <kind> n, CAN); null for a booking on the ordinary path or
 * unknown. Waiting numbers close up without the booking being told: the API reads them here.
 */
export const passengerStatusesQuery = defineQuery<RailPassengerStatus[] | null, [string]>('passengerStatuses');
/** The chart, prepared or not yet (patch 'inventory-chart'). */
export const chartQuery = defineQuery<ChartQueryResult>('chart');
/**
 * Staff: prepare the chart now (no `at`, or `at` not in the future), or move its time (`at`, epoch ms). Answers
 * the chart query's result. Refused once the chart is prepared or by an inventory from before the patch.
 */
export const prepareChartUpdate = defineUpdate<ChartQueryResult, [{ by: string; at?: number }]>('prepareChart');
/** The inputs of held bookings whose actors have not been started yet (unknown or started ones are left out). */
export const pendingBookingsQuery = defineQuery<BookingInput[], [string[]]>('pendingBookings');
