// The e-ticket's QR payload and its signature: what is signed, that any change to the text is refused,
// that only the server's keys verify it, and that anything else is refused with a reason, never a throw.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { decodeTicketQrBody, encodeTicketQrBody, ticketQrPayload, TICKET_QR_VERSION, type TicketQrSource } from '../../domain/ticketQr';
import { MAX_TICKET_QR_LENGTH, signTicketQr, ticketKeyId, verifyTicketQr } from '../../tickets/signing';

const KEY = 'test-ticket-signing-key-0123456789abcdef';
const OLD_KEY = 'old-ticket-signing-key-0123456789abcdef!';
const OTHER_KEY = 'someone-elses-key-0123456789abcdef-xyz';
const keys = { current: KEY, previous: [] };

const booking: TicketQrSource = {
  pnr: '4821093756',
  trainNumber: '12951',
  runDate: '2027-04-12',
  classCode: '3A',
  from: { code: 'MMCT' },
  to: { code: 'NDLS' },
  passengers: [
    { name: 'Asha Rao', age: 34, gender: 'F', coach: 'B1', berthNo: 23, berthType: 'LB' },
    { name: 'Ravi', age: 66, gender: 'M', coach: 'B1', berthNo: 24, berthType: null },
  ],
  amountPaid: 478500,
};
const issuedAt = Date.parse('2026-12-02T10:00:00Z');
const payload = ticketQrPayload(booking, issuedAt);

const b64 = (s: string) => Buffer.from(s).toString('base64url');
/** A signature made outside tickets/signing.ts, to build texts it would not make. */
const hmac = (key: string, signed: string) => createHmac('sha256', key).update(signed).digest('base64url');
const parts = (qr: string) => qr.split('.') as [string, string, string, string];

describe('ticket QR payload', () => {
  it('carries PNR, train, run date, class, quota, stations, each passenger with status, amount and issue time', () => {
    expect(payload).toEqual({
      pnr: '4821093756',
      trainNumber: '12951',
      runDate: '2027-04-12',
      classCode: '3A',
      quota: 'GN',
      from: 'MMCT',
      to: 'NDLS',
      passengers: [
        { name: 'Asha Rao', age: 34, gender: 'F', status: 'CNF B1/23 LB' },
        { name: 'Ravi', age: 66, gender: 'M', status: 'CNF B1/24' },
      ],
      amountPaid: 478500,
      issuedAt: issuedAt / 1000,
    });
  });

  it('shows RAC and waitlist positions given as a status, and the booking\'s quota', () => {
    const p = ticketQrPayload(
      {
        ...booking,
        quota: 'TQ',
        passengers: [
          { name: 'A', age: 30, gender: 'F', coach: null, berthNo: null, berthType: null, status: { kind: 'RAC', position: 4 } },
          { name: 'B', age: 30, gender: 'M', coach: null, berthNo: null, berthType: null, status: { kind: 'WL', position: 12 } },
        ],
      },
      issuedAt,
    );
    expect(p.quota).toBe('TQ');
    expect(p.passengers.map((x) => x.status)).toEqual(['RAC 4', 'WL 12']);
  });

  it('round-trips through its compact JSON, names in any script included', () => {
    const unicode = ticketQrPayload({ ...booking, passengers: [{ ...booking.passengers[0]!, name: 'अमित Zoë' }] }, issuedAt);
    for (const p of [payload, unicode]) expect(decodeTicketQrBody(encodeTicketQrBody(p))).toEqual(p);
  });

  it.each([
    ['not JSON', '{'],
    ['an array', '[]'],
    ['null', 'null'],
    ['a PNR of 9 digits', encodeTicketQrBody({ ...payload, pnr: '123456789' })],
    ['no passengers', encodeTicketQrBody({ ...payload, passengers: [] })],
    ['an unknown quota', encodeTicketQrBody({ ...payload, quota: 'XX' })],
    ['a fractional amount', encodeTicketQrBody({ ...payload, amountPaid: 1.5 })],
    ['an issue time past year 9999', encodeTicketQrBody({ ...payload, issuedAt: 1e15 })],
    ['a passenger of the wrong shape', JSON.stringify({ ...JSON.parse(encodeTicketQrBody(payload)), x: [['A', 30, 'F']] })],
  ])('refuses a body that is %s', (_, body) => {
    expect(decodeTicketQrBody(body)).toBeNull();
  });
});

