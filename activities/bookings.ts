// The booking actor's writes to Postgres. Each is idempotent by PNR, so a
// retry, a replay or a reset of the workflow never duplicates a record.
import { ApplicationFailure } from '@temporalio/activity';
import { FailureType, type BookingInput } from '../contracts';
import type { BerthType } from '../domain/types';
import type { AllocatedSeat } from '../domain/allocation';
import type { Db } from '../db/client';
import { pgCode } from '../db/errors';
import { audit } from '../db/repositories/audit';
import { markHoldsExpired, recordHeldBooking } from '../db/repositories/heldBookings';
import {
  cancelPassengers,
  cancelSeats,
  insertConfirmedSeats,
  runIdOf,
  setBookingStatus,
  setPassengerStatuses,
  setRefundedAmount,
} from '../db/repositories/bookings';

export interface BookingDeps {
  db: Db;
}

type TerminalStatus = 'expired' | 'payment_failed' | 'failed';

const isExclusionViolation = (err: unknown): boolean => pgCode(err) === '23P01';

const seatRows = (seats: readonly AllocatedSeat[]) =>
  seats.map((s) => ({ passengerIdx: s.passengerIndex, coach: s.coach, berthNo: s.berthNo, berthType: s.type as BerthType }));

export function createBookingActivities({ db }: BookingDeps) {
  /**
   * In one transaction: the passengers' statuses (when given), their berths as seat allocations, then `more`.
   * The exclusion constraint refuses an overlapping sale; that is permanent (SeatConflict).
   */
  const writeSeats = async (
    input: { pnr: string; classCode: string; fromSeq: number; toSeq: number; seats: readonly AllocatedSeat[]; statuses?: string[] },
    more: (tx: Parameters<Parameters<Db['transaction']>[0]>[0]) => Promise<unknown>,
  ): Promise<void> => {
    try {
      await db.transaction(async (tx) => {
        const runId = await runIdOf(tx, input.pnr);
        if (input.statuses) await setPassengerStatuses(tx, input.pnr, input.statuses);
        await insertConfirmedSeats(tx, { pnr: input.pnr, runId, classCode: input.classCode, fromSeq: input.fromSeq, toSeq: input.toSeq, seats: seatRows(input.seats) });
        await more(tx);
      });
    } catch (err) {
      if (isExclusionViolation(err)) {
        throw ApplicationFailure.nonRetryable(`berth already sold over this segment (PNR ${input.pnr})`, FailureType.SeatConflict);
      }
      throw err;
    }
  };
  return {
    async recordBookingHeld(input: BookingInput): Promise<void> {
      await recordHeldBooking(db, input, { keepInput: false });
    },

    /** Held records whose hold the inventory let expire with no actor to record it (workflows/inventory.ts). */
    async recordHoldsExpired(input: { pnrs: string[] }): Promise<{ changed: number }> {
      return { changed: await markHoldsExpired(db, input.pnrs) };
    },

    async recordBookingStatus(input: { pnr: string; status: TerminalStatus | 'payment_pending'; holdExpiresAt?: number; detail?: string }): Promise<void> {
      await db.transaction(async (tx) => {
        await setBookingStatus(tx, input.pnr, input.status, input.holdExpiresAt ? { holdExpiresAt: new Date(input.holdExpiresAt) } : {});
        await audit(tx, {
          actor: `workflow:booking-${input.pnr}`,
          action: `booking.${input.status}`,
          entity: `booking:${input.pnr}`,
          details: input.detail ? { detail: input.detail } : undefined,
        });
      });
    },

    /**
     * The final record of a confirmed booking, in one transaction: status,
     * amount paid, each passenger's berth and the seat allocations. The
     * exclusion constraint refuses an overlapping sale; that is permanent.
     */
    async recordBookingConfirmed(input: {
      pnr: string;
      classCode: string;
      fromSeq: number;
      toSeq: number;
      seats: AllocatedSeat[];
      amountPaid: number;
      /** Every passenger's status label (CNF, RAC 2, GNWL 5) on a booking with RAC or waitlisted passengers. */
      statuses?: string[];
    }): Promise<void> {
      await writeSeats(input, async (tx) => {
        await setBookingStatus(tx, input.pnr, 'confirmed', { amountPaid: input.amountPaid, holdExpiresAt: null });
        await audit(tx, { actor: `workflow:booking-${input.pnr}`, action: 'booking.confirmed', entity: `booking:${input.pnr}` });
      });
    },

    /**
     * A paid booking's passengers moved up (the inventory told its actor): their new berths join the seat
     * allocations (the exclusion constraint still guards them) and every passenger's status is updated.
     */
    async recordPassengerStatuses(input: { pnr: string; classCode: string; fromSeq: number; toSeq: number; seats: AllocatedSeat[]; statuses: string[] }): Promise<void> {
      await writeSeats(input, (tx) =>
        audit(tx, { actor: `workflow:booking-${input.pnr}`, action: 'booking.status_changed', entity: `booking:${input.pnr}`, details: { statuses: input.statuses } }),
      );
    },

    /** Some passengers cancelled (partial cancellation): their berths released, CAN, the refund so far. */
    async recordPassengersCancelled(input: { pnr: string; passengerIndexes: number[]; amountRefunded: number; refund: number; by: string; reason: string }): Promise<void> {
      await db.transaction(async (tx) => {
        await cancelPassengers(tx, input.pnr, input.passengerIndexes);
        await setRefundedAmount(tx, input.pnr, input.amountRefunded);
        await audit(tx, {
          actor: input.by,
          action: 'booking.passengers_cancelled',
          entity: `booking:${input.pnr}`,
          details: { passengers: input.passengerIndexes, reason: input.reason, refund: input.refund },
        });
      });
    },

    async recordBookingCancelled(input: { pnr: string; amountRefunded: number; by: string; reason: string }): Promise<void> {
      await db.transaction(async (tx) => {
        await cancelSeats(tx, input.pnr);
        await setBookingStatus(tx, input.pnr, 'cancelled', { amountRefunded: input.amountRefunded, holdExpiresAt: null });
        await audit(tx, {
          actor: input.by,
          action: 'booking.cancelled',
          entity: `booking:${input.pnr}`,
          details: { reason: input.reason, refunded: input.amountRefunded },
        });
      });
    },

    async recordRefundAmount(input: { pnr: string; amountRefunded: number; status: TerminalStatus }): Promise<void> {
      await setBookingStatus(db, input.pnr, input.status, { amountRefunded: input.amountRefunded });
    },

    /** The amount refunded so far, once a refund support resolved is settled (the status stays as it is). */
    async recordRefundedAmount(input: { pnr: string; amountRefunded: number }): Promise<void> {
      await setRefundedAmount(db, input.pnr, input.amountRefunded);
    },

    /** Support actions and other workflow decisions that must show in the audit log. */
    async recordAudit(entry: { actor: string; action: string; entity: string; details?: Record<string, unknown> }): Promise<void> {
      await audit(db, entry);
    },
  };
}
