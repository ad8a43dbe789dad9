// Operator-triggered work over every booking of a run: delay notices and
// run cancellations. Progress is visible in the UI (current details and the
// `progress` query); every send is keyed, so a retry or a reset never mails
// a passenger twice.
import {
  ActivityFailure,
  defineQuery,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { railwayCancelSignal } from '../contracts/booking';
import { bookingWorkflowId } from '../contracts/workflowIds';
import type { RunCancellationInput, DelayNoticeInput, RunJobProgress } from '../contracts/runs';
import { delayEmail } from '../domain/ticket';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes' },
});
// Mail is retried for about 20 minutes, then counted as failed (the notifications table records it).
const mail = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

// A batch of signals (and starts): heartbeats after each booking.
const tellActs = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes' },
});

export const runJobProgressQuery = defineQuery<RunJobProgress>('progress');
const BATCH = 20;
/**
 * A hold placed by a request that passed the run's "not cancelled" check just
 * before the run was marked cancelled lands at most one request deadline later
 * (the API's requestTimeout, 30 s); its actor then starts from the inventory's
 * queue (listRunBookingActors waits for that queue to empty). So one more sweep
 * this long after the first reaches every booking held while the job ran.
 */
export const LATE_HOLD_SWEEP_MS = 40_000;

export async function delayNoticeWorkflow(input: DelayNoticeInput): Promise<RunJobProgress> {
  const progress: RunJobProgress = { total: 0, done: 0, sent: 0, alreadySent: 0 };
  setHandler(runJobProgressQuery, () => progress);
  const bookings = await acts.listRunBookings({ trainNumber: input.trainNumber, runDate: input.runDate, statuses: ['confirmed'] });
  progress.total = bookings.length;
  for (let i = 0; i < bookings.length; i += BATCH) {
    const batch = bookings.slice(i, i + BATCH);
    const results = await Promise.all(
      batch.map((b) =>
        mail.sendEmail({
          dedupeKey: `delay:${input.reportId}:${b.pnr}`,
          kind: 'delay',
          to: b.email,
          userId: b.userId,
          pnr: b.pnr,
          ...delayEmail({ ...b, trainNumber: input.trainNumber, runDate: input.runDate, delayMinutes: input.delayMinutes }),
        }).catch((err: unknown) => {
          // One passenger's mail refused (after the retries) must not stop the others' notices.
          log.warn('delay notice not delivered', { pnr: b.pnr, error: String(err instanceof ActivityFailure ? err.cause : err) });
          return { status: 'failed' as const };
        }),
      ),
    );
    for (const r of results) {
      if (r.status === 'sent') progress.sent += 1;
      else if (r.status === 'failed') progress.failed = (progress.failed ?? 0) + 1;
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
  const told = new Set<string>();

  /** Every live booking of the run not told yet: recorded ones, and running actors too recent to have a record. */
  const findBookings = async (): Promise<string[]> => {
    const recorded = await acts.listRunBookings({
      trainNumber: input.trainNumber,
      runDate: input.runDate,
      statuses: ['held', 'payment_pending', 'confirmed'],
    });
    const running = await acts.listRunBookingActors({ trainNumber: input.trainNumber, runDate: input.runDate });
    return [...new Set([...recorded.map((b) => b.pnr), ...running])].filter((pnr) => !told.has(pnr));
  };

  // Held bookings have no actor until someone acts on them: an activity tells them, starting their actor
  // with the signal where needed (docs/architecture.md, "Booking actors start on the first message").
  const startsHeldActors = patched('run-cancel-starts-held-actors');
  const tell = async (pnrs: string[]) => {
    progress.total += pnrs.length;
    for (let i = 0; i < pnrs.length; i += BATCH) {
      const batch = pnrs.slice(i, i + BATCH);
      if (startsHeldActors) {
        const r = await tellActs.tellBookingsRunCancelled({ pnrs: batch, reason: input.reason, by: input.by });
        progress.sent += r.sent;
        progress.alreadySent += r.alreadyClosed;
        for (const pnr of batch) told.add(pnr);
        progress.done += batch.length;
        setCurrentDetails(`Cancelling ${input.trainNumber} ${input.runDate}: ${progress.done} of ${progress.total} bookings told to refund`);
        continue;
      }
      await Promise.all(
        batch.map((pnr) =>
          getExternalWorkflowHandle(bookingWorkflowId(pnr))
            .signal(railwayCancelSignal, { reason: input.reason, by: input.by })
            .then(
              () => void (progress.sent += 1),
              // The booking ended meanwhile (expired, already cancelled): nothing to refund.
              (err: unknown) => {
                progress.alreadySent += 1;
                log.info('booking already closed', { pnr, error: String(err) });
              },
            ),
        ),
      );
      for (const pnr of batch) told.add(pnr);
      progress.done += batch.length;
      setCurrentDetails(`Cancelling ${input.trainNumber} ${input.runDate}: ${progress.done} of ${progress.total} bookings told to refund`);
    }
  };

  await tell(await findBookings());
  // A booking held by a request already in flight when the run was cancelled is reached by a second sweep.
  if (patched('run-cancel-sweeps-late-holds')) {
    await sleep(input.lateHoldSweepMs ?? LATE_HOLD_SWEEP_MS);
    const late = await findBookings();
    if (late.length > 0) log.info('run cancellation: bookings held while it ran', { count: late.length });
    await tell(late);
    setCurrentDetails(`Cancelled ${input.trainNumber} ${input.runDate}: ${progress.done} bookings told to refund (${late.length} in the late sweep)`);
  }
  return progress;
}
