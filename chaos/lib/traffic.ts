// The travellers: sessions started at a steady rate on ONE run, each placing a
// hold and then paying, paying and later cancelling, cancelling the hold, or
// walking away (the hold expires). They behave like careful clients: an
// Idempotency-Key on every hold, retries of 503 / 429 / no-answer after
// Retry-After, polling after a 202. Every outcome is recorded for the audit.
import { randomUUID } from 'node:crypto';
import { CARD_OK, type BookingBody } from '../../bench/lib/load';
import { errorCode, type Answer, type RecordingClient } from './http';
import { sleep } from './procs';

export type Fate = 'pay' | 'pay-cancel' | 'cancel' | 'abandon';

export interface Hold {
  pnr: string;
  fate: Fate;
  heldAt: number;
  holdExpiresAt: number;
  fareTotal: number;
  /** The pay answer that settled it: 'confirmed' (HTTP 200 confirmed), or what else came. */
  payOutcome?: string;
  /** HTTP 200 with status confirmed to a pay request. */
  confirmedAnswer?: boolean;
  /** Confirmed seen only by polling GET after a 202. */
  confirmedByPoll?: boolean;
  cancelOutcome?: string;
}

export interface TrafficOptions {
  client: RecordingClient;
  tokens: string[];
  makeBody: () => BookingBody;
  random: () => number;
  holds: number;
  paid: number;
  cancelled: number;
  /** Seconds over which sessions start. */
  seconds: number;
  /** Most sessions in flight at once. */
  concurrency: number;
  log(msg: string): void;
}

export interface TrafficResult {
  holds: Hold[];
  sessions: number;
  noSeats: number;
  holdRefused: Record<string, number>;
  /** Confirmed by a 200 answer or by polling after a 202. */
  paid: number;
  cancelled: number;
  elapsedSeconds: number;
}

/** Retry-After in ms (seconds or an HTTP date), bounded; 1 s when absent. */
function retryDelay(a: Answer): number {
  const ra = a.retryAfter;
  let ms = 1000;
  if (ra !== undefined) {
    const n = Number(ra);
    ms = Number.isFinite(n) ? n * 1000 : Math.max(0, Date.parse(ra) - Date.now());
  }
  return Math.min(Math.max(ms, 250), 5000);
}

/** 503, 429, 409 *_IN_PROGRESS and no answer at all: the same request may be sent again. */
function retryable(a: Answer): boolean {
  const code = errorCode(a.body);
  return a.status === 0 || a.status === 503 || a.status === 429 || code === 'IDEMPOTENCY_IN_PROGRESS' || code === 'PAYMENT_IN_PROGRESS';
}

/** Spreads fates evenly (error diffusion), so every stretch of the run, and every fault window, has each kind. */
function fateDealer(o: TrafficOptions): () => Fate {
  const share = (n: number) => Math.min(n / Math.max(o.holds, 1), 1);
  const cancelPaid = share(Math.ceil(o.cancelled / 2));
  const cancelHeld = share(Math.floor(o.cancelled / 2));
  // Some payments do not end confirmed (a hold expired meanwhile, a gateway outage): aim 25 % over the target.
  const pay = Math.max(Math.min(share(o.paid * 1.25) - cancelPaid, 1 - cancelPaid - cancelHeld), 0);
  const shares: [Fate, number][] = [
    ['pay', pay],
    ['pay-cancel', cancelPaid],
    ['cancel', cancelHeld],
    ['abandon', Math.max(1 - pay - cancelPaid - cancelHeld, 0)],
  ];
  const acc = new Map<Fate, number>(shares.map(([f]) => [f, 0]));
  return () => {
    for (const [f, s] of shares) acc.set(f, acc.get(f)! + s);
    let best: Fate = 'abandon';
    for (const [f] of shares) if (acc.get(f)! > acc.get(best)!) best = f;
    acc.set(best, acc.get(best)! - 1);
    return best;
  };
}

