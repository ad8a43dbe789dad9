// A booking actor's refusal of an update, as an API error. The actor's
// validators refuse with a code (workflows/booking.ts throws `CODE: reason`;
// an ApplicationFailure typed with the code is read the same way), which
// reaches the client as WorkflowUpdateFailedError caused by an
// ApplicationFailure: classified by those classes and the code, never by
// free text. An update sent to an actor that has ended is WorkflowNotFoundError.
import { ApplicationFailure, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { AppError, type ErrorCode } from '../errors';

const REFUSALS: readonly ErrorCode[] = ['HOLD_EXPIRED', 'BOOKING_NOT_PAYABLE', 'BOOKING_NOT_CANCELLABLE', 'PAYMENT_IN_PROGRESS'];
/** Refusal codes of the actor's rules (domain/bookingRules.ts) that the API answers under another code. */
const RENAMED: Readonly<Record<string, ErrorCode>> = { INVALID_REQUEST: 'INVALID_PASSENGERS' };

function asErrorCode(code: string): ErrorCode | null {
  if (REFUSALS.includes(code as ErrorCode)) return code as ErrorCode;
  return Object.hasOwn(RENAMED, code) ? RENAMED[code]! : null;
}

function refusalCode(failure: ApplicationFailure): { code: ErrorCode; reason: string } | null {
  const typed = failure.type ? asErrorCode(failure.type) : null;
  if (typed) return { code: typed, reason: failure.message };
  const sep = failure.message.indexOf(': ');
  const code = asErrorCode(sep > 0 ? failure.message.slice(0, sep) : '');
  return code ? { code, reason: failure.message.slice(sep + 2) } : null;
}

export function updateRefusal(err: unknown, whenClosed: ErrorCode, closedMessage = 'the booking has already ended'): AppError | null {
  if (err instanceof WorkflowNotFoundError) return new AppError(whenClosed, closedMessage);
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const r = refusalCode(err.cause);
    if (r) return new AppError(r.code, r.reason);
  }
  return null;
}
