// Operator-triggered work over every booking of a run: delay notices and
// run cancellations. Progress is visible in the UI (current details and the
// `progress` query); every send is keyed, so a retry or a reset never mails
// a passenger twice.
import { defineQuery, getExternalWorkflowHandle, log, proxyActivities, setCurrentDetails, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { railwayCancelSignal } from '../contracts/booking';
import { bookingWorkflowId } from '../contracts/workflowIds';
import type { RunCancellationInput, DelayNoticeInput, RunJobProgress } from '../contracts/runs';
import { delayEmail } from '../domain/ticket';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes' },
});

export const runJobProgressQuery = defineQuery<RunJobProgress>('progress');
const BATCH = 20;

export async function delayNoticeWorkflow(input: DelayNoticeInput): Promise<RunJobProgress> {
  const progress: RunJobProgress = { total: 0, done: 0, sent: 0, alreadySent: 0 };
  setHandler(runJobProgressQuery, () => progress);
  const bookings = await acts.listRunBookings({ trainNumber: input.trainNumber, runDate: input.runDate, statuses: ['confirmed'] });
  progress.total = bookings.length;
  for (let i = 0; i < bookings.length; i += BATCH) {
    const batch = bookings.slice(i, i + BATCH);
    const results = await Promise.all(
      batch.map((b) =>
        acts.sendEmail({
          dedupeKey: `delay:${input.reportId}:${b.pnr}`,
          kind: 'delay',
          to: b.email,
          userId: b.userId,
          pnr: b.pnr,
          ...delayEmail({ ...b, trainNumber: input.trainNumber, runDate: input.runDate, delayMinutes: input.delayMinutes }),
        }),
      ),
    );
    for (const r of results) {
      if (r.status === 'sent') progress.sent += 1;
      else progress.alreadySent += 1;
    }
    progress.done += batch.length;
    setCurrentDetails(`Delay of ${input.delayMinutes} min on ${input.trainNumber} ${input.runDate}: notified ${progress.done} of ${progress.total}`);
  }
  return progress;
}

export async function runCancellationWorkflow(input: RunCancellationInput): Promise<RunJobProgress> {
  const progress: RunJobProgress = { total: 0, done: 0, sent: 0, alreadySent: 0 };
  setHandler(runJobProgressQuery, () => progress);
  const recorded = await acts.listRunBookings({
    trainNumber: input.trainNumber,
    runDate: input.runDate,
    statuses: ['held', 'payment_pending', 'confirmed'],
  });
  // Also every running actor of the run, including those started too recently to have a record.
  const running = await acts.listRunBookingActors({ trainNumber: input.trainNumber, runDate: input.runDate });
  const bookings = [...new Set([...recorded.map((b) => b.pnr), ...running])].map((pnr) => ({ pnr }));
  progress.total = bookings.length;
  for (let i = 0; i < bookings.length; i += BATCH) {
    const batch = bookings.slice(i, i + BATCH);
    await Promise.all(
      batch.map((b) =>
        getExternalWorkflowHandle(bookingWorkflowId(b.pnr))
          .signal(railwayCancelSignal, { reason: input.reason, by: input.by })
          .then(
            () => void (progress.sent += 1),
            // The booking ended meanwhile (expired, already cancelled): nothing to refund.
            (err: unknown) => {
              progress.alreadySent += 1;
              log.info('booking already closed', { pnr: b.pnr, error: String(err) });
            },
          ),
      ),
    );
    progress.done += batch.length;
    setCurrentDetails(`Cancelling ${input.trainNumber} ${input.runDate}: ${progress.done} of ${progress.total} bookings told to refund`);
  }
  return progress;
}
