// The payment gateway adapter: what the booking code needs from a card
// payment provider, and nothing provider-specific. Amounts are integers in
// paise. Card details only ever reach `tokenize` (called by the API); what
// travels on through Temporal is the opaque token.
//
// Error contract:
//   GatewayUnavailableError  transient (network, 5xx, timeouts): retry with the SAME idempotency key
//   CardInvalidError         the card details are unusable (tokenize only); never retry
//   IdempotencyConflictError a key was reused with a different amount/token/charge; never retry
//   RefundRejectedError      the refund can never succeed as asked; never retry
//   PaymentRequestError      any other malformed request (unknown token, bad amount, currency)
// A decline is not an error: it is a ChargeResult with status 'declined'.

export interface CardDetails {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
  holder?: string;
}

export interface PaymentToken {
  token: string;
  last4: string;
  brand: string;
}

export type ChargeResult =
  | { status: 'succeeded'; chargeId: string; amount: number }
  | { status: 'declined'; declineCode: string; message: string };

export interface RefundResult {
  refundId: string;
  chargeId: string;
  amount: number;
}

export interface ChargeRequest {
  /** One key per logical charge (e.g. charge:<PNR>); a repeat returns the first result. */
  idempotencyKey: string;
  token: string;
  /** Paise, a positive integer. */
  amount: number;
  currency: 'INR';
  description: string;
}

export interface RefundRequest {
  /** One key per logical refund (e.g. refund:<PNR>). */
  idempotencyKey: string;
  chargeId: string;
  /** Paise, a positive integer, at most what is left unrefunded on the charge. */
  amount: number;
  reason: string;
}

export interface PaymentGateway {
  readonly name: string;
  /** Throws CardInvalidError for a bad number (Luhn), an expired card or a bad cvc. */
  tokenize(card: CardDetails): Promise<PaymentToken>;
  charge(req: ChargeRequest): Promise<ChargeResult>;
  refund(req: RefundRequest): Promise<RefundResult>;
  /** The settled result stored under this key, or null if nothing was charged or declined under it. */
  getCharge(idempotencyKey: string): Promise<ChargeResult | null>;
}

/** Base class of every error a gateway throws on purpose. */
export class PaymentGatewayError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PaymentGatewayError';
  }
}

/** Transient: the provider could not be reached or failed internally. Retry with the same key. */
export class GatewayUnavailableError extends PaymentGatewayError {
  constructor(message = 'payment gateway unavailable', options?: { cause?: unknown }) {
    super('gateway_unavailable', message, options);
    this.name = 'GatewayUnavailableError';
  }
}

export type CardInvalidCode = 'invalid_number' | 'expired_card' | 'invalid_expiry' | 'invalid_cvc';

/** The card details can never be tokenized as given. */
export class CardInvalidError extends PaymentGatewayError {
  constructor(
    override readonly code: CardInvalidCode,
    message: string,
  ) {
    super(code, message);
    this.name = 'CardInvalidError';
  }
}

/** The idempotency key was already used for a request with different parameters. */
export class IdempotencyConflictError extends PaymentGatewayError {
  constructor(
    readonly idempotencyKey: string,
    message: string,
  ) {
    super('idempotency_conflict', message);
    this.name = 'IdempotencyConflictError';
  }
}

export type RefundRejectedCode = 'unknown_charge' | 'charge_not_succeeded' | 'amount_exceeds_charge' | 'invalid_amount' | 'refund_blocked';

/** The refund can never succeed as asked. */
export class RefundRejectedError extends PaymentGatewayError {
  constructor(
    override readonly code: RefundRejectedCode,
    message: string,
  ) {
    super(code, message);
    this.name = 'RefundRejectedError';
  }
}

export type PaymentRequestCode = 'unknown_token' | 'invalid_amount' | 'unsupported_currency' | 'invalid_idempotency_key';

/** A malformed charge request (unknown token, non-positive amount, wrong currency). Never retry. */
export class PaymentRequestError extends PaymentGatewayError {
  constructor(
    override readonly code: PaymentRequestCode,
    message: string,
  ) {
    super(code, message);
    this.name = 'PaymentRequestError';
  }
}
