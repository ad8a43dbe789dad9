// PNRs: 10 digits, the first never zero, so a PNR read back as a number (a
// spreadsheet, a phone keypad) keeps all ten digits. Where they come from —
// random draws made unique by the `pnrs` table, never reused — is in
// db/repositories/pnrs.ts; this module only says what a PNR may be.

/** The smallest and one past the largest PNR, as numbers. */
export const PNR_LOW = 1_000_000_000;
export const PNR_HIGH = 10_000_000_000;

const ISSUABLE = /^[1-9][0-9]{9}$/;

/** True for a PNR this system may issue (older ones may start with 0, see the `bookings` check). */
export function isIssuablePnr(pnr: string): boolean {
  return ISSUABLE.test(pnr);
}

/** The PNR for a draw in [PNR_LOW, PNR_HIGH); anything else is a bug in the caller. */
export function pnrFromDraw(n: number): string {
  if (!Number.isSafeInteger(n) || n < PNR_LOW || n >= PNR_HIGH) throw new RangeError(`PNR draw out of range: ${n}`);
  return String(n);
}
