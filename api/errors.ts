// Every error the API answers with has a stable code from this table; the
// HTTP status follows from the code, and clients switch on the code.
export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  INVALID_JSON: 400,
  INVALID_DATE: 400,
  SAME_STATION: 400,
  BAD_REQUEST: 400,
  STATION_NOT_ON_ROUTE: 400,
  CLASS_NOT_ON_TRAIN: 400,
  TRAIN_DOES_NOT_RUN: 400,
  TRAIN_DEPARTED: 400,
  OUTSIDE_BOOKING_WINDOW: 400,
  /** The class has no berths in the quota asked for (e.g. Tatkal in 1A). */
  QUOTA_NOT_OFFERED: 400,
  /** A passenger does not qualify for the quota (SS by age, LD women with children under 12). */
  QUOTA_NOT_ELIGIBLE: 400,
  /** More passengers than the quota allows on one PNR (Tatkal 4, SS 2). */
  TOO_MANY_PASSENGERS: 400,
  INVALID_PASSENGERS: 400,
  INVALID_TIMETABLE: 400,
  CARD_INVALID: 400,
  PAYMENT_DECLINED: 402,
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BOOKING_NOT_FOUND: 404,
  /** The chart is not prepared yet (details.chartAt says when it is due). */
  CHART_NOT_PREPARED: 404,
  STATION_NOT_FOUND: 404,
  TRAIN_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  EMAIL_TAKEN: 409,
  NO_SEATS_AVAILABLE: 409,
  /** No confirmed berth, no RAC place and the waitlist is full. */
  REGRET: 409,
  /** Tatkal for this journey opens later (details.opensAt). */
  TATKAL_NOT_OPEN: 409,
  /** The chart of the run and class is prepared: booking has closed (and it cannot be prepared again). */
  CHART_PREPARED: 409,
  /** The run's inventory predates charts. */
  CHART_UNAVAILABLE: 409,
  HOLD_EXPIRED: 409,
  BOOKING_NOT_PAYABLE: 409,
  BOOKING_NOT_CANCELLABLE: 409,
  PAYMENT_IN_PROGRESS: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  RUN_CANCELLED: 409,
  RUN_CLOSED: 409,
  TRAIN_HAS_BOOKINGS: 409,
  REFUND_NOT_OWED: 409,
  TICKET_NOT_ISSUED: 409,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  EXPECTATION_FAILED: 417,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
  requestId: string;
}
