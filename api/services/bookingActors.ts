// Finds a booking's actor. A booking has no actor until someone acts on it
// (docs/architecture.md, "Booking actors start on the first message"): the
// hold request writes the held record and the actor's input to Postgres, and
// the first pay (update-with-start), cancel or support action starts
// booking-<PNR> from that input. A hold nobody pays never costs a workflow:
// the inventory's own timer frees its berths and marks the record expired.
// Bookings held before that change may still sit in their inventory's queue of
// starts; they are found by asking the inventory. Redis is not involved: the
// PNR, its inventory and the input are one Postgres row.
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Db } from '../../db/client';
import { findBookingStart, recordHeldBooking, type BookingStartInfo } from '../../db/repositories/heldBookings';
import { allocatePnr } from '../../db/repositories/pnrs';
import {
  bookingStateQuery,
  bookingWorkflowId,
  pendingBookingsQuery,
  SA,
  type BookingInput,
  type BookingStatus,
  type BookingView,
} from '../../contracts';
import { startBookingActor } from '../../activities/bookingActors';
import { bookingStartOptions, heldBookingView } from '../../contracts/bookingStart';
import { AppError } from '../errors';

export interface LiveBooking {
  view: BookingView;
  handle: WorkflowHandle;
}

/** What a request needs to message a booking's actor: read from the server, not from the actor. */
export interface BookingRef {
  handle: WorkflowHandle;
  userId: number;
  status: BookingStatus;
  running: boolean;
  trainNumber: string;
  runDate: string;
  classCode: string;
  /** No actor yet: the input to start it with, together with the message. */
  startWith?: BookingInput;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class BookingActors {
  constructor(
    private readonly client: Client,
    private readonly db: Db,
    private readonly taskQueue: string,
  ) {}

  /**
   * The held record, in Postgres before the traveller is answered: the row the
   * traveller's reads and history show, and the input the booking's actor
   * will be started from.
   */
  async recordHeld(input: BookingInput): Promise<BookingInput> {
    return recordHeldBooking(this.db, input, { keepInput: true });
  }

  /**
   * A PNR never issued before, recorded in Postgres with the inventory that
   * holds its berths (db/repositories/pnrs.ts): unique forever, whatever
   * happens to Redis.
   */
  async reservePnr(inventoryWorkflowId: string, userId: number, requestKey?: string): Promise<string> {
    const pnr = await allocatePnr(this.db, { inventoryWorkflowId, userId, ...(requestKey ? { requestKey } : {}) });
    if (!pnr) throw new AppError('SERVICE_UNAVAILABLE', 'could not allocate a PNR; retry');
    return pnr;
  }

  /**
   * The booking's live state, or null when no actor or held record has it (it
   * never existed, or its actor has ended and been archived). With `start`,
   * an actor not started yet is started now, so the caller can message it.
   */
  async live(pnr: string, opts: { start: boolean }): Promise<LiveBooking | null> {
    const handle = this.client.workflow.getHandle(bookingWorkflowId(pnr));
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return { view: await handle.query(bookingStateQuery), handle };
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError) && !isNotReady(err)) throw err;
      }
      const { input: pending } = await this.pending(pnr);
      if (pending) {
        if (opts.start) await startBookingActor(this.client, pending, this.taskQueue);
        return { view: heldBookingView(pending, pending.heldAt ?? Date.now()), handle };
      }
      // Started between the two reads, its first task not yet done: look again shortly.
      await sleep(50 * (attempt + 1));
    }
    return null;
  }

  /**
   * The actor to message, with its owner and status from its search
   * attributes; or, for a held booking with no actor yet, the input to start
   * it with (`startWith`): the caller starts it with its message (pay:
   * update-with-start) or with `start`. A describe is answered by the server
   * alone; a query needs the actor's worker, and right after a rush it waited
   * seconds (bench/README.md).
   */
  async forMessage(pnr: string): Promise<BookingRef | null> {
    const handle = this.client.workflow.getHandle(bookingWorkflowId(pnr));
    let found: BookingStartInfo | null = null;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const d = await handle.describe();
        const sa = d.typedSearchAttributes;
        const userId = Number(sa.get(SA.UserId));
        const status = sa.get(SA.BookingStatus) as BookingStatus | undefined;
        const trainNumber = sa.get(SA.TrainNumber);
        const runDate = sa.get(SA.TravelDate);
        const classCode = sa.get(SA.TravelClass);
        if (Number.isInteger(userId) && status && trainNumber && runDate && classCode) {
          return { handle, userId, status, running: d.status.name === 'RUNNING', trainNumber, runDate, classCode };
        }
        // Started without search attributes (by hand): ask the actor itself.
        const v = await handle.query(bookingStateQuery);
        return { handle, userId: v.userId, status: v.status, running: d.status.name === 'RUNNING', trainNumber: v.trainNumber, runDate: v.runDate, classCode: v.classCode };
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
      const read = await this.pending(pnr);
      const pending = read.input;
      found = read.found;
      if (pending) {
        return { handle, userId: pending.userId, status: 'held', running: true, trainNumber: pending.trainNumber, runDate: pending.runDate, classCode: pending.classCode, startWith: pending };
      }
    }
    // No actor and none to start (its record as last read): a hold that ran out with nobody acting on it is answered as such.
    if (found?.input && (found.status === 'held' || found.status === 'expired')) {
      const { input } = found;
      return { handle, userId: input.userId, status: 'expired', running: false, trainNumber: input.trainNumber, runDate: input.runDate, classCode: input.classCode };
    }
    return null;
  }

  /** How a held booking's actor is started together with a message (update-with-start). */
  startOptions(input: BookingInput) {
    return bookingStartOptions(input, this.taskQueue);
  }

  /**
   * The input of a held booking whose actor has not been started, or null, with the record it was read from.
   * Only while its record is still `held` and the hold can still be acted on:
   * a booking whose actor has moved it on (and may have been purged from
   * Temporal since), or whose hold has run out, is never started again.
   */
  private async pending(pnr: string): Promise<{ input: BookingInput | null; found: BookingStartInfo | null }> {
    const found = await findBookingStart(this.db, pnr);
    if (!found) return { input: null, found };
    if (found.input) return { input: found.status === 'held' && found.input.holdExpiresAt > Date.now() ? found.input : null, found };
    // Held before inputs were kept in Postgres: the input waits in its inventory's queue of starts.
    return { input: await this.fromInventory(found.inventoryWorkflowId, pnr), found };
  }

  private async fromInventory(inventoryId: string, pnr: string): Promise<BookingInput | null> {
    try {
      const [input] = await this.client.workflow.getHandle(inventoryId).query(pendingBookingsQuery, [pnr]);
      return input ?? null;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  }
}


/** A query that reached a workflow before its first task completed. */
function isNotReady(err: unknown): boolean {
  return /not ready|workflow task.*(not|hasn't|has not).*(complete|start)/i.test(`${(err as Error)?.message ?? ''}`);
}
