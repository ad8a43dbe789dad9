// Coalesces hold requests for one inventory actor. While a batch is in flight
// for a run, new requests queue; when it returns, everything queued goes in
// the next batch (one update). So a rush of N concurrent requests on one run
// costs about N / batch-size updates, and this process never has more than
// `maxInFlight` updates open on one workflow — far below the server's limit
// of 10 in-flight updates per workflow, even with several API processes.
import {
  ApplicationFailure,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import {
  chartQuery,
  FailureType,
  holdSeatsUpdate,
  inventoryWorkflowId,
  passengerStatusesQuery,
  prepareChartUpdate,
  type ChartQueryResult,
  type HoldRequest,
  type HoldResult,
  type InventoryInput,
} from '../../contracts';
import type { RailPassengerStatus } from '../../domain/railInventory';
import type { inventoryWorkflow } from '../../workflows';
import { classifyUnavailable, DependencyUnavailable } from '../dependencies';
import { AppError } from '../errors';

interface Pending {
  req: HoldRequest;
  attempts: number;
  /** Epoch ms after which the caller has been answered 503: not sent any more. */
  deadline: number;
  settled: boolean;
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
  /** Deadline of each update sent to the actor (default 5 s). */
  callTimeoutMs?: number;
  /** Deadline of a hold request, queueing and retries included (default 10 s); past it the caller gets 503. */
  requestTimeoutMs?: number;
  retryAfterSeconds?: number;
}

export interface InventoryKey {
  trainNumber: string;
  runDate: string;
  classCode: string;
}

/**
 * The actor is alive but cannot take the message right now: try again shortly.
 * Classified by type and code: the server sheds load (RESOURCE_EXHAUSTED: too
 * many updates in flight on the workflow), or the inventory's hold validator
 * refused the batch (WorkflowUpdateFailedError caused by an ApplicationFailure;
 * it refuses only while loading or about to continue as new — its other check,
 * the batch size, cannot fail here as batches are capped at MAX_BATCH), or the
 * workflow closed between two runs (continue-as-new). A batch that missed its
 * deadline is retried too: holds are idempotent by booking id in the actor.
 * An unreachable server is not retried here: the request answers 503 and the
 * Temporal gate takes over (api/dependencyGate.ts).
 */
function isRetryable(err: unknown): boolean {
  if (err instanceof WorkflowUpdateFailedError) {
    return err.cause instanceof ApplicationFailure && err.cause.type !== FailureType.InventoryClosed && !err.cause.nonRetryable;
  }
  if (err instanceof WorkflowNotFoundError) return true;
  const verdict = classifyUnavailable(err);
  return verdict?.dependency === 'temporal' && verdict.kind === 'timeout';
}

/**
 * Final: the train has left. Its inventory refuses holds (InventoryClosed), or
 * it has ended and, completed, may not be started again (reuse policy below).
 */
function trainDeparted(err: unknown, input: InventoryInput): AppError | undefined {
  const refused = err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === FailureType.InventoryClosed;
  if (!refused && !(err instanceof WorkflowExecutionAlreadyStartedError)) return undefined;
  return new AppError('TRAIN_DEPARTED', `train ${input.trainNumber} of ${input.runDate} has left; its ${input.classCode} seats are closed`);
}

/** Before sending again to an actor that asked to retry (loading, continuing as new): 100 ms doubling to 1 s. */
const retryPauseMs = (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 5), 1000);

/** The inventory's final refusals of prepareChart (typed ApplicationFailures from its validator). */
function chartRefusal(err: unknown): AppError | undefined {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure)) return undefined;
  if (err.cause.type === 'CHART_PREPARED') return new AppError('CHART_PREPARED', err.cause.message);
  if (err.cause.type === 'CHART_UNAVAILABLE') return new AppError('CHART_UNAVAILABLE', err.cause.message);
  return undefined;
}

/** The inventory's validator accepts 1–200 requests per batch (workflows/inventory.ts). */
const MAX_BATCH = 200;

