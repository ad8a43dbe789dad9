import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { railwayCancelSignal } from '../contracts/booking';
import { bookingStartOptions } from '../contracts/bookingStart';
import { findBookingStart } from '../db/repositories/heldBookings';
import { inventorySummaryQuery } from '../contracts/inventory';
import type { RunBookingRef } from '../contracts/runs';
import { BOOKING_WORKFLOW_TYPE, bookingTypesFilter, bookingWorkflowId, inventoryWorkflowId } from '../contracts/workflowIds';
import type { Db } from '../db/client';
import { listRunBookings } from '../db/repositories/runs';
import { trainClasses } from '../db/repositories/trains';

export function createRunActivities({ db, temporal, taskQueue }: { db: Db; temporal: Client; taskQueue: string }) {
  return {
    /**
     * Tells each booking the run is cancelled. A held booking with no actor yet
     * (actors start on the first message) gets one started with the signal
     * (signal-with-start), which releases its berths and records it cancelled;
     * an actor that has ended (or a hold that ran out) has nothing to refund.
     */
    async tellBookingsRunCancelled(input: { pnrs: string[]; reason: string; by: string }): Promise<{ sent: number; alreadyClosed: number }> {
      let sent = 0;
      let alreadyClosed = 0;
      const signalArgs: [{ reason: string; by: string }] = [{ reason: input.reason, by: input.by }];
      for (const pnr of input.pnrs) {
        try {
          const found = await findBookingStart(db, pnr);
          if (found?.input && found.status === 'held') {
            await temporal.workflow.signalWithStart(BOOKING_WORKFLOW_TYPE, { ...bookingStartOptions(found.input, taskQueue), signal: railwayCancelSignal, signalArgs });
          } else {
            await temporal.workflow.getHandle(bookingWorkflowId(pnr)).signal(railwayCancelSignal, ...signalArgs);
          }
          sent += 1;
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError) && !(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
          alreadyClosed += 1;
        }
        Context.current().heartbeat(sent + alreadyClosed);
      }
      return { sent, alreadyClosed };
    },

    /** The bookings of a run in the given states, with whom to notify. */
    async listRunBookings(input: { trainNumber: string; runDate: string; statuses: string[] }): Promise<RunBookingRef[]> {
      return listRunBookings(db, input.trainNumber, input.runDate, input.statuses);
    },

    /**
     * The PNRs of the run's running booking actors, found through Temporal
     * (search attributes), not Postgres: an actor started a moment ago may not
     * have written its record yet. Fails (and is retried) while any inventory
     * of the run still has actors to start, so none is missed.
     */
    async listRunBookingActors(input: { trainNumber: string; runDate: string }): Promise<string[]> {
      for (const { classCode } of await trainClasses(db, input.trainNumber)) {
        try {
          const s = await temporal.workflow.getHandle(inventoryWorkflowId(input.trainNumber, input.runDate, classCode)).query(inventorySummaryQuery);
          if (s.pendingStarts > 0) throw new Error(`${s.pendingStarts} booking actor(s) of ${classCode} still to be started; retrying`);
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
      }
      const pnrs: string[] = [];
      const query = `${bookingTypesFilter} AND ExecutionStatus = "Running" AND TrainNumber = "${input.trainNumber}" AND TravelDate = "${input.runDate}"`;
      for await (const wf of temporal.workflow.list({ query })) pnrs.push(wf.workflowId.replace(/^booking-/, ''));
      return pnrs;
    },
  };
}
