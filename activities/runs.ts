import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { inventorySummaryQuery } from '../contracts/inventory';
import type { RunBookingRef } from '../contracts/runs';
import { inventoryWorkflowId } from '../contracts/workflowIds';
import type { Db } from '../db/client';
import { listRunBookings } from '../db/repositories/runs';
import { trainClasses } from '../db/repositories/trains';

export function createRunActivities({ db, temporal }: { db: Db; temporal: Client }) {
  return {
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
      const query = `WorkflowType = "bookingWorkflow" AND ExecutionStatus = "Running" AND TrainNumber = "${input.trainNumber}" AND TravelDate = "${input.runDate}"`;
      for await (const wf of temporal.workflow.list({ query })) pnrs.push(wf.workflowId.replace(/^booking-/, ''));
      return pnrs;
    },
  };
}
