// Starts the booking actors of holds the inventory has placed. Idempotent: a
// booking-<PNR> that already exists (started by an earlier attempt, or by the
// API because the traveller paid first) counts as started.
import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { BookingInput } from '../contracts/booking';
import { bookingStartOptions } from '../contracts/bookingStart';

export interface BookingActorDeps {
  temporal: Client;
}

/** Starts in flight at once: enough to hide the round trip, few enough to leave the server to the holds. */
const CONCURRENT_STARTS = 4;

export function createBookingActorActivities({ temporal }: BookingActorDeps) {
  return {
    async startBookingActors({ bookings }: { bookings: BookingInput[] }): Promise<{ started: number; existing: number }> {
      // Booking actors live on the task queue of the inventory that started them.
      const { taskQueue } = Context.current().info;
      let started = 0;
      let existing = 0;
      let next = 0;
      const startOne = async (input: BookingInput) => {
        try {
          await temporal.workflow.start('bookingWorkflow', bookingStartOptions(input, taskQueue));
          started += 1;
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
          existing += 1;
        }
      };
      await Promise.all(
        Array.from({ length: Math.min(CONCURRENT_STARTS, bookings.length) }, async () => {
          for (let i = next++; i < bookings.length; i = next++) {
            await startOne(bookings[i] as BookingInput);
            Context.current().heartbeat(i);
          }
        }),
      );
      return { started, existing };
    },
  };
}