export async function runTraffic(o: TrafficOptions, shouldStop: () => boolean): Promise<TrafficResult> {
  const http = o.client;
  const holds: Hold[] = [];
  const holdRefused: Record<string, number> = {};
  let noSeats = 0;
  let sessions = 0;
  let inFlight = 0;
  const dealFate = fateDealer(o);
  const t0 = Date.now();
  const interval = (o.seconds * 1000) / Math.max(o.holds, 1);

  const placeHold = async (token: string): Promise<Omit<Hold, 'fate'> | null> => {
    const key = randomUUID();
    const body = o.makeBody();
    for (let attempt = 1; attempt <= 6; attempt++) {
      const a = await http.request('POST', '/bookings', 'POST /bookings', { body, token, headers: { 'idempotency-key': key } });
      if (a.status === 201) {
        const b = a.body as { pnr: string; holdExpiresAt: string | number; fareTotal?: number; fare?: { total: number } };
        return {
          pnr: b.pnr,
          heldAt: Date.now(),
          holdExpiresAt: typeof b.holdExpiresAt === 'number' ? b.holdExpiresAt : Date.parse(b.holdExpiresAt),
          fareTotal: b.fareTotal ?? b.fare?.total ?? 0,
        };
      }
      const code = errorCode(a.body) ?? String(a.status);
      if (code === 'NO_SEATS_AVAILABLE') {
        noSeats += 1;
        return null;
      }
      if (!retryable(a) || attempt === 6) {
        holdRefused[code] = (holdRefused[code] ?? 0) + 1;
        return null;
      }
      await sleep(retryDelay(a));
    }
    return null;
  };

  /** Polls GET until the payment has an outcome (or 90 s pass). */
  const pollPayment = async (token: string, h: Hold): Promise<string> => {
    const until = Date.now() + 90_000;
    while (Date.now() < until) {
      await sleep(2000);
      const g = await http.request('GET', `/bookings/${h.pnr}`, 'GET /bookings/:pnr', { token, pnr: h.pnr });
      const st = (g.body as { status?: string } | null)?.status;
      if (g.status === 200 && st !== 'payment_pending') return st ?? 'unknown';
    }
    return 'payment_pending (still, after 90 s of polling)';
  };

  const pay = async (token: string, h: Hold): Promise<void> => {
    await sleep(Math.floor(o.random() * 3000)); // the traveller types the card number
    for (let attempt = 1; attempt <= 6; attempt++) {
      const a = await http.request('POST', `/bookings/${h.pnr}/payment`, 'POST /bookings/:pnr/payment', { body: { card: CARD_OK }, token, pnr: h.pnr });
      const st = (a.body as { status?: string } | null)?.status;
      if (a.status === 200) {
        h.payOutcome = st ?? 'unknown';
        if (st === 'confirmed') h.confirmedAnswer = true;
        return;
      }
      if (a.status === 202 || errorCode(a.body) === 'PAYMENT_IN_PROGRESS') {
        h.payOutcome = await pollPayment(token, h);
        if (h.payOutcome === 'confirmed') h.confirmedByPoll = true;
        return;
      }
      if (!retryable(a) || attempt === 6) {
        h.payOutcome = errorCode(a.body) ?? `http ${a.status}`;
        return;
      }
      await sleep(retryDelay(a));
    }
  };

  const cancel = async (token: string, h: Hold): Promise<void> => {
    await sleep(Math.floor(o.random() * 3000));
    for (let attempt = 1; attempt <= 6; attempt++) {
      const a = await http.request('POST', `/bookings/${h.pnr}/cancel`, 'POST /bookings/:pnr/cancel', { body: { reason: 'chaos' }, token, pnr: h.pnr });
      if (a.status === 200) {
        h.cancelOutcome = (a.body as { status?: string } | null)?.status ?? 'unknown';
        return;
      }
      if (a.status === 202) {
        // Accepted, still being carried out (e.g. a refund under way): the booking ends cancelled.
        h.cancelOutcome = 'accepted (202)';
        return;
      }
      if (!retryable(a) || attempt === 6) {
        h.cancelOutcome = errorCode(a.body) ?? `http ${a.status}`;
        return;
      }
      await sleep(retryDelay(a));
    }
  };

  const session = async (n: number) => {
    const token = o.tokens[n % o.tokens.length]!;
    const held = await placeHold(token);
    if (!held) return;
    const h: Hold = { ...held, fate: dealFate() };
    holds.push(h);
    if (h.fate === 'pay' || h.fate === 'pay-cancel') await pay(token, h);
    if (h.fate === 'cancel' || (h.fate === 'pay-cancel' && (h.confirmedAnswer || h.confirmedByPoll))) await cancel(token, h);
  };

  const running = new Set<Promise<void>>();
  let lastReport = Date.now();
  let reportedUpTo = 0;
  // Sessions start on a schedule; the run goes on (up to twice its length) until enough holds were placed.
  while (holds.length < o.holds && Date.now() - t0 < o.seconds * 2000 && !shouldStop()) {
    const due = t0 + sessions * interval;
    if (Date.now() < due) await sleep(Math.min(due - Date.now(), 200));
    if (Date.now() < due) continue;
    if (inFlight >= o.concurrency || holds.length + inFlight >= o.holds * 1.02 + 5) {
      await Promise.race([...running, sleep(200)]);
      continue;
    }
    const n = sessions++;
    inFlight += 1;
    const p = session(n)
      .catch((err: Error) => o.log(`session ${n} failed: ${err.message}`))
      .finally(() => {
        inFlight -= 1;
        running.delete(p);
      });
    running.add(p);
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      const paid = holds.filter((h) => h.confirmedAnswer || h.confirmedByPoll).length;
      // What the last stretch of requests got back, e.g. "POST /bookings 201×40 503×3".
      const mix = new Map<string, number>();
      for (const r of http.records.slice(reportedUpTo)) {
        const k = `${r.route} ${r.status === 0 ? 'none' : r.status}`;
        mix.set(k, (mix.get(k) ?? 0) + 1);
      }
      reportedUpTo = http.records.length;
      const recent = [...mix].map(([k, n]) => `${k}×${n}`).join(', ');
      o.log(`traffic: ${holds.length} holds, ${paid} paid, ${noSeats} no seats, ${inFlight} sessions in flight, ${http.records.length} requests; since last: ${recent}`);
    }
  }
  await Promise.all(running);
  return {
    holds,
    sessions,
    noSeats,
    holdRefused,
    paid: holds.filter((h) => h.confirmedAnswer || h.confirmedByPoll).length,
    cancelled: holds.filter((h) => h.cancelOutcome === 'cancelled' || h.cancelOutcome === 'accepted (202)').length,
    elapsedSeconds: (Date.now() - t0) / 1000,
  };
}
