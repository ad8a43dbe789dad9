import type { RunBookingRef } from '../contracts/runs';
import type { Db } from '../db/client';
import { listRunBookings } from '../db/repositories/runs';

export function createRunActivities({ db }: { db: Db }) {
  return {
    /** The bookings of a run in the given states, with whom to notify. */
    async listRunBookings(input: { trainNumber: string; runDate: string; statuses: string[] }): Promise<RunBookingRef[]> {
      return listRunBookings(db, input.trainNumber, input.runDate, input.statuses);
    },
  };
}
