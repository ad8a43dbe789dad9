// One task queue for now; inventory actors may move to their own queue (and
// worker pool) when a hot run must not wait behind email sends.
export const TASK_QUEUE = 'railbook';
