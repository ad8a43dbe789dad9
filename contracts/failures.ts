// The closed list of failure types that cross the workflow/activity boundary.
// Permanent ones are thrown as non-retryable ApplicationFailures; everything
// else is retried by the activity retry policy.
export const FailureType = {
  /** The input can never succeed (unknown user, malformed address). */
  InvalidInput: 'InvalidInput',
  /** The record an activity needs is gone (e.g. deleted user). */
  NotFound: 'NotFound',
  /** The mail server refused the message permanently (5xx). */
  MailRejected: 'MailRejected',
} as const;

export type FailureType = (typeof FailureType)[keyof typeof FailureType];

export const NON_RETRYABLE_FAILURES: FailureType[] = [
  FailureType.InvalidInput,
  FailureType.NotFound,
  FailureType.MailRejected,
];
