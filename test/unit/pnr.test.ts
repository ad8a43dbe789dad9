import fc from 'fast-check';
import { isIssuablePnr, PNR_HIGH, PNR_LOW, pnrFromDraw } from '../../domain/pnr';
import { randomPnr } from '../../db/repositories/pnrs';

describe('PNR format', () => {
  it('every draw in range is 10 digits with a non-zero first digit, and distinct draws give distinct PNRs', () => {
    fc.assert(
      fc.property(fc.integer({ min: PNR_LOW, max: PNR_HIGH - 1 }), fc.integer({ min: PNR_LOW, max: PNR_HIGH - 1 }), (a, b) => {
        const p = pnrFromDraw(a);
        expect(p).toMatch(/^[1-9][0-9]{9}$/);
        expect(isIssuablePnr(p)).toBe(true);
        expect(Number(p)).toBe(a);
        expect(pnrFromDraw(b) === p).toBe(a === b);
      }),
    );
  });

  it('refuses draws outside the range instead of issuing a short or long PNR', () => {
    for (const n of [0, PNR_LOW - 1, PNR_HIGH, 1.5, Number.NaN, -PNR_LOW]) expect(() => pnrFromDraw(n)).toThrow(RangeError);
    expect(pnrFromDraw(PNR_LOW)).toBe('1000000000');
    expect(pnrFromDraw(PNR_HIGH - 1)).toBe('9999999999');
  });

  it('only issues what the pnrs table accepts', () => {
    for (const p of ['0123456789', '123456789', '12345678901', '12345a7890', ' 1234567890']) expect(isIssuablePnr(p)).toBe(false);
    for (let i = 0; i < 1000; i++) expect(isIssuablePnr(randomPnr())).toBe(true);
  });

  it('random PNRs use the whole range: every first digit 1–9 appears', () => {
    const firsts = new Set(Array.from({ length: 2000 }, () => randomPnr()[0]));
    expect([...firsts].sort().join('')).toBe('123456789');
  });
});