describe('ticket QR signature', () => {
  const qr = signTicketQr(payload, KEY);

  it('is RB<version>.<key id>.<body>.<HMAC-SHA256>, and verifies with the key that made it', () => {
    const [version, keyId, body, signature] = parts(qr);
    expect(version).toBe(`RB${TICKET_QR_VERSION}`);
    expect(keyId).toBe(ticketKeyId(KEY));
    expect(Buffer.from(body, 'base64url').toString()).toBe(encodeTicketQrBody(payload));
    expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(verifyTicketQr(qr, keys)).toEqual({ valid: true, version: 1, keyId: ticketKeyId(KEY), payload });
    expect(qr.length).toBeLessThan(MAX_TICKET_QR_LENGTH);
  });

  it('refuses a ticket whose contents were changed (a berth, a name, the amount), keeping its signature', () => {
    const [version, keyId, , signature] = parts(qr);
    for (const changed of [
      { ...payload, passengers: [{ ...payload.passengers[0]!, status: 'CNF A1/1 LB' }, payload.passengers[1]!] },
      { ...payload, passengers: [{ ...payload.passengers[0]!, name: 'Someone Else' }, payload.passengers[1]!] },
      { ...payload, amountPaid: 0 },
    ]) {
      expect(verifyTicketQr(`${version}.${keyId}.${b64(encodeTicketQrBody(changed))}.${signature}`, keys)).toEqual({ valid: false, reason: 'BAD_SIGNATURE' });
    }
  });

  it('refuses any one character changed anywhere in the text', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    fc.assert(
      fc.property(fc.nat(qr.length - 1), fc.constantFrom(...alphabet), (at, c) => {
        fc.pre(qr[at] !== c);
        const altered = qr.slice(0, at) + c + qr.slice(at + 1);
        expect(verifyTicketQr(altered, keys).valid).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a ticket signed with another key, and one re-signed under our key id with another key', () => {
    expect(verifyTicketQr(signTicketQr(payload, OTHER_KEY), keys)).toEqual({ valid: false, reason: 'UNKNOWN_KEY' });
    const [version, , body] = parts(signTicketQr(payload, OTHER_KEY));
    const forged = `${version}.${ticketKeyId(KEY)}.${body}`;
    expect(verifyTicketQr(`${forged}.${hmac(OTHER_KEY, forged)}`, keys)).toEqual({ valid: false, reason: 'BAD_SIGNATURE' });
  });

  it('still verifies tickets signed with a retired key after the key is replaced', () => {
    const old = signTicketQr(payload, OLD_KEY);
    expect(verifyTicketQr(old, { current: KEY, previous: [OLD_KEY] })).toMatchObject({ valid: true, keyId: ticketKeyId(OLD_KEY) });
    expect(verifyTicketQr(old, keys)).toEqual({ valid: false, reason: 'UNKNOWN_KEY' });
  });

  it('refuses a version it does not know rather than guess', () => {
    const [, keyId, body] = parts(qr);
    const signed = `RB2.${keyId}.${body}`;
    expect(verifyTicketQr(`${signed}.${hmac(KEY, signed)}`, keys)).toEqual({
      valid: false,
      reason: 'UNSUPPORTED_VERSION',
    });
  });

  it('refuses a correctly signed body that is not a ticket', () => {
    const signed = `RB1.${ticketKeyId(KEY)}.${b64('{"hello":"world"}')}`;
    expect(verifyTicketQr(`${signed}.${hmac(KEY, signed)}`, keys)).toEqual({
      valid: false,
      reason: 'INVALID_PAYLOAD',
    });
  });

  it.each([
    ['empty', ''],
    ['a URL', 'https://example.test/ticket/4821093756'],
    ['three parts', parts(qr).slice(0, 3).join('.')],
    ['five parts', `${qr}.x`],
    ['a short signature', qr.slice(0, -1)],
    ['padding in the signature', `${qr.slice(0, -1)}=`],
    ['spaces inside', qr.replace('.', ' .')],
    ['NUL', `${qr}\u0000`],
    ['too long', `RB1.${ticketKeyId(KEY)}.${'A'.repeat(MAX_TICKET_QR_LENGTH)}.${parts(qr)[3]}`],
  ])('refuses malformed input (%s) with a reason, never a throw', (_, text) => {
    expect(verifyTicketQr(text, keys)).toEqual({ valid: false, reason: 'MALFORMED' });
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        expect(verifyTicketQr(s, keys).valid).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
