// The fuzzer's oracle (fuzz/oracle.ts): what it calls a violation, on hand-made answers.
import { documentedCodesFromReadme, judge, type Outcome, type Rules } from '../../fuzz/oracle';

const rules: Rules = {
  errorStatus: { VALIDATION_ERROR: 400, NOT_FOUND: 404, BOOKING_NOT_FOUND: 404, UNAUTHORIZED: 401, METHOD_NOT_ALLOWED: 405, RATE_LIMITED: 429 },
  documentedCodes: new Set(['VALIDATION_ERROR', 'NOT_FOUND', 'BOOKING_NOT_FOUND', 'UNAUTHORIZED', 'RATE_LIMITED']),
};
const json = { 'content-type': 'application/json; charset=utf-8' };
const answer = (status: number, body: unknown, headers: Record<string, string> = json): Outcome => ({
  kind: 'answer',
  ms: 5,
  answer: { status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) },
});
const err = (code: string) => ({ error: { code, message: 'm' }, requestId: 'req-1' });
const req = { method: 'GET', documentedStatuses: [200, 400, 404] };
const kinds = (o: Outcome, r: Parameters<typeof judge>[1] = req) => judge(o, r, rules).map((v) => v.kind);

describe('fuzz oracle', () => {
  it('accepts a documented error of the right shape and status', () => {
    expect(kinds(answer(400, err('VALIDATION_ERROR')))).toEqual([]);
    expect(kinds(answer(200, { ok: true }))).toEqual([]);
  });

  it('flags 5xx, hangs and lost connections', () => {
    expect(kinds(answer(500, { error: { code: 'INTERNAL_ERROR', message: 'x' }, requestId: 'r' }))).toContain('server-error');
    // A 503 is the defined answer to a slow dependency only with its code and Retry-After.
    const unavailable = { error: { code: 'SERVICE_UNAVAILABLE', message: 'x' }, requestId: 'r' };
    const r503 = { ...rules, errorStatus: { ...rules.errorStatus, SERVICE_UNAVAILABLE: 503 }, documentedCodes: new Set([...rules.documentedCodes, 'SERVICE_UNAVAILABLE']) };
    expect(judge(answer(503, unavailable, { ...json, 'retry-after': '5' }), { ...req, documentedStatuses: [200, 503] }, r503).map((v) => v.kind)).toEqual([]);
    expect(judge(answer(503, unavailable), { ...req, documentedStatuses: [200, 503] }, r503).map((v) => v.kind)).toContain('server-error');
    expect(kinds({ kind: 'timeout', ms: 10_000 })).toEqual(['hang']);
    expect(kinds({ kind: 'network', error: 'ECONNRESET', ms: 3 })).toEqual(['no-answer']);
    // ...unless the request was too big to be read whole
    expect(kinds({ kind: 'network', error: 'EPIPE', ms: 3 }, { ...req, mayBeCutOff: true })).toEqual([]);
  });

  it('flags error bodies of another shape, codes the README does not list and statuses not the code\'s', () => {
    expect(kinds(answer(400, { error: 'Bad Request', message: 'x', statusCode: 400 }))).toEqual(['error-shape']);
    expect(kinds(answer(400, '', {}))).toEqual(['error-shape']);
    expect(kinds(answer(404, err('METHOD_NOT_ALLOWED')))).toEqual(['undocumented-code']);
    expect(kinds(answer(400, err('NOT_FOUND')))).toEqual(['status-code-mismatch']);
  });

  it('holds each route to its documented statuses, except answers any route may give', () => {
    expect(kinds(answer(401, err('UNAUTHORIZED')))).toEqual(['status-not-documented']);
    expect(kinds(answer(429, err('RATE_LIMITED')))).toEqual([]);
    expect(kinds(answer(404, err('NOT_FOUND')), { ...req, documentedStatuses: [200] })).toEqual([]);
  });

  it('checks what a request expects, and lets a 429 through', () => {
    const expect404 = { ...req, expect: { statuses: [404, 403], codes: ['BOOKING_NOT_FOUND'], why: "another traveller's PNR" } };
    expect(kinds(answer(200, { pnr: '1' }), expect404)).toEqual(['unexpected-answer']);
    expect(kinds(answer(404, err('BOOKING_NOT_FOUND')), expect404)).toEqual([]);
    expect(kinds(answer(429, err('RATE_LIMITED')), expect404)).toEqual([]);
  });

  it('reads the codes from the README paragraph', () => {
    const readme = 'Intro `NOT_A_CODE_HERE`\n\nError codes: `VALIDATION_ERROR`, `INVALID_JSON` (400); `UNAUTHORIZED` (401).\n\nNext `OTHER`';
    expect([...documentedCodesFromReadme(readme)]).toEqual(['VALIDATION_ERROR', 'INVALID_JSON', 'UNAUTHORIZED']);
  });
});
