import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { extendHoldUpdate, FailureType } from '../contracts';
import type { BerthInput } from '../domain/allocation';
import { BERTH_TYPES, type BerthType } from '../domain/types';
import type { Db } from '../db/client';
import { inventoryLayout } from '../db/repositories/trains';

export interface InventoryDeps {
  db: Db;
  temporal: Client;
}

export function createInventoryActivities({ db, temporal }: InventoryDeps) {
  return {
    /** The berths of a train's class and its stop count: what a new inventory actor starts from. */
    async loadInventoryLayout(input: { trainNumber: string; classCode: string }): Promise<{ stopCount: number; berths: BerthInput[] }> {
      const layout = await inventoryLayout(db, input.trainNumber, input.classCode);
      if (layout.berths.length === 0 || layout.stopCount < 2) {
        throw ApplicationFailure.nonRetryable(
          `train ${input.trainNumber} has no ${input.classCode} coaches or no route`,
          FailureType.NotFound,
        );
      }
      const berths = layout.berths.map((b) => {
        if (!(BERTH_TYPES as readonly string[]).includes(b.type)) throw new Error(`unknown berth type ${b.type}`);
        return { coach: b.coach, berthNo: b.berthNo, type: b.type as BerthType };
      });
      return { stopCount: layout.stopCount, berths };
    },

    /** Moves the inventory's own deadline for a hold (support extended it on the booking). */
    async extendInventoryHold(input: { inventoryWorkflowId: string; bookingId: string; holdExpiresAt: number }): Promise<boolean> {
      const r = await temporal.workflow.getHandle(input.inventoryWorkflowId).executeUpdate(extendHoldUpdate, {
        args: [{ bookingId: input.bookingId, holdExpiresAt: input.holdExpiresAt }],
      });
      return r.ok;
    },
  };
}