/** A request whose deadline passed before its batch was answered. */
function holdTimedOut(retryAfterSeconds: number): DependencyUnavailable {
  return new DependencyUnavailable('temporal', 'timeout', retryAfterSeconds, 'the seat inventory did not answer in time; retry shortly');
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
    this.maxBatch = Math.min(opts.maxBatch ?? 100, MAX_BATCH);
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
    const timeoutMs = this.opts.requestTimeoutMs ?? 10_000;
    return new Promise<HoldResult>((resolve, reject) => {
      const p: Pending = {
        req,
        attempts: 0,
        deadline: Date.now() + timeoutMs,
        settled: false,
        resolve: (r) => {
          if (p.settled) return;
          p.settled = true;
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          if (p.settled) return;
          p.settled = true;
          clearTimeout(timer);
          reject(e);
        },
      };
      // The caller's answer never waits past its deadline, whatever the batch it is in does.
      // A hold already sent may still be placed: it expires with its hold time like any unpaid hold.
      const timer = setTimeout(() => p.reject(holdTimedOut(this.opts.retryAfterSeconds ?? 5)), timeoutMs);
      l.queue.push(p);
      this.pump(id, l);
    });
  }

  /**
   * Staff: prepare a run's chart now, or move its time (`at`). Starts the inventory if it is not running (a run
   * nobody booked gets an empty chart). Retried while the actor is loading or continuing as new, within the
   * request's deadline; its refusals (CHART_PREPARED, CHART_UNAVAILABLE) and a departed train are final.
   */
  async prepareChart(key: InventoryKey, args: { by: string; at?: number }, timeoutMs = this.opts.requestTimeoutMs ?? 10_000): Promise<ChartQueryResult> {
    const id = inventoryWorkflowId(key.trainNumber, key.runDate, key.classCode);
    const input: InventoryInput = { ...key, ...(this.opts.inventoryLimits ? { limits: this.opts.inventoryLimits } : {}) };
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.client.withDeadline(Math.min(Date.now() + (this.opts.callTimeoutMs ?? 5000), deadline), () =>
          this.client.workflow.executeUpdateWithStart(prepareChartUpdate, {
            args: [args],
            startWorkflowOperation: this.startOperation(id, input),
          }),
        );
      } catch (err) {
        const departed = trainDeparted(err, input);
        if (departed) throw departed;
        const refusal = chartRefusal(err);
        if (refusal) throw refusal;
        if (!isRetryable(err) || Date.now() >= deadline || attempt >= this.maxAttempts) {
          throw isRetryable(err) ? holdTimedOut(this.opts.retryAfterSeconds ?? 5) : err;
        }
        await new Promise((r) => setTimeout(r, retryPauseMs(attempt)));
      }
    }
  }

  /** A booking's passengers' statuses now, as its inventory knows them; null when it has none to tell. */
  async passengerStatuses(key: InventoryKey, bookingId: string): Promise<RailPassengerStatus[] | null> {
    const id = inventoryWorkflowId(key.trainNumber, key.runDate, key.classCode);
    return this.client.withDeadline(Date.now() + (this.opts.callTimeoutMs ?? 5000), () =>
      this.client.workflow.getHandle(id).query(passengerStatusesQuery, bookingId),
    );
  }

  /** The chart query of a running inventory; undefined when no actor runs for the run and class. */
  async chart(key: InventoryKey): Promise<ChartQueryResult | undefined> {
    const id = inventoryWorkflowId(key.trainNumber, key.runDate, key.classCode);
    try {
      return await this.client.withDeadline(Date.now() + (this.opts.callTimeoutMs ?? 5000), () => this.client.workflow.getHandle(id).query(chartQuery));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  private startOperation(id: string, input: InventoryInput) {
    return new WithStartWorkflowOperation<typeof inventoryWorkflow>('inventoryWorkflow', {
      workflowId: id,
      taskQueue: this.opts.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      // Never a second actor beside a running one (USE_EXISTING), nor a new one after one that completed (it
      // ends only once its train has left); after a terminated or failed one, a new one rebuilds from Postgres.
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      staticSummary: `Seat inventory ${input.trainNumber} ${input.runDate} ${input.classCode}`,
    });
  }

  private pump(id: string, lane: Lane): void {
    while (lane.inFlight < this.maxInFlight && lane.queue.length > 0) {
      // Requests already answered 503 (deadline passed) are not sent.
      const batch = lane.queue.splice(0, this.maxBatch).filter((p) => !p.settled);
      if (batch.length === 0) continue;
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
      const callDeadline = Math.min(Date.now() + (this.opts.callTimeoutMs ?? 5000), Math.max(...batch.map((p) => p.deadline)));
      const results = await this.client.withDeadline(callDeadline, () => this.client.workflow.executeUpdateWithStart(holdSeatsUpdate, {
        args: [{ requests: batch.map((p) => p.req) }],
        startWorkflowOperation: this.startOperation(id, lane.input),
      }));
      const byId = new Map(results.map((r) => [r.bookingId, r]));
      for (const p of batch) {
        const r = byId.get(p.req.bookingId);
        if (r) p.resolve(r);
        else p.reject(new Error(`inventory returned no result for ${p.req.bookingId}`));
      }
    } catch (err) {
      const now = Date.now();
      const retry = batch.filter((p) => !p.settled && p.deadline > now && isRetryable(err) && ++p.attempts < this.maxAttempts);
      for (const p of batch) if (!retry.includes(p)) p.reject(trainDeparted(err, lane.input) ?? err);
      if (retry.length > 0) {
        this.stats.retries += 1;
        // Back off a little (the actor is loading or continuing as new), then go to the front of the queue.
        await new Promise((r) => setTimeout(r, retryPauseMs(retry[0]!.attempts)));
        lane.queue.unshift(...retry);
      }
    }
  }
}
