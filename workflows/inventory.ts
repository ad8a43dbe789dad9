// The inventory actor: one workflow per train run and class. It alone decides
// which berth is held or sold over which segment, so double booking is
// impossible by construction: every message is handled to completion, one
// after another, on a single state.
//
// Message pattern (see docs/architecture.md for the measurements): holds
// arrive as *batched* updates — the API coalesces the requests for one run
// that arrive while a previous batch is in flight — so a rush of hundreds of
// requests a second becomes tens of updates a second, far below the server's
// 10 in-flight updates per workflow. Confirmations are signals (answered by a
// signal to the booking), since a rush ends in as many confirmations as holds
// and signals have no in-flight limit. Update handlers are synchronous (no
// awaits), so each update completes in the workflow task that delivers it.
//
// Booking actors start after the hold: a hold that names its booking is
// queued here, and a start activity creates the booking-<PNR> actors in the
// background, so no traveller's request waits for a workflow start (measured:
// the dev server manages ~300 bare starts/s with most of the machine; docs/architecture.md).
//
// Lifecycle (patch 'inventory-lifecycle'; docs/architecture.md, "Inventory
// lifecycle"): a new actor rebuilds its state from Postgres (so one started
// after a terminated or failed actor never sells a berth twice); it carries a
// compact state across continue-as-new (domain/inventoryCarry.ts); and after
// its train has left the last boarding stop, plus a grace, it refuses holds,
// starts its last queued booking actors, writes its final state to Postgres
// and completes. Runs and histories from before the patch keep their old path.
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { FailureType } from '../contracts/failures';
import {
  availabilityQuery,
  chartQuery,
  confirmSeatsSignal,
  confirmSeatsUpdate,
  extendHoldUpdate,
  HOLD_GRACE_MS,
  holdSeatsUpdate,
  INVENTORY_CLOSE_GRACE_MS,
  inventorySummaryQuery,
  passengerStatusesQuery,
  pendingBookingsQuery,
  prepareChartUpdate,
  releasePassengersSignal,
  releaseSeatsSignal,
  seatMapQuery,
  type ChartQueryResult,
  type ConfirmResult,
  type ExpiredHold,
  type HoldRequest,
  type HoldResult,
  type InventoryCarry,
  type InventoryInput,
  type InventoryStats,
  type PendingBooking,
  type PreparedChart,
  type ReleaseRequest,
  type StatusNoticeEntry,
  type WaitlistView,
  waitlistQuery,
} from '../contracts/inventory';
import { passengerStatusChangedSignal, seatsConfirmedSignal, type BookingInput } from '../contracts/booking';
import { bookingWorkflowId } from '../contracts/workflowIds';
import {
  confirmRail,
  createRailState,
  expireWaiting,
  extendWaiting,
  holdRail,
  nextWaitingExpiry,
  releasePassengers,
  releaseRail,
  restoreWaiting,
  statusesOf,
  type BookingStatusChange,
  type PersistedWaitBooking,
  type RailState,
} from '../domain/railInventory';
import { racSeatMap, waitingCount, WAITLIST_KINDS } from '../domain/waitlist';
import { chartOf, prepareChart } from '../domain/chart';
import { tatkalRefusal } from '../domain/tatkal';
import {
  allocate,
  availability,
  bookingSeats,
  confirm,
  createInventory,
  heldBookings,
  release,
  seatMap,
  type InventoryState,
} from '../domain/allocation';
import { restoreBookings } from '../domain/inventoryRebuild';
import { decodeClosed, decodeInventory, encodeClosed, encodeInventory, estimateCarryBytes, jsonBytes, pruneClosed, pruneExpired } from '../domain/inventoryCarry';

export { HOLD_GRACE_MS };

/** Gates everything this file does differently from the recorded histories (test/fixtures/histories/inventory-1A.json). */
export const LIFECYCLE_PATCH = 'inventory-lifecycle';
/**
 * Booking actors start on the first message (docs/architecture.md), so a hold
 * nobody acts on has no actor to end it. Since this patch the inventory:
 * releases such a hold at its deadline (no grace: nobody is paying for it),
 * marks its record expired in Postgres, and remembers its berths for the
 * grace period, so that a payment begun just before the deadline and
 * confirmed just after it still gets them if nobody has taken them meanwhile
 * (a "late confirmation"; otherwise the booking refunds).
 */
export const HOLDS_WITHOUT_ACTORS_PATCH = 'inventory-holds-without-actors';
/**
 * RAC and the waitlist (docs/railway-rules.md): a hold that asks for it
 * (`waitlist`) and finds no confirmed berth gets RAC places and waitlist
 * numbers, or REGRET; every release promotes into what it freed, in the same
 * handler (domain/railInventory.ts), and the paid bookings whose passengers
 * moved up are told (passengerStatusChanged), from a background loop. The side-
 * lowers kept for RAC are taken from the confirmed pool when the state is first
 * built under the patch (only wholly unsold ones, for a run continued from
 * before it).
 */
export const WAITLIST_PATCH = 'inventory-waitlist';
/**
 * The chart (docs/railway-rules.md, "The chart"): at chart time (the origin
 * departure less CHART_MINUTES_BEFORE_DEPARTURE, read with the timetable, or
 * when staff prepare it early through prepareChart) the actor releases unpaid
 * waiting holds, moves unsold quota berths to the general pool, promotes a
 * last time and drops the passengers still waitlisted; it refuses holds from
 * then on, tells every paid booking its final statuses (a dropped passenger is
 * refunded by its booking) and writes the chart to Postgres (run_charts).
 * Only on actors with the waitlist patch.
 */
