// Finds a booking's actor. The inventory starts booking-<PNR> shortly after
// the hold, or when a rush subsides (workflows/inventory.ts); until then the
// booking lives in the inventory's queue of starts, and a traveller who
// already pays or cancels starts the actor here. Either start wins; the other
// is a no-op. The API also caches the held booking in Redis, so this needs no
// query to a hot inventory: measured, such queries took seconds while the
// inventory was busy with a rush of holds and confirmations (bench/README.md).
// Redis is only a cache: every PNR and the inventory holding it are in
// Postgres (`pnrs`), so with Redis down or flushed a held booking is still
// found by asking its inventory.
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { Db } from '../../db/client';
import { findBooking } from '../../db/repositories/bookings';
import { allocatePnr, findPnr } from '../../db/repositories/pnrs';
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
import { heldBookingView } from '../../contracts/bookingStart';
import { AppError } from '../errors';
import { softRedis } from './softRedis';

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
}

/** The cached held booking is useful until its hold expires; past that, reads go to the inventory anyway. */
const HELD_CACHE_GRACE_SECONDS = 3600;
const pnrKey = (pnr: string) => `pnr:${pnr}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class BookingActors {
  constructor(
    private readonly client: Client,
    private readonly redis: Redis,
    private readonly db: Db,
    private readonly taskQueue: string,
  ) {}

  /**
   * Caches the held booking for `forMessage`/`live` until its actor runs (the
   * inventory has the durable copy). Best effort: never fails.
   */
  async remember(input: BookingInput): Promise<void> {
    const ttl = Math.max(60, Math.ceil((input.holdExpiresAt - Date.now()) / 1000)) + HELD_CACHE_GRACE_SECONDS;
    await softRedis(this.redis.set(pnrKey(input.pnr), JSON.stringify({ booking: input }), 'EX', ttl));
  }

  /**
   * A PNR never issued before, recorded in Postgres with the inventory that
   * holds its berths (db/repositories/pnrs.ts): unique forever, whatever
   * happens to Redis.
   */
  async reservePnr(inventoryWorkflowId: string, userId: number): Promise<string> {
    const pnr = await allocatePnr(this.db, { inventoryWorkflowId, userId });
    if (!pnr) throw new AppError('SERVICE_UNAVAILABLE', 'could not allocate a PNR; retry');
    return pnr;
  }

  /**
   * The booking's live state, or null when no actor or inventory has it (it
   * never existed, or its actor has ended and been archived). With `start`,
   * an actor still queued in its inventory is started now, so the caller can
   * message it.
   */
  async live(pnr: string, opts: { start: boolean }): Promise<LiveBooking | null> {
    const handle = this.client.workflow.getHandle(bookingWorkflowId(pnr));
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return { view: await handle.query(bookingStateQuery), handle };
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError) && !isNotReady(err)) throw err;
      }
      const pending = await this.pending(pnr);
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
   * The actor to message, started now if the inventory has not yet, with its
   * owner and status from its search attributes. A describe is answered by
   * the server alone; a query needs the actor's worker, and right after a rush
   * (actors starting by the thousand) it waited seconds (bench/README.md).
   */
  async forMessage(pnr: string): Promise<BookingRef | null> {
    const handle = this.client.workflow.getHandle(bookingWorkflowId(pnr));
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
      const pending = await this.pending(pnr);
      if (pending) {
        await startBookingActor(this.client, pending, this.taskQueue);
        return { handle, userId: pending.userId, status: 'held', running: true, trainNumber: pending.trainNumber, runDate: pending.runDate, classCode: pending.classCode };
      }
    }
    return null;
  }

  /** The input of a held booking whose actor has not been started yet, or null. */
  private async pending(pnr: string): Promise<BookingInput | null> {
    const kept = await softRedis(this.redis.get(pnrKey(pnr)));
    if (kept?.startsWith('{')) {
      const { booking } = JSON.parse(kept) as { booking: BookingInput };
      // Only while the hold can still be paid, and only if no actor ever wrote its record: an actor that
      // ended long ago and was purged from Temporal must never be started again.
      if (Date.now() < booking.holdExpiresAt && !(await findBooking(this.db, pnr))) return booking;
      return this.fromInventory(booking.inventoryWorkflowId, pnr);
    }
    // Not cached (Redis flushed, down, or the entry ran out): Postgres knows the inventory of every PNR.
    // A bare inventory id in Redis is a reservation made before the `pnrs` table existed.
    const inventoryId = kept?.startsWith('inventory-') ? kept : (await findPnr(this.db, pnr))?.inventoryWorkflowId;
    if (!inventoryId) return null;
    const input = await this.fromInventory(inventoryId, pnr);
    // Refill the cache, so the next read of this booking does not ask a possibly busy inventory again.
    if (input) await this.remember(input);
    return input;
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
