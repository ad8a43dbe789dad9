// Coalesces hold requests for one inventory actor. While a batch is in flight
// for a run, new requests queue; when it returns, everything queued goes in
// the next batch (one update). So a rush of N concurrent requests on one run
// costs about N / batch-size updates, and this process never has more than
// `maxInFlight` updates open on one workflow — far below the server's limit
// of 10 in-flight updates per workflow, even with several API processes.
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { holdSeatsUpdate, inventoryWorkflowId, type HoldRequest, type HoldResult, type InventoryInput } from '../../contracts';
import type { inventoryWorkflow } from '../../workflows';

interface Pending {
  req: HoldRequest;
  attempts: number;
  resolve(r: HoldResult): void;
  reject(e: unknown): void;
}

interface Lane {
  input: InventoryInput;
  queue: Pending[];
  inFlight: number;
}

export interface InventoryGatewayOptions {
  taskQueue: string;
  maxInFlight?: number;
  maxBatch?: number;
  /** Attempts per request when the actor asks the caller to retry (loading, continuing as new, busy). */
  maxAttempts?: number;
  /** Passed to new inventory actors (tests use low limits to exercise continue-as-new). */
  inventoryLimits?: InventoryInput['limits'];
}

export interface InventoryKey {
  trainNumber: string;
  runDate: string;
  classCode: string;
}

/** The actor is alive but cannot take the message right now: try again shortly. */
function isRetryable(err: unknown): boolean {
  const text = `${(err as Error)?.message ?? ''} ${(err as { cause?: Error })?.cause?.message ?? ''}`;
  const code = (err as { code?: number; cause?: { code?: number } }).code ?? (err as { cause?: { code?: number } }).cause?.code;
  return (
    /retry|RESOURCE_EXHAUSTED|continued as new|already completed|not found|Unavailable|DEADLINE_EXCEEDED/i.test(text) ||
    code === 8 ||
    code === 14 ||
    code === 4
  );
}

export class InventoryGateway {
  private readonly lanes = new Map<string, Lane>();
  private readonly maxInFlight: number;
  private readonly maxBatch: number;
  private readonly maxAttempts: number;
  readonly stats = { batches: 0, requests: 0, retries: 0, largestBatch: 0 };

  constructor(
    private readonly client: Client,
    private readonly opts: InventoryGatewayOptions,
  ) {
    this.maxInFlight = opts.maxInFlight ?? 2;
    this.maxBatch = opts.maxBatch ?? 100;
    this.maxAttempts = opts.maxAttempts ?? 40;
  }

  hold(key: InventoryKey, req: HoldRequest): Promise<HoldResult> {
    const id = inventoryWorkflowId(key.trainNumber, key.runDate, key.classCode);
    let lane = this.lanes.get(id);
    if (!lane) {
      lane = { input: { ...key, ...(this.opts.inventoryLimits ? { limits: this.opts.inventoryLimits } : {}) }, queue: [], inFlight: 0 };
      this.lanes.set(id, lane);
    }
    const l = lane;
    this.stats.requests += 1;
    return new Promise<HoldResult>((resolve, reject) => {
      l.queue.push({ req, attempts: 0, resolve, reject });
      this.pump(id, l);
    });
  }

  private pump(id: string, lane: Lane): void {
    while (lane.inFlight < this.maxInFlight && lane.queue.length > 0) {
      const batch = lane.queue.splice(0, this.maxBatch);
      lane.inFlight += 1;
      this.stats.batches += 1;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
      this.send(id, lane, batch).finally(() => {
        lane.inFlight -= 1;
        if (lane.queue.length > 0) this.pump(id, lane);
        else if (lane.inFlight === 0) this.lanes.delete(id);
      });
    }
  }

  private async send(id: string, lane: Lane, batch: Pending[]): Promise<void> {
    try {
      const results = await this.client.workflow.executeUpdateWithStart(holdSeatsUpdate, {
        args: [{ requests: batch.map((p) => p.req) }],
        startWorkflowOperation: new WithStartWorkflowOperation<typeof inventoryWorkflow>('inventoryWorkflow', {
          workflowId: id,
          taskQueue: this.opts.taskQueue,
          args: [lane.input],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
          staticSummary: `Seat inventory ${lane.input.trainNumber} ${lane.input.runDate} ${lane.input.classCode}`,
        }),
      });
      const byId = new Map(results.map((r) => [r.bookingId, r]));
      for (const p of batch) {
        const r = byId.get(p.req.bookingId);
        if (r) p.resolve(r);
        else p.reject(new Error(`inventory returned no result for ${p.req.bookingId}`));
      }
    } catch (err) {
      const retry = batch.filter((p) => isRetryable(err) && ++p.attempts < this.maxAttempts);
      for (const p of batch) if (!retry.includes(p)) p.reject(err);
      if (retry.length > 0) {
        this.stats.retries += 1;
        // Back off a little (the actor is loading or continuing as new), then go to the front of the queue.
        await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** Math.min(retry[0]!.attempts, 5), 1000)));
        lane.queue.unshift(...retry);
      }
    }
  }
}
