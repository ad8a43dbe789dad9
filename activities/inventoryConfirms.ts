// Confirms held seats in their inventory, for the booking actor's local
// activity. Confirmations for one inventory that arrive while a batch is in
// flight go together in the next batch (one update), so a rush of payments on
// one run costs a few updates a second, and a worker process never has more
// than MAX_IN_FLIGHT updates open on one inventory — with the API's hold
// batches, still far below the server's 10 in-flight updates per workflow.
import { ApplicationFailure, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { FailureType } from '../contracts/failures';
import { confirmSeatsUpdate, type ConfirmResult } from '../contracts/inventory';

const MAX_IN_FLIGHT = 2;
/** The inventory's validator takes 1–200 ids per batch. */
const MAX_BATCH = 200;

interface Waiting {
  bookingId: string;
  resolve(r: ConfirmResult): void;
  reject(e: unknown): void;
}

interface Lane {
  queue: Waiting[];
  inFlight: number;
}

/** No inventory can sell the hold any more: it has ended, or its train has left. The booking refunds. */
function inventoryGone(err: unknown): boolean {
  if (err instanceof WorkflowNotFoundError) return true;
  return err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === FailureType.InventoryClosed;
}

export class InventoryConfirms {
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly client: Client) {}

  /**
   * The inventory's answer for this booking. Rejects on anything to be tried
   * again (the inventory loading or continuing as new, the server busy): the
   * local activity's retry policy does that.
   */
  confirm(inventoryWorkflowId: string, bookingId: string): Promise<ConfirmResult> {
    let lane = this.lanes.get(inventoryWorkflowId);
    if (!lane) {
      lane = { queue: [], inFlight: 0 };
      this.lanes.set(inventoryWorkflowId, lane);
    }
    const l = lane;
    return new Promise<ConfirmResult>((resolve, reject) => {
      l.queue.push({ bookingId, resolve, reject });
      this.pump(inventoryWorkflowId, l);
    });
  }

  private pump(id: string, lane: Lane): void {
    while (lane.inFlight < MAX_IN_FLIGHT && lane.queue.length > 0) {
      const batch = lane.queue.splice(0, MAX_BATCH);
      lane.inFlight += 1;
      this.send(id, batch).finally(() => {
        lane.inFlight -= 1;
        if (lane.queue.length > 0) this.pump(id, lane);
        else if (lane.inFlight === 0) this.lanes.delete(id);
      });
    }
  }

  private async send(id: string, batch: Waiting[]): Promise<void> {
    try {
      const ids = [...new Set(batch.map((w) => w.bookingId))];
      const results = await this.client.workflow.getHandle(id).executeUpdate(confirmSeatsUpdate, { args: [{ bookingIds: ids }] });
      const byId = new Map(results.map((r) => [r.bookingId, r]));
      for (const w of batch) {
        const r = byId.get(w.bookingId);
        if (r) w.resolve(r);
        else w.reject(new Error(`inventory ${id} returned no result for ${w.bookingId}`));
      }
    } catch (err) {
      for (const w of batch) {
        if (inventoryGone(err)) w.resolve({ bookingId: w.bookingId, ok: false, status: 'none', seats: [] });
        else w.reject(err);
      }
    }
  }
}

export function createInventoryConfirmActivities({ temporal }: { temporal: Client }) {
  const confirms = new InventoryConfirms(temporal);
  return {
    /** Sells a booking's hold in its inventory (idempotent); ok false when no inventory can sell it any more. */
    async confirmSeatsInInventory(input: { inventoryWorkflowId: string; bookingId: string }): Promise<ConfirmResult> {
      return confirms.confirm(input.inventoryWorkflowId, input.bookingId);
    },
  };
}
