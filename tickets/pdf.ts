// Lays out an e-ticket as a one-page A4 PDF (pdfkit) with its signed QR code
// as a PNG image (qrcode). What it shows is decided in tickets/issue.ts and
// domain/eticket.ts; this module only draws.
//
// The standard PDF fonts (Helvetica, read by pdfkit from its own AFM files)
// cover the Windows-1252 characters only: other characters of a passenger's
// name print as "?" here; the QR code carries the name as given.
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { StopRef } from '../contracts/booking';
import { fareLines, formatRupees, QUOTA_NAMES, type FareBreakdown } from '../domain/eticket';
import type { Quota } from '../domain/types';

export interface TicketDocument {
  pnr: string;
  trainNumber: string;
  trainName: string;
  runDate: string;
  classCode: string;
  quota: Quota;
  from: StopRef;
  to: StopRef;
  passengers: { name: string; age: number; gender: string; status: string }[];
  /** By component; null when it cannot be shown (the fare rules no longer give the amount charged). */
  fare: FareBreakdown | null;
  fareTotal: number;
  amountPaid: number;
  /** Epoch ms this copy was made. */
  issuedAt: number;
  /** The signed QR text (tickets/signing.ts). */
  qr: string;
}

/** Windows-1252 beyond Latin-1: the characters the standard fonts have in 0x80–0x9F. */
const CP1252_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const printable = (c: string) => {
  const code = c.codePointAt(0) ?? 0;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || CP1252_EXTRA.has(c);
};

/** The text with every character the standard fonts cannot draw replaced by "?". */
export function pdfSafe(text: string): string {
  return Array.from(text, (c) => (printable(c) ? c : '?')).join('');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2026-12-24T16:35+05:30" → "24 Dec 2026 16:35"; a date alone → "24 Dec 2026". */
export function showLocal(iso: string): string {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T([0-9]{2}:[0-9]{2}))?/.exec(iso);
  if (!m) return iso;
  const date = `${Number(m[3])} ${MONTHS[Number(m[2]) - 1] ?? m[2]} ${m[1]}`;
  return m[4] ? `${date} ${m[4]}` : date;
}

/** Epoch ms as Indian Standard Time. */
export function showIst(ms: number): string {
  return `${showLocal(new Date(ms + 330 * 60_000).toISOString())} IST`;
}

const GENDERS: Record<string, string> = { M: 'Male', F: 'Female', T: 'Transgender' };

export async function renderTicketPdf(t: TicketDocument): Promise<Buffer> {
  // Margin 4 modules: the quiet zone a scanner needs; error correction M survives a crease or a smudge.
  const qrPng = await QRCode.toBuffer(t.qr, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 4 });
  const doc = new PDFDocument({
    size: 'A4',
    margin: 40,
    info: { Title: `Railbook e-ticket PNR ${t.pnr}`, Author: 'Railbook', Subject: `Train ${t.trainNumber} on ${t.runDate}` },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const left = 40;
  const width = doc.page.width - 80;
  const qrSize = 150;
  const qrX = doc.page.width - 40 - qrSize;
  const textWidth = qrX - left - 16;
  const label = (x: number, y: number, text: string) => doc.font('Helvetica').fontSize(8).fillColor('#555555').text(text, x, y);
  const value = (x: number, y: number, text: string, w: number, size = 11) =>
    doc.font('Helvetica-Bold').fontSize(size).fillColor('#000000').text(pdfSafe(text), x, y, { width: w });

  doc.font('Helvetica-Bold').fontSize(18).text('Railbook e-ticket', left, 40);
  doc.font('Helvetica').fontSize(9).fillColor('#555555').text('Electronic reservation slip. Carry a photo ID of each passenger.', left, 62);
  doc.image(qrPng, qrX, 40, { width: qrSize, height: qrSize });

  label(left, 84, 'PNR');
  value(left, 94, t.pnr, textWidth, 16);
  label(left + 150, 84, 'TRAIN');
  value(left + 150, 94, `${t.trainNumber} ${t.trainName}`, textWidth - 150);
  label(left, 122, 'RUN DATE');
  value(left, 132, showLocal(t.runDate), 110);
  label(left + 110, 122, 'CLASS');
  value(left + 110, 132, t.classCode, 60);
  label(left + 170, 122, 'QUOTA');
  value(left + 170, 132, `${t.quota} (${QUOTA_NAMES[t.quota]})`, textWidth - 170);
  label(left, 158, 'FROM');
  value(left, 168, `${t.from.name} (${t.from.code})`, textWidth / 2 - 8, 10);
  doc.font('Helvetica').fontSize(9).text(`departs ${showLocal(t.from.time)}`, left, doc.y + 1);
  label(left + textWidth / 2, 158, 'TO');
  value(left + textWidth / 2, 168, `${t.to.name} (${t.to.code})`, textWidth / 2, 10);
  doc.font('Helvetica').fontSize(9).text(`arrives ${showLocal(t.to.time)}`, left + textWidth / 2, doc.y + 1);

  // Passengers.
  let y = 215;
  doc.moveTo(left, y - 6).lineTo(left + width, y - 6).strokeColor('#999999').stroke();
  doc.font('Helvetica-Bold').fontSize(11).fillColor('#000000').text('Passengers', left, y);
  y += 18;
  const cols = [left, left + 24, left + 250, left + 290, left + 360];
  const header = ['#', 'Name', 'Age', 'Gender', 'Booking status'];
  header.forEach((h, i) => label(cols[i] ?? left, y, h.toUpperCase()));
  y += 13;
  t.passengers.forEach((p, i) => {
    doc.font('Helvetica').fontSize(10).fillColor('#000000');
    doc.text(String(i + 1), cols[0] ?? left, y);
    doc.text(pdfSafe(p.name), cols[1] ?? left, y, { width: 220, lineBreak: false, ellipsis: true });
    doc.text(String(p.age), cols[2] ?? left, y);
    doc.text(GENDERS[p.gender] ?? p.gender, cols[3] ?? left, y);
    doc.font('Helvetica-Bold').text(p.status, cols[4] ?? left, y);
    y += 16;
  });

  // Fare.
  y += 12;
  doc.moveTo(left, y - 6).lineTo(left + width, y - 6).strokeColor('#999999').stroke();
  doc.font('Helvetica-Bold').fontSize(11).fillColor('#000000').text('Fare', left, y);
  y += 18;
  const amountX = left + 200;
  const line = (text: string, amount: number, bold = false) => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(10).fillColor('#000000');
    doc.text(text, left, y);
    doc.text(formatRupees(amount), amountX, y, { width: 100, align: 'right' });
    y += 15;
  };
  if (t.fare) {
    for (const l of fareLines(t.fare)) line(l.label, l.paise, l.label === 'Total fare');
  } else {
    line('Total fare', t.fareTotal, true);
    doc.font('Helvetica').fontSize(8).fillColor('#555555').text('Breakdown not available for this booking.', left, y);
    y += 13;
  }
  line('Amount paid', t.amountPaid, true);

  y += 12;
  doc.moveTo(left, y - 6).lineTo(left + width, y - 6).strokeColor('#999999').stroke();
  doc.font('Helvetica').fontSize(9).fillColor('#000000').text(`Issued ${showIst(t.issuedAt)}`, left, y);
  doc
    .fontSize(8)
    .fillColor('#555555')
    .text(
      'The QR code holds a signed copy of this ticket (PNR, train, date, class, stations, passengers and their status, amount paid). ' +
        "A ticket examiner's app verifies it offline; staff can also check it against the booking's current status.",
      left,
      y + 14,
      { width },
    );
  doc.end();
  return done;
}