export const CHART_PATCH = 'inventory-chart';
/** Bookings told of their promotions per batch of signals. */
const NOTICES_PER_BATCH = 50;
/**
 * Expired holds whose berths are remembered for a late confirmation, at most (the oldest are forgotten
 * first): ~100 bytes each in the carry, so at most ~100 kB beside the ~330 kB of a full, fragmented
 * largest class — under the SDK's 512 kB warning.
 */
const MAX_RECENTLY_EXPIRED = 1_000;

// Postgres being down is fixed by nothing but time: retried without a limit, in the background of the holds.
const { recordHoldsExpired } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
/** Expired holds marked per activity. */
const EXPIRIES_PER_ACTIVITY = 500;
const { loadInventoryLayout, loadInventoryTimetable, rebuildInventory, recordInventoryClosed, recordChart } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
// Before the patch: the start activity was retried without a limit and without a heartbeat.
const { startBookingActors: startBookingActorsUnbounded } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
/**
 * Bounded per scheduling: a worker that died mid-activity is noticed within
 * the heartbeat timeout (the activity heartbeats after every start), and after
 * a few attempts the failure comes back to the start loop, which logs it,
 * waits START_RETRY_PAUSE_MS and schedules again. Nothing waits on it: a run
 * that continues as new carries the queue, and a start repeated by the next
 * run finds the actor there (REJECT_DUPLICATE) and counts it as done.
 */
const { startBookingActors: startBookingActorsBounded } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  scheduleToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '15 seconds', maximumAttempts: 4 },
});
export const START_RETRY_PAUSE_MS = 30_000;

/** Booking actors started per activity. */
export const STARTS_PER_ACTIVITY = 50;
/**
 * While holds keep arriving, starts wait for this long a pause in them, up to
 * a queue of MAX_DEFERRED_STARTS (~3 MB in memory, ~45 s of start work on 2
 * cores) and never past the run's hard bounds: in a rush the CPU goes to
 * answering travellers, and the actors are started when it subsides.
 * Measured: at 200 holds/s, starting actors alongside took the machine to 96 %
 * busy and the holds' p99 to 323 ms; deferred, p99 was 70–130 ms
 * (bench/README.md). A traveller who pays meanwhile starts their actor
 * through the API.
 */
const STARTS_DEFER_MS = 1_000;
const MAX_DEFERRED_STARTS = 3_000;
/**
 * Continue-as-new carries the queued starts (the new run starts them again; a
 * second start of an actor is a no-op). Beyond this many bytes of them it
 * first lets the start activity shorten the queue, so that the carried input
 * (seat state ≤ ~0.8 MB for a full 720-berth run, plus this) stays below the
 * server's 2 MB payload limit. A queued booking is ~1 kB. (Before the patch.)
 */
const MAX_CARRIED_START_BYTES = 300_000;
/**
 * With the patch the rule is on the whole carry: the queued starts are carried
 * while the carry (compact state, closed ids, stats and starts) stays under
 * SOFT_CARRY_BYTES, below the SDK's 512 KiB payload warning; otherwise the run
 * first lets the start activity shorten the queue. Past the hard bounds the
 * run carries up to HARD_CARRY_BYTES (under the server's 2 MB limit) rather
 * than stall. The full, fragmented largest class measures ~330 kB compact with
 * its closed ids (bench/inventoryCarry.bench.ts), which leaves ~150 kB (~150
 * queued bookings) for the starts.
 */
const SOFT_CARRY_BYTES = 480_000;
const HARD_CARRY_BYTES = 1_500_000;

/** Booking ids released are remembered this long, to refuse a late duplicate hold. */
const CLOSED_RETENTION_MS = 24 * 3600_000;
/**
 * With the patch: a late duplicate hold comes from the API's gateway retrying
 * one request (seconds; a new request gets a new PNR), so an hour is ample,
 * and at most this many ids are kept (the newest), ~11 bytes each in the carry.
 */
const CLOSED_RETENTION_LIFECYCLE_MS = 3600_000;
const MAX_CLOSED_IDS = 10_000;
/**
 * Continue-as-new well before the server's limits: 2,000 updates per run and
 * a history warning at 10,240 events / 10 MB. Each batch is one update (plus a
 * few events), so these bounds keep a run far from both. The run is due for
 * continue-as-new at the first of these or the server's suggestion.
 */
export const MAX_MESSAGES_PER_RUN = 500;
const MAX_HISTORY_EVENTS = 4_000;
/**
 * While the queue of starts is too big to carry (right after a rush), a run
 * that is due goes on taking holds until the start activity has shortened the
 * queue, up to these bounds, which are still under the server's warnings. Only
 * past them do holds wait (measured: a 3,000-hold burst used to stall ~20 s
 * at the hand-over; bench/README.md).
 */
const HARD_MESSAGES_FACTOR = 3;
const HARD_MAX_HISTORY_EVENTS = 8_000;
const HARD_MAX_HISTORY_BYTES = 8_000_000;

const emptyStats = (): InventoryStats => ({
  runs: 0,
  holds: 0,
  holdFailures: 0,
  confirms: 0,
  releases: 0,
  expiries: 0,
  batches: 0,
  largestBatch: 0,
});

