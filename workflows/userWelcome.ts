import { ActivityFailure, log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { EmailResult, UserWelcomeInput } from '../contracts';

const { sendEmail } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 20 },
});

/**
 * Greets a new traveller; the send is keyed by user so a retry never mails
 * twice. A welcome the mail server refuses is recorded (notifications table)
 * and the workflow ends normally: a failed workflow is kept for bugs.
 */
export async function userWelcomeWorkflow(input: UserWelcomeInput): Promise<EmailResult> {
  return sendEmail({
    dedupeKey: `welcome:${input.userId}`,
    kind: 'welcome',
    to: input.email,
    userId: input.userId,
    subject: 'Welcome to Railbook',
    text: [
      `Hello ${input.name},`,
      '',
      'Your Railbook account is ready. Search trains between any two stations and book berths in seconds.',
      '',
      'Happy journey!',
    ].join('\n'),
  }).catch((err: unknown) => {
    if (!(err instanceof ActivityFailure)) throw err;
    log.warn('welcome email not delivered', { userId: input.userId, error: String(err.cause ?? err) });
    return { status: 'failed' as const, messageId: null };
  });
}
