// The API fuzzer (fuzz/) against a real stack: generated bad requests against every route of the OpenAPI
// document (wrong types, missing and extra fields, huge and broken bodies, bad and expired tokens, another
// traveller's PNR, ...). Any violation fails the test: a 5xx, a request unanswered within its deadline, an error
// body not of the documented shape, a code the README does not list or a status not its code's. The summary's
// samples say how to reproduce each (npm run fuzz -- --seed S --only I). Run dates: days 110–114 ahead.
import { fuzz, type Summary } from '../../fuzz/fuzzer';
import { FUZZ_STACK_OVERRIDES } from '../../fuzz/stack';
import { startStack, type Stack } from '../helpers/stack';

const COUNT = Number(process.env.FUZZ_COUNT ?? 1500);
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('fuzz', FUZZ_STACK_OVERRIDES);
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

it(`answers ${COUNT} generated bad requests on every route with documented errors only`, async () => {
  const summary: Summary = await fuzz({
    baseUrl: stack.baseUrl,
    secret: stack.config.jwt.secret,
    daysAhead: [110, 111, 112, 113, 114],
    count: COUNT,
    seed: SEED,
    concurrency: 4,
    deadlineMs: 10_000,
  });
  // Every route of the document was aimed at, and answered.
  for (const [route, r] of Object.entries(summary.perRoute)) expect({ route, requests: r.requests > 0 }).toEqual({ route, requests: true });
  expect(summary.requests + summary.notSent).toBe(COUNT);
  const found = summary.violations.samples.map((v) => ({ kind: v.kind, op: v.op, mutation: v.mutation, detail: v.detail, request: `${v.request.method} ${v.request.path}`, answer: v.answer, reproduce: v.reproduce }));
  expect({ violations: summary.violations.total, byKind: summary.violations.byKind, found }).toEqual({ violations: 0, byKind: {}, found: [] });
}, 240_000);