export async function inventoryWorkflow(input: InventoryInput): Promise<void> {
  const { trainNumber, runDate, classCode, limits } = input;
  const lifecycle = patched(LIFECYCLE_PATCH);
  const withoutActors = patched(HOLDS_WITHOUT_ACTORS_PATCH);
  const waitlisting = patched(WAITLIST_PATCH);
  const charting = waitlisting && patched(CHART_PATCH);
  const maxMessages = limits?.maxMessagesPerRun ?? MAX_MESSAGES_PER_RUN;
  const closeGraceMs = limits?.closeGraceMs ?? INVENTORY_CLOSE_GRACE_MS;
  const startRetryPauseMs = limits?.startRetryPauseMs ?? START_RETRY_PAUSE_MS;
  const holdGraceMs = limits?.holdGraceMs ?? HOLD_GRACE_MS;
  const carry = input.carried;
  // Either form: the plain state of runs before the patch, or the compact one.
  let state: InventoryState | undefined = carry?.state ?? (carry?.compact ? decodeInventory(carry.compact) : undefined);
  const closed: Record<string, number> = carry?.closed ?? (carry?.closedCompact ? decodeClosed(carry.closedCompact) : {});
  const stats: InventoryStats = carry?.stats ?? emptyStats();
  stats.runs += 1;
  stats.actorsStarted ??= 0;
  /** Departure from the last boarding stop (epoch ms, with the reported delay); the actor ends closeGraceMs after it. */
  let lastBoardingAt: number | undefined = carry?.lastBoardingAt;
  /** The train has left: no more holds; the actor starts its last queued actors, writes its final state and ends. */
  let departed = false;
  /** Held bookings whose actor is not started yet, oldest first; the start activity works from the front. */
  const pendingStarts: BookingInput[] = carry?.pendingStarts ?? [];
  /** Bookings whose hold expired here, to be marked expired in Postgres (carried until done). */
  const expiriesToRecord: string[] = carry?.expiriesToRecord ?? [];
  /** Holds released at their deadline, with their berths, for a late confirmation within the grace (oldest first). */
  const recentlyExpired: Record<string, ExpiredHold> = carry?.recentlyExpired ?? {};
  /** RAC and waitlists (with the patch; built once the seat state is, below). */
  let rail: RailState | undefined = carry?.rail;
  /** RAC side-lowers per coach as the operator set them (from the rebuild; absent: the table's). */
  let racPerCoach: number | undefined;
  let rebuiltWaiting: PersistedWaitBooking[] | undefined;
  /** Paid bookings whose passengers moved up, to be told (only the notice loop removes, from the front). */
  const statusNotices: StatusNoticeEntry[] = carry?.statusNotices ?? [];
  /** When the chart is due (epoch ms), once known; staff may move it (prepareChart). */
  let chartAt: number | undefined = carry?.chartAt;
  let chart: PreparedChart | undefined = carry?.chart;
  /** The chart is prepared but not yet in Postgres (only the record loop clears it). */
  let chartToRecord = carry?.chartToRecord === true;
  const notify = (changes: readonly BookingStatusChange[]) => {
    for (const c of changes) {
      stats.promotions = (stats.promotions ?? 0) + 1;
      // An unpaid booking learns its statuses when it is paid (the sale's answer carries them).
      if (c.sold) statusNotices.push(c);
    }
  };
  const sizeOf = (b: BookingInput) => JSON.stringify(b).length;
  let pendingBytes = pendingStarts.reduce((n, b) => n + sizeOf(b), 0);
  // The carry's size without the starts is estimated from the state each time it is asked (a pure function, a few
  // ms for a full run): a value cached when first asked would depend on when that was, and update validators,
  // which ask too, are not replayed.
  const startsFitInCarry = () =>
    lifecycle
      ? pendingStarts.length === 0 ||
        estimateCarryBytes(state as InventoryState, closed, stats) + (rail ? jsonBytes(rail) : 0) + pendingBytes <=
          (pastHardBounds() ? HARD_CARRY_BYTES : SOFT_CARRY_BYTES)
      : pendingStarts.length <= 100 || pendingBytes <= MAX_CARRIED_START_BYTES;
  let messagesThisRun = 0;
  let lastHoldAt = 0;
  /** When the loop's timer fires; a new hold that expires earlier wakes the loop to re-arm it. */
  let armedUntil = Number.POSITIVE_INFINITY;
  let wake = false;

  const ready = () => state !== undefined;
  const dueForNewRun = () =>
    messagesThisRun >= maxMessages ||
    workflowInfo().historyLength >= MAX_HISTORY_EVENTS ||
    workflowInfo().continueAsNewSuggested;
  const pastHardBounds = () =>
    messagesThisRun >= maxMessages * HARD_MESSAGES_FACTOR ||
    workflowInfo().historyLength >= HARD_MAX_HISTORY_EVENTS ||
    workflowInfo().historySize >= HARD_MAX_HISTORY_BYTES;
  /** From here on the run takes no more messages and continues as new. */
  const closing = () => pastHardBounds() || (dueForNewRun() && startsFitInCarry());

  /** Update validators: rejected updates leave no trace in history, and the caller retries — except once the train has left. */
  const acceptingMessages = () => {
    if (departed) {
      throw ApplicationFailure.create({
        type: FailureType.InventoryClosed,
        message: `train ${trainNumber} of ${runDate} has left; its ${classCode} inventory takes no more holds`,
        nonRetryable: true,
      });
    }
    if (!ready()) throw new Error('inventory is loading; retry');
    if (closing()) throw new Error('inventory is continuing as new; retry');
  };

  const closeBooking = (bookingId: string) => {
    closed[bookingId] = Date.now();
  };
  const pruneClosedIds = (now: number) => {
    if (lifecycle) pruneClosed(closed, now, CLOSED_RETENTION_LIFECYCLE_MS, MAX_CLOSED_IDS);
    else for (const [id, at] of Object.entries(closed)) if (now - at > CLOSED_RETENTION_MS) delete closed[id];
  };
  const carryWithoutStarts = (): InventoryCarry => ({
    compact: encodeInventory(state as InventoryState),
    closedCompact: encodeClosed(closed),
    stats,
    ...(lastBoardingAt === undefined ? {} : { lastBoardingAt }),
  });

  const bookingInput = (booking: PendingBooking, seats: BookingInput['seats']): BookingInput => ({ ...booking, seats });

  const holdOne = (s: InventoryState, req: HoldRequest): HoldResult => {
    if (Object.hasOwn(closed, req.bookingId)) return { bookingId: req.bookingId, ok: false, reason: 'BOOKING_CLOSED' };
    if (chart) {
      stats.holdFailures += 1;
      return { bookingId: req.bookingId, ok: false, reason: 'CHART_PREPARED' };
    }
    // The Tatkal window by the workflow clock (domain/tatkal.ts). No patch: no recorded history has a Tatkal hold.
    if (req.quota === 'TQ') {
      const refusal = tatkalRefusal(classCode, runDate, Date.now());
      if (refusal) {
        stats.holdFailures += 1;
        return { bookingId: req.bookingId, ok: false, ...refusal };
      }
    }
    // The inventory's own deadline is later than the booking's, so a payment
    // that started just before the booking's deadline can still confirm.
    // A hold carrying its booking (from an API of the previous version) has its actor started here, which
    // releases it at the deadline itself; the inventory's own release comes after a grace for a payment in flight.
    // Without an actor the inventory releases at the deadline, and a late confirmation can still place it.
    const grace = withoutActors && !req.booking ? 0 : holdGraceMs;
    const request = { ...req, holdExpiresAt: req.holdExpiresAt + grace };
    if (rail) return holdWithWaitlist(s, rail, req, request);
    const result = allocate(s, request);
    if (!result.ok) {
      stats.holdFailures += 1;
      return { bookingId: req.bookingId, ok: false, reason: result.reason };
    }
    if (!result.duplicate) {
      stats.holds += 1;
      if (req.holdExpiresAt + grace < armedUntil) wake = true;
      if (req.booking) {
        const queued = bookingInput(req.booking, result.seats);
        pendingStarts.push(queued);
        pendingBytes += sizeOf(queued);
      }
    }
    const kept = s.bookings[req.bookingId]?.holdExpiresAt;
    return { bookingId: req.bookingId, ok: true, seats: result.seats, duplicate: result.duplicate, ...(kept === undefined ? {} : { holdExpiresAt: kept - grace }) };
  };

  /** holdOne with the patch: confirmed berths, else RAC and waitlist places when the request allows them. */
  const holdWithWaitlist = (s: InventoryState, rs: RailState, req: HoldRequest, request: HoldRequest): HoldResult => {
    const result = holdRail(s, rs, request, req.waitlist === true && !req.booking);
    if (!result.ok) {
      stats.holdFailures += 1;
      if (result.reason === 'REGRET') stats.regrets = (stats.regrets ?? 0) + 1;
      return { bookingId: req.bookingId, ok: false, reason: result.reason };
    }
    notify(result.changes);
    if (!result.duplicate) {
      stats.holds += 1;
      if (result.statuses) stats.waitingHolds = (stats.waitingHolds ?? 0) + 1;
      if (request.holdExpiresAt < armedUntil) wake = true;
      if (req.booking) {
        const queued = bookingInput(req.booking, result.seats);
        pendingStarts.push(queued);
        pendingBytes += sizeOf(queued);
      }
    }
    const grace = request.holdExpiresAt - req.holdExpiresAt;
    const kept = result.statuses ? rs.waits[req.bookingId]?.holdExpiresAt : s.bookings[req.bookingId]?.holdExpiresAt;
    return {
      bookingId: req.bookingId,
      ok: true,
      seats: result.seats,
      duplicate: result.duplicate,
      ...(kept === undefined ? {} : { holdExpiresAt: kept - grace }),
      ...(result.statuses ? { statuses: result.statuses } : {}),
    };
  };

  setHandler(
    holdSeatsUpdate,
    ({ requests }) => {
      const s = state as InventoryState;
      messagesThisRun += 1;
      lastHoldAt = Date.now();
      stats.batches += 1;
      stats.largestBatch = Math.max(stats.largestBatch, requests.length);
      return requests.map((req) => holdOne(s, req));
    },
    {
      validator: ({ requests }) => {
        // Rejected updates leave no trace in history: refuse here whatever can never succeed.
        if (!Array.isArray(requests) || requests.length === 0 || requests.length > 200) {
          throw new Error('a hold batch carries 1 to 200 requests');
        }
        acceptingMessages();
      },
    },
  );

  /** Sells a hold; a hold released at its deadline moments ago is placed back on its berths if they are still free. */
  const confirmOne = (s: InventoryState, bookingId: string): ConfirmResult => {
    if (rail && Object.hasOwn(rail.waits, bookingId)) {
      const w = confirmRail(s, rail, bookingId);
      if (w.changed) stats.confirms += 1;
      return { bookingId, ok: true, status: 'sold', seats: w.seats, ...(w.statuses ? { statuses: w.statuses } : {}) };
    }
    let r = confirm(s, bookingId);
    const expired = Object.hasOwn(recentlyExpired, bookingId) ? recentlyExpired[bookingId] : undefined;
    if (r.status === 'none' && expired) {
      const placed = restoreBookings(s, [{ bookingId, status: 'sold', fromSeq: expired.fromSeq, toSeq: expired.toSeq, seats: expired.seats }]);
      if (placed.sold === 1) {
        stats.lateConfirms = (stats.lateConfirms ?? 0) + 1;
        r = { changed: true, status: 'sold', seats: bookingSeats(s, bookingId)?.seats ?? [] };
      } else log.warn('late confirmation: the berths were taken meanwhile', { bookingId, conflicts: placed.conflicts });
      delete recentlyExpired[bookingId];
    }
    if (r.changed) stats.confirms += 1;
    const sold = r.status === 'sold';
    return { bookingId, ok: sold, status: sold ? 'sold' : 'none', seats: r.seats };
  };

  setHandler(confirmSeatsSignal, async ({ bookingId, replyTo }) => {
    messagesThisRun += 1;
    const reply = (r: ConfirmResult) => getExternalWorkflowHandle(replyTo).signal(seatsConfirmedSignal, r);
    if (!state) {
      pendingConfirms.push({ bookingId, replyTo });
      return;
    }
    // The booking may have ended meanwhile (its signal is then refused): nothing to tell it.
    await reply(confirmOne(state, bookingId)).catch((err: unknown) =>
      log.warn('could not answer a confirmation', { bookingId, replyTo, error: String(err) }),
    );
  });
  const pendingConfirms: { bookingId: string; replyTo: string }[] = [];

  setHandler(
    confirmSeatsUpdate,
    ({ bookingIds }) => {
      const s = state as InventoryState;
      messagesThisRun += 1;
      return bookingIds.map((bookingId) => confirmOne(s, bookingId));
    },
    {
      validator: ({ bookingIds }) => {
        if (!Array.isArray(bookingIds) || bookingIds.length === 0 || bookingIds.length > 200) {
          throw new Error('a confirmation batch carries 1 to 200 booking ids');
        }
        acceptingMessages();
      },
    },
  );

  setHandler(
    extendHoldUpdate,
    ({ bookingId, holdExpiresAt }) => {
      const s = state as InventoryState;
      messagesThisRun += 1;
      if (rail && extendWaiting(rail, bookingId, holdExpiresAt + holdGraceMs)) return { ok: true, holdExpiresAt };
      const booking = Object.hasOwn(s.bookings, bookingId) ? s.bookings[bookingId] : undefined;
      if (!booking || booking.status !== 'held') return { ok: false, holdExpiresAt: null };
      booking.holdExpiresAt = holdExpiresAt + holdGraceMs;
      return { ok: true, holdExpiresAt };
    },
    { validator: (_req: { bookingId: string; holdExpiresAt: number }) => acceptingMessages() },
  );

  const pendingReleases: ReleaseRequest[] = [];
  const applyRelease = (s: InventoryState, req: ReleaseRequest) => {
    let r: { changed: boolean; status?: string };
    if (rail) {
      const freed = releaseRail(s, rail, req.bookingId, req.onlyIfHeld === true);
      notify(freed.changes);
      const left = Object.hasOwn(s.bookings, req.bookingId) || Object.hasOwn(rail.waits, req.bookingId);
      r = { changed: freed.changed, status: left ? 'kept' : 'none' };
    } else r = release(s, req.bookingId, req.onlyIfHeld ? 'held' : undefined);
    if (r.changed) {
      stats.releases += 1;
      closeBooking(req.bookingId);
    } else if (r.status === 'none') {
      // Released before it was ever held (e.g. an API rollback racing the hold): refuse the hold later.
      closeBooking(req.bookingId);
    }
  };
  setHandler(releaseSeatsSignal, (req) => {
    messagesThisRun += 1;
    if (state) applyRelease(state, req);
    else pendingReleases.push(req);
  });

  type PartialRelease = { bookingId: string; passengerIndexes: number[]; passengers: BookingInput['passengers'] };
  const pendingPartials: PartialRelease[] = [];
  const applyPartial = (s: InventoryState, { bookingId, passengerIndexes, passengers }: PartialRelease) => {
    // Signals cannot be refused: a malformed one (or one to an inventory from before the patch) is logged.
    if (!rail || typeof bookingId !== 'string' || !Array.isArray(passengerIndexes) || !Array.isArray(passengers)) {
      log.warn('releasePassengers ignored', { bookingId, waitlisting: rail !== undefined });
      return;
    }
    const freed = releasePassengers(s, rail, bookingId, passengerIndexes, passengers);
    if (freed.changed) stats.releases += 1;
    notify(freed.changes);
  };
  setHandler(releasePassengersSignal, (req) => {
    messagesThisRun += 1;
    if (state) applyPartial(state, req);
    else pendingPartials.push(req);
  });

  /** Prepares the chart now (mutates the state; synchronous, so it happens within one handler or loop turn). */
  const prepareChartNow = (s: InventoryState, rs: RailState, by: string) => {
    const outcome = prepareChart(s, rs);
    for (const bookingId of outcome.unpaidReleased) {
      closeBooking(bookingId);
      stats.expiries += 1;
      if (withoutActors) expiriesToRecord.push(bookingId);
    }
    stats.promotions = (stats.promotions ?? 0) + outcome.promoted;
    const preparedAt = Date.now();
    chart = {
      preparedAt,
      by,
      releasedToGeneral: outcome.releasedToGeneral,
      unpaidReleased: outcome.unpaidReleased.length,
      promoted: outcome.promoted,
      dropped: outcome.dropped,
    };
    chartToRecord = true;
    // Every paid booking gets its final statuses (promotions included): one notice each, the chart's.
    for (const f of outcome.finals) statusNotices.push({ ...f, chartedAt: preparedAt });
    upsertMemo({ chartPreparedAt: new Date(preparedAt).toISOString() });
    log.info('chart prepared', { by, dropped: outcome.dropped.length, promoted: outcome.promoted, releasedToGeneral: outcome.releasedToGeneral });
  };
  const chartResult = (): ChartQueryResult =>
    chart && state && rail
      ? {
          prepared: true,
          chartAt: chartAt ?? chart.preparedAt,
          preparedAt: chart.preparedAt,
          by: chart.by,
          releasedToGeneral: chart.releasedToGeneral,
          unpaidReleased: chart.unpaidReleased,
          chart: chartOf(state, rail, chart.dropped),
        }
      : { prepared: false, chartAt: chartAt ?? null };

  setHandler(
    prepareChartUpdate,
    ({ by, at }) => {
      messagesThisRun += 1;
      const now = Date.now();
      if (at !== undefined && at > now) {
        chartAt = at;
        wake = true;
        log.info('chart time moved', { by, chartAt });
        return chartResult();
      }
      chartAt = now;
      prepareChartNow(state as InventoryState, rail as RailState, by);
      return chartResult();
    },
    {
      validator: ({ by, at }: { by: string; at?: number }) => {
        if (typeof by !== 'string' || by === '' || (at !== undefined && !Number.isFinite(at))) throw new Error('prepareChart takes { by, at? }');
        if (!charting) {
          throw ApplicationFailure.create({ type: 'CHART_UNAVAILABLE', message: 'this inventory predates charts (patch inventory-chart)', nonRetryable: true });
        }
        if (chart) {
          throw ApplicationFailure.create({
            type: 'CHART_PREPARED',
            message: `the chart was prepared at ${new Date(chart.preparedAt).toISOString()}`,
            nonRetryable: true,
          });
        }
        acceptingMessages();
      },
    },
  );
  setHandler(chartQuery, chartResult);
  setHandler(passengerStatusesQuery, (bookingId) => (state && rail && typeof bookingId === 'string' ? (statusesOf(state, rail, bookingId) ?? null) : null));

  setHandler(availabilityQuery, ({ fromSeq, toSeq, quota }) => {
    if (!state) throw new Error('inventory is loading');
    return availability(state, fromSeq, toSeq, quota);
  });
  setHandler(seatMapQuery, () => {
    if (!state) throw new Error('inventory is loading');
    return seatMap(state);
  });
  setHandler(waitlistQuery, (): WaitlistView => {
    const wl = rail?.wl;
    const waitlists = Object.fromEntries(
      WAITLIST_KINDS.map((kind) => [
        kind,
        (wl?.waitlists[kind] ?? []).map((p, i) => ({ number: i + 1, bookingId: p.bookingId, passengerIndex: p.passengerIndex, fromSeq: p.fromSeq, toSeq: p.toSeq })),
      ]),
    ) as WaitlistView['waitlists'];
    return { racBerths: wl ? racSeatMap(wl) : [], waitlists, cap: wl?.cap ?? 0 };
  });
  setHandler(pendingBookingsQuery, (pnrs) => {
    const wanted = new Set(pnrs);
    return pendingStarts.filter((b) => wanted.has(b.pnr));
  });
  setHandler(inventorySummaryQuery, () => {
    const s = state;
    const held = s ? heldBookings(s).length : 0;
    const total = s ? Object.keys(s.bookings).length : 0;
    return {
      trainNumber,
      runDate,
      classCode,
      stopCount: s?.stopCount ?? 0,
      berths: s?.berths.length ?? 0,
      held,
      sold: total - held,
      pendingStarts: pendingStarts.length,
      stats,
      ...(lastBoardingAt === undefined ? {} : { lastBoardingAt }),
      ...(lifecycle ? { departed } : {}),
      ...(rail ? { rac: rail.wl.rac.length, waitlisted: waitingCount(rail.wl), waitlistCap: rail.wl.cap } : {}),
      ...(chartAt === undefined ? {} : { chartAt }),
      ...(chart ? { chartPreparedAt: chart.preparedAt } : {}),
    };
  });

  if (!state && lifecycle) {
    // A new actor — the first for this run, or one after a terminated or failed
    // actor: every sale and recorded hold in Postgres is placed back first.
    const rebuilt = await rebuildInventory({ trainNumber, runDate, classCode });
    racPerCoach = rebuilt.racPerCoach;
    rebuiltWaiting = rebuilt.waiting;
    state = decodeInventory(rebuilt.compact);
    lastBoardingAt = rebuilt.lastBoardingAt;
    if (charting) chartAt ??= rebuilt.chartAt;
    const { sold, held } = rebuilt.restored;
    if (sold + held + rebuilt.conflicts.length > 0) {
      stats.rebuilt = { sold, held, conflicts: rebuilt.conflicts.length };
      log.warn('inventory rebuilt from Postgres', { sold, held, conflicts: rebuilt.conflicts.slice(0, 20) });
    }
    upsertMemo({ berths: state.berths.length, stops: state.stopCount });
  } else if (!state) {
    const layout = await loadInventoryLayout({ trainNumber, classCode });
    state = createInventory(layout);
    upsertMemo({ berths: layout.berths.length, stops: layout.stopCount });
  } else if (lifecycle && lastBoardingAt === undefined) {
    // Continued from a run before the patch: it did not know its departure.
    lastBoardingAt = (await loadInventoryTimetable({ trainNumber, runDate })).lastBoardingAt;
  }
  // RAC and waitlists: built once, under the patch, for a new actor or one continued from a run before it.
  if (waitlisting && !rail) {
    rail = createRailState(state, classCode, racPerCoach === undefined ? {} : { racPerCoach });
    // Rebuilt after a terminated actor: the waiting lists come back from the records (absent before they were kept).
    if (rebuiltWaiting) {
      notify(restoreWaiting(state, rail, rebuiltWaiting));
      log.warn('waiting lists rebuilt from Postgres', { bookings: rebuiltWaiting.length, rac: rail.wl.rac.length, waitlisted: waitingCount(rail.wl) });
    }
  }
  for (const req of pendingReleases.splice(0)) applyRelease(state, req);
  for (const req of pendingPartials.splice(0)) applyPartial(state, req);
  for (const c of pendingConfirms.splice(0)) {
    await getExternalWorkflowHandle(c.replyTo)
      .signal(seatsConfirmedSignal, confirmOne(state, c.bookingId))
      .catch(() => undefined);
  }

  // Start the queued booking actors, one activity at a time, in the background
  // of everything else. Only this loop removes from the queue, from its front.
  const startActors = async () => {
    for (;;) {
      await condition(() => pendingStarts.length > 0);
      while (pendingStarts.length < MAX_DEFERRED_STARTS && Date.now() - lastHoldAt < STARTS_DEFER_MS && !pastHardBounds()) {
        await sleep(STARTS_DEFER_MS - (Date.now() - lastHoldAt));
      }
      const pnrs = pendingStarts.slice(0, STARTS_PER_ACTIVITY).map((b) => b.pnr);
      if (lifecycle) {
        try {
          await startBookingActorsBounded({ inventoryWorkflowId: workflowInfo().workflowId, pnrs });
        } catch (err) {
          stats.startFailures = (stats.startFailures ?? 0) + 1;
          log.warn('could not start booking actors; trying again shortly', { queued: pendingStarts.length, error: String(err) });
          await sleep(startRetryPauseMs);
          continue;
        }
      } else {
        await startBookingActorsUnbounded({ inventoryWorkflowId: workflowInfo().workflowId, pnrs });
      }
      for (const done of pendingStarts.splice(0, pnrs.length)) pendingBytes -= sizeOf(done);
      stats.actorsStarted = (stats.actorsStarted ?? 0) + pnrs.length;
    }
  };
  void startActors();

  // Marks expired holds in Postgres, a batch at a time, in the background (only this loop removes from the list).
  const recordExpiries = async () => {
    for (;;) {
      await condition(() => expiriesToRecord.length > 0);
      const batch = expiriesToRecord.slice(0, EXPIRIES_PER_ACTIVITY);
      await recordHoldsExpired({ pnrs: batch });
      expiriesToRecord.splice(0, batch.length);
    }
  };
  if (withoutActors) void recordExpiries();

  // Tells paid bookings their passengers moved up, a batch at a time, the latest change of each booking only
  // (every notice carries all its passengers' statuses). A booking that has ended refuses the signal: nothing to do.
  const tellPromotions = async () => {
    for (;;) {
      await condition(() => statusNotices.length > 0);
      const batch = statusNotices.slice(0, NOTICES_PER_BATCH);
      const latest = new Map(batch.map((c) => [c.bookingId, c]));
      // A chart notice stays one when a later move up of the same booking supersedes its statuses.
      const chartedAt = new Map(batch.flatMap((c) => (c.chartedAt === undefined ? [] : [[c.bookingId, c.chartedAt] as const])));
      await Promise.all(
        [...latest.values()].map((c) =>
          getExternalWorkflowHandle(bookingWorkflowId(c.bookingId))
            .signal(passengerStatusChangedSignal, {
              statuses: c.statuses,
              seats: c.seats,
              ...(chartedAt.has(c.bookingId) ? { chartedAt: chartedAt.get(c.bookingId)! } : {}),
            })
            .catch((err: unknown) => log.warn('could not tell a booking of its promotion', { bookingId: c.bookingId, error: String(err) })),
        ),
      );
      statusNotices.splice(0, batch.length);
    }
  };
  if (waitlisting) void tellPromotions();

  // Writes the prepared chart to Postgres (run_charts), where staff read it after the actor has ended too.
  const recordTheChart = async () => {
    await condition(() => chartToRecord);
    const c = chart as PreparedChart;
    await recordChart({
      trainNumber,
      runDate,
      classCode,
      workflowId: workflowInfo().workflowId,
      preparedAt: c.preparedAt,
      by: c.by,
      releasedToGeneral: c.releasedToGeneral,
      unpaidReleased: c.unpaidReleased,
      chart: chartOf(state as InventoryState, rail as RailState, c.dropped),
    });
    chartToRecord = false;
  };
  if (charting) void recordTheChart();

  const closeAt = () => (lifecycle && !departed && lastBoardingAt !== undefined ? lastBoardingAt + closeGraceMs : Number.POSITIVE_INFINITY);
  /** Departed, every queued actor started and every handler done: the actor can end. */
  const readyToEnd = () =>
    departed && pendingStarts.length === 0 && expiriesToRecord.length === 0 && statusNotices.length === 0 && !chartToRecord && allHandlersFinished();
  /** When the chart timer fires: never before the actor knows the time, never twice. */
  const chartDueAt = () => (charting && !chart && chartAt !== undefined ? chartAt : Number.POSITIVE_INFINITY);

  // The loop: expire holds nobody confirmed, forget old closed ids, end once
  // the train has left, and continue-as-new before the history grows large.
  for (;;) {
    const s: InventoryState = state;
    const now = Date.now();
    for (const h of heldBookings(s)) {
      if (h.holdExpiresAt !== undefined && h.holdExpiresAt <= now) {
        const seats = withoutActors ? bookingSeats(s, h.bookingId)?.seats : undefined;
        const record = s.bookings[h.bookingId];
        if (seats && record) {
          recentlyExpired[h.bookingId] = {
            fromSeq: record.fromSeq,
            toSeq: record.toSeq,
            seats: seats.map(({ passengerIndex, coach, berthNo }) => ({ passengerIndex, coach, berthNo })),
            at: now,
          };
        }
        if (rail) notify(releaseRail(s, rail, h.bookingId, true).changes);
        else release(s, h.bookingId, 'held');
        closeBooking(h.bookingId);
        stats.expiries += 1;
        if (withoutActors) expiriesToRecord.push(h.bookingId);
        log.info('hold expired in inventory', { bookingId: h.bookingId });
      }
    }
    if (rail) {
      const waiting = expireWaiting(s, rail, now);
      notify(waiting.changes);
      for (const bookingId of waiting.expired) {
        closeBooking(bookingId);
        stats.expiries += 1;
        if (withoutActors) expiriesToRecord.push(bookingId);
        log.info('waiting hold expired in inventory', { bookingId });
      }
    }
    if (rail && now >= chartDueAt()) prepareChartNow(s, rail, 'schedule');
    pruneClosedIds(now);
    if (withoutActors) pruneExpired(recentlyExpired, now - holdGraceMs, MAX_RECENTLY_EXPIRED);

    if (now >= closeAt()) {
      // Read the departure again (a delay may have been reported since) before refusing holds for good;
      // if the timetable cannot be read (the train was deleted), the last known departure stands.
      try {
        lastBoardingAt = (await loadInventoryTimetable({ trainNumber, runDate })).lastBoardingAt;
      } catch (err) {
        log.warn('could not read the departure again; ending on the last one known', { lastBoardingAt, error: String(err) });
      }
      if (Date.now() >= (lastBoardingAt as number) + closeGraceMs) {
        departed = true;
        log.info('train has left: the inventory takes no more holds and ends', { lastBoardingAt, queued: pendingStarts.length });
      }
      continue;
    }
    if (readyToEnd()) break;
    if (closing()) break;
    const next = Math.min(...heldBookings(s).map((h) => h.holdExpiresAt ?? Number.POSITIVE_INFINITY), rail ? nextWaitingExpiry(rail) : Number.POSITIVE_INFINITY);
    armedUntil = next;
    wake = false;
    const timerAt = Math.min(next, closeAt(), chartDueAt());
    if (Number.isFinite(timerAt)) {
      await condition(() => wake || closing() || readyToEnd(), Math.max(timerAt - Date.now(), 1));
    } else {
      await condition(() => wake || closing() || readyToEnd());
    }
  }

  if (readyToEnd()) {
    // The final state, in Postgres for good (audit_log, action inventory.closed); then the actor completes.
    const s: InventoryState = state;
    const held = heldBookings(s).length;
    const hops = s.occupancy.reduce((n, list) => n + list.reduce((m, [from, to]) => m + to - from, 0), 0);
    await recordInventoryClosed({
      workflowId: workflowInfo().workflowId,
      trainNumber,
      runDate,
      classCode,
      lastBoardingAt: lastBoardingAt as number,
      closedAt: Date.now(),
      berths: s.berths.length,
      stopCount: s.stopCount,
      sold: Object.keys(s.bookings).length - held,
      held,
      soldShare: hops / (s.berths.length * (s.stopCount - 1)),
      stats,
    });
    await condition(allHandlersFinished);
    return;
  }

  // Let in-flight handlers finish (the handlers are synchronous, signals may
  // still be queued) and carry everything to the next run, including the starts
  // under way: the new run repeats them, harmlessly.
  if (!startsFitInCarry()) log.warn('holds wait: too many booking starts queued to carry', { queued: pendingStarts.length, bytes: pendingBytes });
  await condition(() => allHandlersFinished() && startsFitInCarry());
  let carried: InventoryCarry;
  if (lifecycle) {
    pruneClosedIds(Date.now());
    carried = {
      ...carryWithoutStarts(),
      ...(pendingStarts.length > 0 ? { pendingStarts } : {}),
      ...(expiriesToRecord.length > 0 ? { expiriesToRecord } : {}),
      ...(Object.keys(recentlyExpired).length > 0 ? { recentlyExpired } : {}),
      ...(rail ? { rail } : {}),
      ...(statusNotices.length > 0 ? { statusNotices } : {}),
      ...(chartAt === undefined ? {} : { chartAt }),
      ...(chart ? { chart } : {}),
      ...(chartToRecord ? { chartToRecord } : {}),
    };
    stats.lastCarryBytes = jsonBytes(carried);
    if (stats.lastCarryBytes > SOFT_CARRY_BYTES) log.warn('large continue-as-new input', { bytes: stats.lastCarryBytes, queued: pendingStarts.length });
  } else {
    carried = { state, closed, stats, ...(pendingStarts.length > 0 ? { pendingStarts } : {}) };
  }
  await continueAsNew<typeof inventoryWorkflow>({ trainNumber, runDate, classCode, carried, ...(limits ? { limits } : {}) });
}

