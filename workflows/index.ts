// Everything the worker's workflow bundle registers. Workflow code runs in
// Temporal's deterministic sandbox: no I/O, no Node built-ins (see eslint.config.mjs).
export { userWelcomeWorkflow } from './userWelcome';
export { inventoryWorkflow } from './inventory';
export { bookingV2, bookingWorkflow } from './booking';
export { delayNoticeWorkflow, runCancellationWorkflow } from './runNotices';
