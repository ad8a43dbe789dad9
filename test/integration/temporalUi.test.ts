// What support staff see: a booking made and paid through the API is found in
// the real Temporal Web UI (the test dev server's, port 8243) by filtering the
// workflow list on its Pnr search attribute, and its page shows the booking
// summary. (A hold nobody pays has no workflow: docs/architecture.md.)
// Drives headless Chromium; a machine without one fails this test with
// scripts/ensure-chromium.sh's message (it installs Debian's chromium as root).
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { api, CARDS, futureDate, passenger, registerTraveller, startStack, type Stack } from '../helpers/stack';
import { screenshotBookingInUi } from '../ui/temporalUi';

const repoRoot = path.resolve(__dirname, '..', '..');

let stack: Stack;
let traveller: Awaited<ReturnType<typeof registerTraveller>>;

beforeAll(async () => {
  stack = await startStack('ui');
  traveller = await registerTraveller(stack, 'ui');
});
afterAll(async () => {
  await stack?.close();
});

/** Runs scripts/ensure-chromium.sh (async: the worker shares this event loop); fails with its message. */
function ensureChromium(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('sh', [path.join(repoRoot, 'scripts', 'ensure-chromium.sh')], { timeout: 300_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`no Chromium for the UI test (scripts/ensure-chromium.sh exited ${err.code ?? err.signal}):\n${stderr.trim()}`));
      else resolve(stdout.trim().split('\n').pop() ?? '');
    });
  });
}

it('finds the booking workflow in the Temporal UI by its Pnr and screenshots it', async () => {
  // A date no other test file books on, so inventories never collide.
  const date = futureDate(60);
  const held = await api(stack, traveller.token).post('/bookings', {
    trainNumber: '12951',
    date,
    classCode: '3A',
    from: 'MMCT',
    to: 'NDLS',
    passengers: [passenger('Asha', 34), passenger('Ravi', 66, 'M')],
  });
  expect(held.status).toBe(201);
  const pnr: string = held.body.pnr;
  expect(pnr).toMatch(/^\d{10}$/);
  // The booking's actor starts with its payment.
  const paid = await api(stack, traveller.token).post(`/bookings/${pnr}/payment`, { card: CARDS.ok });
  expect(paid.body.status).toBe('confirmed');

  const chromiumPath = await ensureChromium();
  const uiPort = process.env.TEMPORAL_UI_PORT;
  if (!uiPort) throw new Error('TEMPORAL_UI_PORT is not set (the integration global setup sets it)');
  const outFile = path.join(repoRoot, 'var', 'screenshots', `booking-${pnr}.png`);
  const workflowOutFile = path.join(repoRoot, 'var', 'screenshots', `booking-${pnr}-workflow.png`);

  const result = await screenshotBookingInUi({
    uiUrl: `http://127.0.0.1:${uiPort}`,
    namespace: stack.config.temporal.namespace,
    pnr,
    outFile,
    workflowOutFile,
    chromiumPath,
  });

  expect(result.foundRow).toBe(true);
  expect(decodeURIComponent(result.url)).toContain(`Pnr = '${pnr}'`);
  expect((await stat(outFile)).size).toBeGreaterThan(10_000);
  expect(result.foundSummary).toBe(true);
  expect(result.workflowUrl).toContain(`/workflows/booking-${pnr}/`);
  expect((await stat(workflowOutFile)).size).toBeGreaterThan(10_000);
}, 360_000);
