// The closed list of failure types that cross the workflow/activity boundary.
// Permanent ones are thrown as non-retryable ApplicationFailures; everything
// else is retried by the activity retry policy.
export const FailureType = {
  /** The input can never succeed (unknown user, malformed address). */
  InvalidInput: 'InvalidInput',
  /** The record an activity needs is gone (e.g. deleted user). */
  NotFound: 'NotFound',
  /** The mail server refused the recipient for good (550/551/553): resending cannot help. */
  MailRejected: 'MailRejected',
  /** The mail server is down or refused the message for now (4xx, other 5xx, no connection): retried with backoff. */
  MailUnavailable: 'MailUnavailable',
  /** The card was declined: retrying the same charge cannot succeed. */
  PaymentDeclined: 'PaymentDeclined',
  /** The same idempotency key was used for a different charge. */
  PaymentConflict: 'PaymentConflict',
  /** The payment provider is unreachable or failing: retried with backoff. */
  GatewayUnavailable: 'GatewayUnavailable',
  /** The provider refused a refund (unknown charge, more than was charged). */
  RefundRejected: 'RefundRejected',
  /** Postgres refused an overlapping sale (the exclusion constraint). */
  SeatConflict: 'SeatConflict',
  /** The inventory's train has left: it takes no more holds (final, the API answers TRAIN_DEPARTED). */
  InventoryClosed: 'InventoryClosed',
} as const;

export type FailureType = (typeof FailureType)[keyof typeof FailureType];

export const NON_RETRYABLE_FAILURES: FailureType[] = [
  FailureType.InvalidInput,
  FailureType.NotFound,
  FailureType.MailRejected,
  FailureType.PaymentDeclined,
  FailureType.PaymentConflict,
  FailureType.SeatConflict,
  FailureType.RefundRejected,
];
