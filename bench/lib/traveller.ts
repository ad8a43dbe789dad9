// What a well-behaved client does with the API's answers on the way to a confirmed
// booking: a 503 or 429 (with Retry-After) or a lost answer is retried after the time
// asked, the hold with the same Idempotency-Key (so a retry never holds twice); a 202
// (payment still being processed) or 409 PAYMENT_IN_PROGRESS is followed by polling
// GET /bookings/:pnr (backing off) until the booking is confirmed. Everything within a deadline.
import { performance } from 'node:perf_hooks';
import { errorCode, type HttpClient, type HttpResult } from './http';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Answers after which the same request is sent again. */
function retryable(r: HttpResult): boolean {
  const code = errorCode(r.body);
  return r.status === 0 || r.status === 503 || r.status === 429 || code === 'IDEMPOTENCY_IN_PROGRESS';
}

/** The wait a retryable answer asks for: its Retry-After, bounded to 0.2–5 s. */
const backoff = (r: HttpResult): number => Math.min(5000, Math.max(200, (r.retryAfter ?? 1) * 1000));

export interface Attempted {
  last: HttpResult;
  attempts: number;
}

export async function holdWithRetries(http: HttpClient, body: unknown, token: string, key: string, deadline: number): Promise<Attempted> {
  let attempts = 0;
  for (;;) {
    attempts += 1;
    const r = await http.request('POST', '/bookings', body, token, { 'idempotency-key': key });
    if (!retryable(r) || performance.now() + backoff(r) > deadline) return { last: r, attempts };
    await sleep(backoff(r));
  }
}

export interface PayOutcome extends Attempted {
  /** Final booking status seen (from the payment answer or the last poll). */
  status: string | null;
  polls: number;
}

export async function payUntilConfirmed(
  http: HttpClient,
  pnr: string,
  token: string,
  card: unknown,
  deadline: number,
): Promise<PayOutcome> {
  let attempts = 0;
  let polls = 0;
  let last: HttpResult;
  const statusOf = (r: HttpResult) => (r.body as { status?: unknown } | null)?.status;
  for (;;) {
    attempts += 1;
    last = await http.request('POST', `/bookings/${pnr}/payment`, { card }, token);
    if (retryable(last)) {
      if (performance.now() + backoff(last) > deadline) return { last, attempts, polls, status: null };
      await sleep(backoff(last));
      continue;
    }
    break;
  }
  const pending = last.status === 202 || errorCode(last.body) === 'PAYMENT_IN_PROGRESS';
  if (!pending) {
    const s = statusOf(last);
    return { last, attempts, polls, status: typeof s === 'string' ? s : null };
  }
  // The payment was accepted and is being processed: follow it, backing off (0.5 s doubling to 5 s) so the
  // polls (each a query to the booking's workflow) do not add much load to a system already behind.
  for (let wait = 500; ; wait = Math.min(wait * 2, 5000)) {
    await sleep(wait);
    polls += 1;
    const g = await http.request('GET', `/bookings/${pnr}`, undefined, token);
    const s = statusOf(g);
    if (g.status === 200 && typeof s === 'string' && s !== 'payment_pending' && s !== 'held') return { last: g, attempts, polls, status: s };
    if (performance.now() + 500 > deadline) return { last: g, attempts, polls, status: typeof s === 'string' ? s : null };
  }
}
