// Operator jobs over a whole run (workflows/runNotices.ts).
export interface DelayNoticeInput {
  trainNumber: string;
  runDate: string;
  delayMinutes: number;
  /** One per report (the audit entry's id): the dedupe key of its emails. */
  reportId: string;
  by: string;
}

export interface RunCancellationInput {
  trainNumber: string;
  runDate: string;
  reason: string;
  by: string;
  /** How long after the first sweep the second one looks for bookings held meanwhile (default 40 s; tests shorten it). */
  lateHoldSweepMs?: number;
}

export interface RunJobProgress {
  total: number;
  done: number;
  /** Emails sent (delay) or bookings signalled (cancellation). */
  sent: number;
  /** Emails found already sent (a re-run) or bookings already closed. */
  alreadySent: number;
  /** Delay notices the mail server kept refusing (recorded in the notifications table). */
  failed?: number;
}

export interface RunBookingRef {
  pnr: string;
  userId: number;
  email: string;
  name: string;
  fromStation: string;
  toStation: string;
  status: string;
}

export const delayNoticeWorkflowId = (trainNumber: string, runDate: string, reportId: string) =>
  `delay-notice-${trainNumber}-${runDate}-${reportId}`;
export const runCancellationWorkflowId = (trainNumber: string, runDate: string) => `run-cancel-${trainNumber}-${runDate}`;
