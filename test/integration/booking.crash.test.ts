// The worker process is killed (SIGKILL) between hold and confirmation, while
// a slow charge is in flight, and a new worker is started: the booking
// completes, the card is charged once, and nothing is recorded twice.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { api, CARDS, futureDate, passenger, registerTraveller, startStack, type Stack } from '../helpers/stack';

const repoRoot = path.resolve(__dirname, '..', '..');
let stack: Stack;
const workers: ChildProcess[] = [];

function startWorkerProcess(): ChildProcess {
  const { config } = stack;
  // `--import tsx` keeps the worker in this one process, so SIGKILL hits the worker itself.
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATABASE_URL: config.databaseUrl,
      REDIS_URL: config.redisUrl,
      TEMPORAL_ADDRESS: config.temporal.address,
      TEMPORAL_NAMESPACE: config.temporal.namespace,
      TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
      SMTP_URL: config.mail.smtpUrl ?? '',
      NODE_ENV: 'test',
    },
    stdio: 'ignore',
  });
  workers.push(child);
  return child;
}

beforeAll(async () => {
  // The worker process starts after the stack (slowly on a loaded machine): the first hold waits up to 60 s for it.
  stack = await startStack('crash', { PAYMENT_WAIT_SECONDS: '2', HOLD_TIMEOUT_MS: '60000' }, { worker: false });
});
afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await stack?.close();
});

const rows = async <T>(q: ReturnType<typeof sql>) => (await stack.db.db.execute(q)).rows as T[];

it('completes a booking whose worker was killed mid-payment, charging once', async () => {
  const first = startWorkerProcess();
  const traveller = await registerTraveller(stack, 'crash');
  const held = await api(stack, traveller.token).post('/bookings', {
    trainNumber: '12951',
    date: futureDate(45),
    classCode: '2A',
    from: 'MMCT',
    to: 'NDLS',
    passengers: [passenger('Kiran'), passenger('Lata')],
  });
  expect(held.status).toBe(201);
  const { pnr } = held.body;

  // The slow test card keeps the charge in flight for ~3 s; kill the worker during it.
  const paying = await api(stack, traveller.token).post(`/bookings/${pnr}/payment`, { card: CARDS.slow });
  expect(paying.status).toBe(202);
  expect(paying.body.status).toBe('payment_pending');
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));

  startWorkerProcess();
  const deadline = Date.now() + 90_000;
  let booking;
  for (;;) {
    booking = (await api(stack, traveller.token).get(`/bookings/${pnr}`)).body;
    // 503 SERVICE_UNAVAILABLE: the booking's actor did not answer in time (no worker yet); ask again.
    if ((booking.status !== 'payment_pending' && booking.error?.code !== 'SERVICE_UNAVAILABLE') || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  expect(booking.status).toBe('confirmed');

  const charges = await rows(sql`select id from payment_sandbox.charges where idempotency_key = ${`charge:${pnr}`} and status = 'succeeded'`);
  expect(charges).toHaveLength(1);
  expect(await rows(sql`select id from payments where pnr = ${pnr}`)).toHaveLength(1);
  expect(await rows(sql`select id from seat_allocations where pnr = ${pnr} and status = 'confirmed'`)).toHaveLength(2);
  expect(await rows(sql`select pnr from bookings where pnr = ${pnr} and status = 'confirmed'`)).toHaveLength(1);
  await stack.smtp.waitFor((m) => m.subject?.startsWith(`Ticket PNR ${pnr}`) === true, 30_000);
  expect(stack.smtp.messages.filter((m) => m.subject?.startsWith(`Ticket PNR ${pnr}`))).toHaveLength(1);
}, 150_000);
