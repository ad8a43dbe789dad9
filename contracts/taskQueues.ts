// Two task queues, served by the same worker process (workers/createWorker.ts):
// inventory actors get a queue of their own, so a hot run's hold batches never
// wait behind the thousands of booking-actor tasks that a rush leaves behind
// (measured: on a shared queue, inventory tasks queued for p99 3–5 s; bench/README.md).
export const TASK_QUEUE = 'railbook';
/** The queue of the inventory actors (and their activities) for a given main queue. */
export const inventoryTaskQueue = (taskQueue: string): string => `${taskQueue}-inventory`;
