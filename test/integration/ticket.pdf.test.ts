// The e-ticket end to end on the real stack: book and pay, download the PDF as its owner (parsed, its QR
// code decoded from the embedded image), the same refusals as GET /bookings/:pnr for anyone else, the staff
// verify endpoint accepting that QR code and refusing a tampered one, a cancelled booking's ticket still
// signed but not accepted, and the PDF attached to the ticket email. Run dates: days 130–134 ahead.
import { formatRupees } from '../../domain/eticket';
import { qrOf, readPdf } from '../helpers/pdf';
import { staffToken } from '../helpers/staff';
import { api, CARDS, futureDate, passenger, registerTraveller, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
let owner: Awaited<ReturnType<typeof registerTraveller>>;
let other: Awaited<ReturnType<typeof registerTraveller>>;
let support: string;

beforeAll(async () => {
  // Days 130–134 lie past the 60-day advance reservation period.
  stack = await startStack('ticket', { PAYMENT_WAIT_SECONDS: '20', BOOKING_ADVANCE_DAYS: '200', TICKET_PDF_ATTACH: 'on' });
  owner = await registerTraveller(stack, 'ticket-owner');
  other = await registerTraveller(stack, 'ticket-other');
  support = (await staffToken(stack, 'support')).token;
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

const book = (date: string, passengers = [passenger('Asha Rao', 34), passenger('Ravi Kumar', 66, 'M')]) =>
  api(stack, owner.token).post('/bookings', { trainNumber: '12951', date, classCode: '3A', from: 'MMCT', to: 'NDLS', passengers });

/** GET the PDF with fetch: the answer is binary unless it is an error. */
async function ticketPdf(pnr: string, token?: string) {
  const res = await fetch(`${stack.baseUrl}/bookings/${pnr}/ticket.pdf`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, type, disposition: res.headers.get('content-disposition'), body, json: type.includes('json') ? JSON.parse(body.toString()) : null };
}

const verify = (qr: unknown, token = support) => api(stack, token).post('/support/tickets/verify', { qr });

/** Changes one character of the body part (third of RB1.<key id>.<body>.<signature>). */
function tamper(qr: string): string {
  const parts = qr.split('.');
  const body = parts[2]!;
  const at = Math.floor(body.length / 2);
  parts[2] = body.slice(0, at) + (body[at] === 'A' ? 'B' : 'A') + body.slice(at + 1);
  return parts.join('.');
}

describe('e-ticket PDF', () => {
  let pnr: string;
  let confirmed: any;
  let qr: string;

  beforeAll(async () => {
    const held = await book(futureDate(130));
    expect([held.status, held.body.error]).toEqual([201, undefined]);
    pnr = held.body.pnr;
    const paid = await api(stack, owner.token).post(`/bookings/${pnr}/payment`, { card: CARDS.ok });
    expect(paid.status).toBe(200);
    expect(paid.body.status).toBe('confirmed');
    confirmed = paid.body;
  }, 60_000);

  it("gives the owner a PDF that parses, shows the PNR and each passenger's status, with a QR code the verify endpoint accepts", async () => {
    const res = await ticketPdf(pnr, owner.token);
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/pdf');
    expect(res.disposition).toBe(`attachment; filename="railbook-ticket-${pnr}.pdf"`);
    const read = await readPdf(res.body);
    expect(read.text).toContain(pnr);
    expect(read.text).toContain('12951');
    expect(read.text).toContain('GN (General)');
    for (const p of confirmed.passengers) expect(read.text).toContain(`CNF ${p.coach}/${p.berthNo}${p.berthType ? ` ${p.berthType}` : ''}`);
    expect(read.text).toContain('GST'); // 3A: the breakdown, which the fare rules still give for this booking
    expect(read.text).toContain(formatRupees(confirmed.amountPaid));

    qr = qrOf(read) ?? '';
    expect(qr).toMatch(/^RB1\./);
    const checked = await verify(qr);
    expect(checked.status).toBe(200);
    expect(checked.body).toMatchObject({
      valid: true,
      accept: true,
      version: 1,
      ticket: {
        pnr,
        trainNumber: '12951',
        runDate: confirmed.runDate,
        classCode: '3A',
        quota: 'GN',
        from: 'MMCT',
        to: 'NDLS',
        amountPaid: confirmed.amountPaid,
        passengers: confirmed.passengers.map((p: any) => ({ name: p.name, age: p.age, gender: p.gender, status: expect.stringMatching(`^CNF ${p.coach}/${p.berthNo}`) })),
      },
      booking: { found: true, status: 'confirmed' },
    });
  });

  it('refuses a tampered QR code, and anything that is not one, with a reason', async () => {
    expect(qr).not.toBe('');
    const tampered = await verify(tamper(qr));
    expect(tampered.status).toBe(200);
    expect(tampered.body).toMatchObject({ valid: false, accept: false, reason: 'BAD_SIGNATURE' });
    expect(tampered.body.ticket).toBeUndefined();
    expect((await verify('https://example.test/not-a-ticket')).body).toMatchObject({ valid: false, reason: 'MALFORMED' });
    const signedElsewhere = qr.split('.');
    signedElsewhere[1] = '00000000';
    expect((await verify(signedElsewhere.join('.'))).body).toMatchObject({ valid: false, reason: 'UNKNOWN_KEY' });
  });

  it('answers bad verify requests with 4xx and stable codes', async () => {
    expect((await verify(qr, owner.token)).status).toBe(403);
    const anonymous = await api(stack).post('/support/tickets/verify', { qr });
    expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'UNAUTHORIZED']);
    for (const body of [{}, { qr: { text: qr } }, { qr: '' }, { qr, extra: true }, { qr: 'A'.repeat(5000) }]) {
      const res = await api(stack, support).post('/support/tickets/verify', body);
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    }
  });

  it("refuses someone else's ticket exactly as GET /bookings/:pnr refuses the booking; staff may read it", async () => {
    const theirs = await ticketPdf(pnr, other.token);
    const booking = await api(stack, other.token).get(`/bookings/${pnr}`);
    expect([theirs.status, theirs.json.error.code]).toEqual([booking.status, booking.body.error.code]);
    expect(theirs.status).toBe(404);
    expect(theirs.json.error.code).toBe('BOOKING_NOT_FOUND');
    const anonymous = await ticketPdf(pnr);
    expect([anonymous.status, anonymous.json.error.code]).toEqual([401, 'UNAUTHORIZED']);
    const unknown = await ticketPdf('1000000001', owner.token);
    expect([unknown.status, unknown.json.error.code]).toEqual([404, 'BOOKING_NOT_FOUND']);
    const badPnr = await ticketPdf('12345', owner.token);
    expect([badPnr.status, badPnr.json.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    const staff = await ticketPdf(pnr, support);
    expect([staff.status, staff.type]).toEqual([200, 'application/pdf']);
  });

  it('attaches the PDF to the ticket email, with a QR code that verifies', async () => {
    const mail = await stack.smtp.waitFor((m) => m.subject?.startsWith('Ticket') === true && m.subject.includes(pnr));
    const attached = mail.attachments.filter((a) => a.contentType === 'application/pdf');
    expect(attached.map((a) => a.filename)).toEqual([`railbook-ticket-${pnr}.pdf`]);
    const read = await readPdf(attached[0]!.content);
    expect(read.text).toContain(pnr);
    expect(read.text).toContain('CNF');
    const mailed = qrOf(read);
    expect((await verify(mailed)).body).toMatchObject({ valid: true, accept: true, ticket: { pnr } });
  });

  it("says a cancelled booking's ticket is validly signed but not to be honoured, and issues no new one", async () => {
    const cancelled = await api(stack, owner.token).post(`/bookings/${pnr}/cancel`, { reason: 'plans changed' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const checked = await verify(qr);
    expect(checked.body).toMatchObject({ valid: true, accept: false, booking: { found: true, status: 'cancelled' } });
    expect(checked.body.message).toContain('cancelled');
    const res = await ticketPdf(pnr, owner.token);
    expect([res.status, res.json.error.code]).toEqual([409, 'TICKET_NOT_ISSUED']);
  });
});

it('has no ticket for a booking that is only held', async () => {
  const held = await book(futureDate(131), [passenger('Meera', 29)]);
  expect([held.status, held.body.error]).toEqual([201, undefined]);
  // The held record may be written a moment after the hold answers (by the booking's actor): until then, 404.
  let res = await ticketPdf(held.body.pnr, owner.token);
  for (let i = 0; i < 40 && res.status === 404; i++) {
    await new Promise((r) => setTimeout(r, 250));
    res = await ticketPdf(held.body.pnr, owner.token);
  }
  expect([res.status, res.json.error.code, res.json.error.details]).toEqual([409, 'TICKET_NOT_ISSUED', { status: 'held' }]);
});
