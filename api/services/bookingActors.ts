// Finds a booking's actor. The inventory starts booking-<PNR> shortly after
// the hold (workflows/inventory.ts); until then the booking lives in the
// inventory's queue of starts, and a traveller who already pays or cancels
// starts the actor here, from that queue. Either start wins; the other is a no-op.
import { randomInt } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type { Redis } from 'ioredis';
import { bookingStateQuery, bookingWorkflowId, pendingBookingsQuery, type BookingInput, type BookingView } from '../../contracts';
import { bookingStartOptions, heldBookingView } from '../../contracts/bookingStart';
import { AppError } from '../errors';

export interface LiveBooking {
  view: BookingView;
  handle: WorkflowHandle;
}

const PNR_TTL_SECONDS = 7 * 24 * 3600;
const pnrKey = (pnr: string) => `pnr:${pnr}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class BookingActors {
  constructor(
    private readonly client: Client,
    private readonly redis: Redis,
    private readonly taskQueue: string,
  ) {}

  /** A fresh PNR, remembered with the inventory that holds its berths until its actor runs. */
  async reservePnr(inventoryWorkflowId: string): Promise<string> {
    for (let i = 0; i < 5; i++) {
      const pnr = String(randomInt(1_000_000_000, 10_000_000_000));
      if ((await this.redis.set(pnrKey(pnr), inventoryWorkflowId, 'EX', PNR_TTL_SECONDS, 'NX')) === 'OK') return pnr;
    }
    throw new AppError('SERVICE_UNAVAILABLE', 'could not allocate a PNR; retry');
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
        if (opts.start) await this.start(pending);
        return { view: heldBookingView(pending, pending.heldAt ?? Date.now()), handle };
      }
      // Started between the two reads, its first task not yet done: look again shortly.
      await sleep(50 * (attempt + 1));
    }
    return null;
  }

  private async pending(pnr: string): Promise<BookingInput | null> {
    const inventoryId = await this.redis.get(pnrKey(pnr));
    if (!inventoryId?.startsWith('inventory-')) return null;
    try {
      const [input] = await this.client.workflow.getHandle(inventoryId).query(pendingBookingsQuery, [pnr]);
      return input ?? null;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  }

  private async start(input: BookingInput): Promise<void> {
    try {
      await this.client.workflow.start('bookingWorkflow', bookingStartOptions(input, this.taskQueue));
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
}

/** A query that reached a workflow before its first task completed. */
function isNotReady(err: unknown): boolean {
  return /not ready|workflow task.*(not|hasn't|has not).*(complete|start)/i.test(`${(err as Error)?.message ?? ''}`);
}
