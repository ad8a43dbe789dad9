// The e-ticket's QR payload (pure): what an inspector's app reads and checks
// offline. tickets/signing.ts signs it with HMAC-SHA256 and wraps it as
//
//   RB<version>.<key id>.<body>.<signature>
//
// where <body> is the base64url of the compact JSON made here. The version
// names this body's format (and the signing scheme): a verifier refuses a
// version it does not know rather than guess, so the format can change by
// issuing a new version while old tickets keep verifying under theirs.
import { formatSeatStatus, seatStatusOf, ticketQuota, type TicketPassengerInput } from './eticket';
import { QUOTAS } from './types';

export const TICKET_QR_VERSION = 1;

export interface TicketQrPassenger {
  name: string;
  age: number;
  gender: string;
  /** As printed on the ticket: "CNF B1/23 LB", "RAC 4", "WL 12". */
  status: string;
}

export interface TicketQrPayload {
  pnr: string;
  trainNumber: string;
  /** The run date (the day the train leaves its origin), YYYY-MM-DD. */
  runDate: string;
  classCode: string;
  quota: string;
  from: string;
  to: string;
  passengers: TicketQrPassenger[];
  /** Paise paid for the ticket. */
  amountPaid: number;
  /** When this copy of the ticket was made, epoch seconds. */
  issuedAt: number;
}

/** The parts of a booking view the payload is made from (a BookingView fits). */
export interface TicketQrSource {
  pnr: string;
  trainNumber: string;
  runDate: string;
  classCode: string;
  quota?: string;
  from: { code: string };
  to: { code: string };
  passengers: readonly TicketPassengerInput[];
  amountPaid: number;
}

export function ticketQrPayload(src: TicketQrSource, issuedAtMs: number): TicketQrPayload {
  return {
    pnr: src.pnr,
    trainNumber: src.trainNumber,
    runDate: src.runDate,
    classCode: src.classCode,
    quota: ticketQuota(src.quota),
    from: src.from.code,
    to: src.to.code,
    passengers: src.passengers.map((p) => ({ name: p.name, age: p.age, gender: p.gender, status: formatSeatStatus(seatStatusOf(p)) })),
    amountPaid: src.amountPaid,
    issuedAt: Math.floor(issuedAtMs / 1000),
  };
}

/** Compact JSON, keys in a fixed order (a QR code's capacity is small; six passengers fit easily). */
export function encodeTicketQrBody(p: TicketQrPayload): string {
  return JSON.stringify({
    p: p.pnr,
    t: p.trainNumber,
    d: p.runDate,
    c: p.classCode,
    q: p.quota,
    f: p.from,
    o: p.to,
    x: p.passengers.map((x) => [x.name, x.age, x.gender, x.status]),
    a: p.amountPaid,
    i: p.issuedAt,
  });
}

const isString = (v: unknown, re: RegExp): v is string => typeof v === 'string' && re.test(v);
const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
/** issuedAt is a date a Date can show. */
const LAST_SECOND_OF_9999 = 253_402_300_799;
/** Bounds of what a booking can hold (api/routes/bookings.ts), with room to spare. */
const MAX_PASSENGERS = 12;

/** The payload of a body made by encodeTicketQrBody; null when it is not one (wrong JSON, shape or value). */
export function decodeTicketQrBody(json: string): TicketQrPayload | null {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const o = raw as Record<string, unknown>;
  if (
    !isString(o.p, /^[0-9]{10}$/) ||
    !isString(o.t, /^[0-9]{5}$/) ||
    !isString(o.d, /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/) ||
    !isString(o.c, /^[0-9A-Z]{1,3}$/) ||
    !(typeof o.q === 'string' && (QUOTAS as readonly string[]).includes(o.q)) ||
    !isString(o.f, /^[0-9A-Z]{1,8}$/) ||
    !isString(o.o, /^[0-9A-Z]{1,8}$/) ||
    !Array.isArray(o.x) ||
    o.x.length < 1 ||
    o.x.length > MAX_PASSENGERS ||
    !isInt(o.a, 0, Number.MAX_SAFE_INTEGER) ||
    !isInt(o.i, 0, LAST_SECOND_OF_9999)
  ) {
    return null;
  }
  const passengers: TicketQrPassenger[] = [];
  for (const x of o.x as unknown[]) {
    if (!Array.isArray(x) || x.length !== 4) return null;
    const [name, age, gender, status] = x as unknown[];
    if (typeof name !== 'string' || name.length < 1 || name.length > 60) return null;
    if (!isInt(age, 0, 125) || !isString(gender, /^[MFT]$/) || !isString(status, /^[A-Z0-9 /]{1,32}$/)) return null;
    passengers.push({ name, age, gender, status });
  }
  return {
    pnr: o.p,
    trainNumber: o.t,
    runDate: o.d,
    classCode: o.c,
    quota: o.q,
    from: o.f,
    to: o.o,
    passengers,
    amountPaid: o.a,
    issuedAt: o.i,
  };
}
