// Starts the booking actors of holds the inventory has placed. Idempotent: a
// booking-<PNR> that already exists (started by an earlier attempt, by an
// earlier run of the inventory, or by the API because the traveller paid
// first) counts as started. The activity is given PNRs and reads the bookings
// from the inventory by query: their inputs are already in the inventory's
// history once (in the hold), and a second copy per hold in every activity's
// input would double how fast that history grows.
import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { BookingInput } from '../contracts/booking';
import { bookingStartOptions } from '../contracts/bookingStart';
import { pendingBookingsQuery } from '../contracts/inventory';
import { BOOKING_WORKFLOW_TYPE } from '../contracts/workflowIds';

export interface BookingActorDeps {
  temporal: Client;
  /** The queue booking actors run on (the inventory's activities run on the inventory queue). */
  taskQueue: string;
}

/**
 * Starts the booking's actor; false when it already existed. Also used by the
 * API, which starts a queued actor itself when the traveller acts first.
 */
export async function startBookingActor(client: Client, input: BookingInput, taskQueue: string): Promise<boolean> {
  try {
    await client.workflow.start(BOOKING_WORKFLOW_TYPE, bookingStartOptions(input, taskQueue));
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/** Starts in flight at once: enough to hide the round trip, few enough to leave the server to the holds. */
const CONCURRENT_STARTS = 2;

export function createBookingActorActivities({ temporal, taskQueue }: BookingActorDeps) {
  return {
    /**
     * The inventory schedules this with a heartbeat timeout and a few attempts
     * (workflows/inventory.ts): it heartbeats before reading the queue and after
     * every start, so a worker that died is noticed within the heartbeat
     * timeout, and it stops starting once the attempt is cancelled or timed out.
     */
    async startBookingActors({ inventoryWorkflowId, pnrs }: { inventoryWorkflowId: string; pnrs: string[] }): Promise<{ started: number; existing: number }> {
      const ctx = Context.current();
      ctx.heartbeat('reading the queue');
      const bookings = await temporal.workflow.getHandle(inventoryWorkflowId).query(pendingBookingsQuery, pnrs);
      let started = 0;
      let existing = 0;
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(CONCURRENT_STARTS, bookings.length) }, async () => {
          for (let i = next++; i < bookings.length && !ctx.cancellationSignal.aborted; i = next++) {
            if (await startBookingActor(temporal, bookings[i] as BookingInput, taskQueue)) started += 1;
            else existing += 1;
            ctx.heartbeat(i);
          }
        }),
      );
      // Cancelled part-way: fail the attempt so the inventory keeps the rest queued (what was started counts as done on the next try).
      if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason ?? new Error('start activity cancelled');
      return { started, existing };
    },
  };
}
