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
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  sleep,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  availabilityQuery,
  confirmSeatsSignal,
  extendHoldUpdate,
  holdSeatsUpdate,
  inventorySummaryQuery,
  pendingBookingsQuery,
  releaseSeatsSignal,
  seatMapQuery,
  type ConfirmResult,
  type HoldRequest,
  type HoldResult,
  type InventoryCarry,
  type InventoryInput,
  type InventoryStats,
  type PendingBooking,
  type ReleaseRequest,
} from '../contracts/inventory';
import { seatsConfirmedSignal, type BookingInput } from '../contracts/booking';
import {
  allocate,
  availability,
  confirm,
  createInventory,
  heldBookings,
  release,
  seatMap,
  type InventoryState,
} from '../domain/allocation';

const { loadInventoryLayout } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
// Starting a booking actor twice is harmless (its ID is its PNR), so the start activity is retried without a limit.
const { startBookingActors } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

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
 * server's 2 MB payload limit. A queued booking is ~1 kB.
 */
const MAX_CARRIED_START_BYTES = 300_000;

/** A hold is released by the inventory itself this long after its deadline, if the booking actor did not act. */
export const HOLD_GRACE_MS = 5 * 60_000;
/** Booking ids released are remembered this long, to refuse a late duplicate hold. */
const CLOSED_RETENTION_MS = 24 * 3600_000;
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
  const maxMessages = limits?.maxMessagesPerRun ?? MAX_MESSAGES_PER_RUN;
  let state: InventoryState | undefined = input.carried?.state;
  const closed: Record<string, number> = input.carried?.closed ?? {};
  const stats: InventoryStats = input.carried?.stats ?? emptyStats();
  stats.runs += 1;
  stats.actorsStarted ??= 0;
  /** Held bookings whose actor is not started yet, oldest first; the start activity works from the front. */
  const pendingStarts: BookingInput[] = input.carried?.pendingStarts ?? [];
  const sizeOf = (b: BookingInput) => JSON.stringify(b).length;
  let pendingBytes = pendingStarts.reduce((n, b) => n + sizeOf(b), 0);
  const startsFitInCarry = () => pendingStarts.length <= 100 || pendingBytes <= MAX_CARRIED_START_BYTES;
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

  /** Update validators: rejected updates leave no trace in history, and the caller retries. */
  const acceptingMessages = () => {
    if (!ready()) throw new Error('inventory is loading; retry');
    if (closing()) throw new Error('inventory is continuing as new; retry');
  };

  const closeBooking = (bookingId: string) => {
    closed[bookingId] = Date.now();
  };

  const bookingInput = (booking: PendingBooking, seats: BookingInput['seats']): BookingInput => ({ ...booking, seats });

  const holdOne = (s: InventoryState, req: HoldRequest): HoldResult => {
    if (Object.hasOwn(closed, req.bookingId)) return { bookingId: req.bookingId, ok: false, reason: 'BOOKING_CLOSED' };
    // The inventory's own deadline is later than the booking's, so a payment
    // that started just before the booking's deadline can still confirm.
    const result = allocate(s, { ...req, holdExpiresAt: req.holdExpiresAt + HOLD_GRACE_MS });
    if (!result.ok) {
      stats.holdFailures += 1;
      return { bookingId: req.bookingId, ok: false, reason: result.reason };
    }
    if (!result.duplicate) {
      stats.holds += 1;
      if (req.holdExpiresAt + HOLD_GRACE_MS < armedUntil) wake = true;
      if (req.booking) {
        const queued = bookingInput(req.booking, result.seats);
        pendingStarts.push(queued);
        pendingBytes += sizeOf(queued);
      }
    }
    return { bookingId: req.bookingId, ok: true, seats: result.seats, duplicate: result.duplicate };
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

  setHandler(confirmSeatsSignal, async ({ bookingId, replyTo }) => {
    messagesThisRun += 1;
    const reply = (r: ConfirmResult) => getExternalWorkflowHandle(replyTo).signal(seatsConfirmedSignal, r);
    if (!state) {
      pendingConfirms.push({ bookingId, replyTo });
      return;
    }
    const r = confirm(state, bookingId);
    if (r.changed) stats.confirms += 1;
    const sold = r.status === 'sold';
    // The booking may have ended meanwhile (its signal is then refused): nothing to tell it.
    await reply({ bookingId, ok: sold, status: sold ? 'sold' : 'none', seats: r.seats }).catch((err: unknown) =>
      log.warn('could not answer a confirmation', { bookingId, replyTo, error: String(err) }),
    );
  });
  const pendingConfirms: { bookingId: string; replyTo: string }[] = [];

  setHandler(
    extendHoldUpdate,
    ({ bookingId, holdExpiresAt }) => {
      const s = state as InventoryState;
      messagesThisRun += 1;
      const booking = Object.hasOwn(s.bookings, bookingId) ? s.bookings[bookingId] : undefined;
      if (!booking || booking.status !== 'held') return { ok: false, holdExpiresAt: null };
      booking.holdExpiresAt = holdExpiresAt + HOLD_GRACE_MS;
      return { ok: true, holdExpiresAt };
    },
    { validator: (_req: { bookingId: string; holdExpiresAt: number }) => acceptingMessages() },
  );

  const pendingReleases: ReleaseRequest[] = [];
  const applyRelease = (s: InventoryState, req: ReleaseRequest) => {
    const r = release(s, req.bookingId, req.onlyIfHeld ? 'held' : undefined);
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

  setHandler(availabilityQuery, ({ fromSeq, toSeq, quota }) => {
    if (!state) throw new Error('inventory is loading');
    return availability(state, fromSeq, toSeq, quota);
  });
  setHandler(seatMapQuery, () => {
    if (!state) throw new Error('inventory is loading');
    return seatMap(state);
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
    };
  });

  if (!state) {
    const layout = await loadInventoryLayout({ trainNumber, classCode });
    state = createInventory(layout);
    upsertMemo({ berths: layout.berths.length, stops: layout.stopCount });
  }
  for (const req of pendingReleases.splice(0)) applyRelease(state, req);
  for (const c of pendingConfirms.splice(0)) {
    const r = confirm(state, c.bookingId);
    if (r.changed) stats.confirms += 1;
    const sold = r.status === 'sold';
    await getExternalWorkflowHandle(c.replyTo)
      .signal(seatsConfirmedSignal, { bookingId: c.bookingId, ok: sold, status: sold ? 'sold' : 'none', seats: r.seats })
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
      await startBookingActors({ inventoryWorkflowId: workflowInfo().workflowId, pnrs });
      for (const done of pendingStarts.splice(0, pnrs.length)) pendingBytes -= sizeOf(done);
      stats.actorsStarted = (stats.actorsStarted ?? 0) + pnrs.length;
    }
  };
  void startActors();

  // The loop: expire holds nobody confirmed, forget old closed ids, and
  // continue-as-new before the history grows large.
  for (;;) {
    const s: InventoryState = state;
    const now = Date.now();
    for (const h of heldBookings(s)) {
      if (h.holdExpiresAt !== undefined && h.holdExpiresAt <= now) {
        release(s, h.bookingId, 'held');
        closeBooking(h.bookingId);
        stats.expiries += 1;
        log.info('hold expired in inventory', { bookingId: h.bookingId });
      }
    }
    for (const [id, at] of Object.entries(closed)) if (now - at > CLOSED_RETENTION_MS) delete closed[id];

    if (closing()) break;
    const next = Math.min(...heldBookings(s).map((h) => h.holdExpiresAt ?? Number.POSITIVE_INFINITY));
    armedUntil = next;
    wake = false;
    if (Number.isFinite(next)) {
      await condition(() => wake || closing(), Math.max(next - Date.now(), 1));
    } else {
      await condition(() => wake || closing());
    }
  }

  // Let in-flight handlers finish (the handlers are synchronous, signals may
  // still be queued) and carry everything to the next run, including the starts
  // under way: the new run repeats them, harmlessly.
  if (!startsFitInCarry()) log.warn('holds wait: too many booking starts queued to carry', { queued: pendingStarts.length, bytes: pendingBytes });
  await condition(() => allHandlersFinished() && startsFitInCarry());
  const carried: InventoryCarry = { state, closed, stats, ...(pendingStarts.length > 0 ? { pendingStarts } : {}) };
  await continueAsNew<typeof inventoryWorkflow>({ trainNumber, runDate, classCode, carried, ...(limits ? { limits } : {}) });
}

