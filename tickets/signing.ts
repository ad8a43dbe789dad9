// Signs and verifies the e-ticket's QR text (docs/architecture.md, "E-tickets
// and the signed QR code"):
//
//   RB1.<key id>.<base64url body>.<base64url HMAC-SHA256 of "RB1.<key id>.<body>">
//
// The body is domain/ticketQr.ts's compact JSON. The key id (the first 8 hex
// digits of a SHA-256 of the key) says which key signed it, so a key can be
// replaced while tickets signed with the old one still verify: the new key
// signs, the old ones are kept for verification only (TICKET_SIGNING_PREVIOUS_KEYS).
// Verification compares the signature in constant time and reads the body only
// once the signature holds.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { decodeTicketQrBody, encodeTicketQrBody, TICKET_QR_VERSION, type TicketQrPayload } from '../domain/ticketQr';

export interface TicketKeys {
  /** Signs new tickets (and verifies). */
  current: string;
  /** Retired keys: verify only. */
  previous: readonly string[];
}

/** Longer than any QR code this scheme makes (six passengers with 60-character names are ~1.4 kB). */
export const MAX_TICKET_QR_LENGTH = 4096;

export type QrRefusal = 'MALFORMED' | 'UNSUPPORTED_VERSION' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE' | 'INVALID_PAYLOAD';

export type QrVerification =
  | { valid: true; version: number; keyId: string; payload: TicketQrPayload }
  | { valid: false; reason: QrRefusal };

export function ticketKeyId(key: string): string {
  return createHash('sha256').update(`railbook-ticket-key:${key}`).digest('hex').slice(0, 8);
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const mac = (key: string, signed: string) => b64url(createHmac('sha256', key).update(signed).digest());

export function signTicketQr(payload: TicketQrPayload, key: string): string {
  const signed = `RB${TICKET_QR_VERSION}.${ticketKeyId(key)}.${b64url(encodeTicketQrBody(payload))}`;
  return `${signed}.${mac(key, signed)}`;
}

const SHAPE = /^RB([0-9]{1,3})\.([0-9a-f]{8})\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;

export function verifyTicketQr(qr: string, keys: TicketKeys): QrVerification {
  if (typeof qr !== 'string' || qr.length > MAX_TICKET_QR_LENGTH) return { valid: false, reason: 'MALFORMED' };
  const m = SHAPE.exec(qr.trim());
  if (!m) return { valid: false, reason: 'MALFORMED' };
  const [, version, keyId, body, signature] = m as unknown as [string, string, string, string, string];
  if (Number(version) !== TICKET_QR_VERSION) return { valid: false, reason: 'UNSUPPORTED_VERSION' };
  const key = [keys.current, ...keys.previous].find((k) => ticketKeyId(k) === keyId);
  if (key === undefined) return { valid: false, reason: 'UNKNOWN_KEY' };
  const expected = Buffer.from(mac(key, `RB${version}.${keyId}.${body}`));
  const given = Buffer.from(signature);
  // Both are 43 base64url characters (the pattern above), so the comparison runs over equal lengths.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { valid: false, reason: 'BAD_SIGNATURE' };
  const payload = decodeTicketQrBody(Buffer.from(body, 'base64url').toString('utf8'));
  if (!payload) return { valid: false, reason: 'INVALID_PAYLOAD' };
  return { valid: true, version: TICKET_QR_VERSION, keyId, payload };
}
