// Answers during outages: each dependency down in turn, against the real
// components. Temporal: a dev server of this file's own (on a SQLite file, so
// its data survives a restart) is SIGKILLed and started again — never the
// shared test server. Redis and Postgres: an app pointed at a port where
// nothing listens. Every request gets a definite answer within its deadline:
// what can still be served is, the rest is 503 SERVICE_UNAVAILABLE with
// Retry-After; never a 500, never a hang.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { App } from '../../api/app';
import { ensureDevServer, type DevServerHandle } from '../../temporal/devServer';
import { testApp } from '../helpers/app';
import { api, CARDS, futureDate, passenger, registerTraveller, startStack, type Stack } from '../helpers/stack';

const repoRoot = path.resolve(__dirname, '..', '..');

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** A request over a real socket, timed. */
async function timed(stack: { baseUrl: string }, method: string, url: string, opts: { token?: string; body?: unknown } = {}) {
  const started = performance.now();
  const res = await fetch(`${stack.baseUrl}${url}`, {
    method,
    headers: {
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const body = (await res.json()) as any;
  return { status: res.status, body, retryAfter: res.headers.get('retry-after'), ms: performance.now() - started };
}

/** inject() on an app that does not listen, timed. */
async function injected(app: App, method: 'GET' | 'POST', url: string, opts: { token?: string; body?: object } = {}) {
  const started = performance.now();
  const res = await app.inject({ method, url, payload: opts.body, headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {} });
  return { status: res.statusCode, body: res.json(), retryAfter: res.headers['retry-after'], ms: performance.now() - started };
}

const holdBody = (date: string, name: string) => ({
  trainNumber: '12951',
  date,
  classCode: '3A',
  from: 'MMCT',
  to: 'NDLS',
  passengers: [passenger(name)],
});

describe('Temporal down (a server of our own, SIGKILLed and restarted)', () => {
  const date = futureDate(100);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'railbook-outage-'));
  const dbFile = path.join(dir, 'temporal.db');
  let address = '';
  let uiPort = 0;
  let server: DevServerHandle | null = null;
  let stack: Stack;

  const startServer = async () =>
    ensureDevServer({
      address,
      uiPort,
      namespace: 'railbook',
      dbFile,
      logFile: path.join(repoRoot, '.temporal', 'outage-test-server.log'),
      detached: false,
      log: () => undefined,
    });

  beforeAll(async () => {
    address = `127.0.0.1:${await freePort()}`;
    uiPort = await freePort();
    server = await startServer();
    stack = await startStack('outage', { TEMPORAL_ADDRESS: address });
  }, 60_000);

  afterAll(async () => {
    // Close the clients with the server up, whatever the test did: a client closed while its calls
    // are backing off against a dead server throws from its retry timer.
    if (!server) server = await startServer().catch(() => null);
    await stack?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 + Retry-After within 3 s, serves GET booking from the records, and is ready again within 10 s of the server', async () => {
    const traveller = await registerTraveller(stack, 'outage');
    const client = api(stack, traveller.token);
    // Before the outage: one confirmed booking, one held, and availability read once (kept as last known).
    const confirmed = await client.post('/bookings', holdBody(date, 'Ira'));
    expect(confirmed.status).toBe(201);
    expect((await client.post(`/bookings/${confirmed.body.pnr}/payment`, { card: CARDS.ok })).status).toBe(200);
    const held = await client.post('/bookings', holdBody(date, 'Kabir'));
    expect(held.status).toBe(201);
    const availability = `/trains/12951/availability?date=${date}&from=MMCT&to=NDLS&classCode=3A`;
    const before = await client.get(availability);
    expect(before.status).toBe(200);
    expect(before.body.stale).toBe(false);
    // The records are written by the actors (the held one shortly after the hold): wait until both show.
    const recorded = async () => {
      const list = await client.get('/bookings');
      const status = (pnr: string) => list.body.bookings.find((b: { pnr: string }) => b.pnr === pnr)?.status;
      return status(confirmed.body.pnr) === 'confirmed' && status(held.body.pnr) === 'held';
    };
    const deadline = Date.now() + 30_000;
    while (!(await recorded()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await recorded()).toBe(true);

    // The outage: SIGKILL, as in the incident.
    process.kill(server!.pid!, 'SIGKILL');
    await server!.stop(); // waits for the process to be gone
    server = null;

    const post = await timed(stack, 'POST', '/bookings', { token: traveller.token, body: holdBody(date, 'Leela') });
    expect(post.status).toBe(503);
    expect(post.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(Number(post.retryAfter)).toBeGreaterThan(0);
    expect(post.ms).toBeLessThan(3000);
    // The gate is closed now: the next ones are answered without trying Temporal.
    expect(stack.app.temporalGate.isDown).toBe(true);
    const again = await timed(stack, 'POST', '/bookings', { token: traveller.token, body: holdBody(date, 'Leela') });
    expect(again.status).toBe(503);
    expect(again.ms).toBeLessThan(3000);

    for (const [url, body] of [
      [`/bookings/${held.body.pnr}/payment`, { card: CARDS.ok }],
      [`/bookings/${held.body.pnr}/cancel`, {}],
    ] as const) {
      const res = await timed(stack, 'POST', url, { token: traveller.token, body });
      expect({ url, status: res.status, code: res.body.error?.code }).toEqual({ url, status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(res.retryAfter).not.toBeNull();
      expect(res.ms).toBeLessThan(3000);
    }

    const got = await timed(stack, 'GET', `/bookings/${confirmed.body.pnr}`, { token: traveller.token });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ pnr: confirmed.body.pnr, status: 'confirmed', source: 'records', stale: true, trainNumber: '12951' });
    expect(got.body.passengers[0]).toMatchObject({ name: 'Ira', coach: expect.any(String), berthNo: expect.any(Number) });
    expect(got.ms).toBeLessThan(3000);
    const heldNow = await timed(stack, 'GET', `/bookings/${held.body.pnr}`, { token: traveller.token });
    expect(heldNow.body).toMatchObject({ status: 'held', source: 'records', stale: true });
    // Someone else's booking stays invisible, outage or not.
    const stranger = await registerTraveller(stack, 'outage-stranger');
    expect((await timed(stack, 'GET', `/bookings/${held.body.pnr}`, { token: stranger.token })).status).toBe(404);

    // Availability: drop the fresh copy (as any change to the run through the API would), so the
    // answer must come from the last known one.
    await stack.app.availability.invalidate({ trainNumber: '12951', runDate: before.body.runDate, classCode: '3A' });
    // History is Postgres anyway.
    expect((await timed(stack, 'GET', '/bookings', { token: traveller.token })).status).toBe(200);
    // Availability: the last value read, marked stale; a run never read has none to give.
    const stale = await timed(stack, 'GET', availability);
    expect(stale.status).toBe(200);
    expect(stale.body.stale).toBe(true);
    expect(stale.body.classes[0]).toMatchObject({ classCode: '3A', stale: true, asOf: expect.any(String) });
    const never = await timed(stack, 'GET', `/trains/12951/availability?date=${futureDate(101)}&from=MMCT&to=NDLS&classCode=2A`);
    expect(never.status).toBe(503);
    expect(never.retryAfter).not.toBeNull();

    process.stderr.write(
      `[outage] Temporal down: POST /bookings 503 in ${Math.round(post.ms)} ms (then ${Math.round(again.ms)} ms, gate closed); ` +
        `GET /bookings/:pnr from the records in ${Math.round(got.ms)} ms; stale availability in ${Math.round(stale.ms)} ms\n`,
    );
    const notReady = await timed(stack, 'GET', '/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks).toMatchObject({ temporal: { ok: false }, postgres: { ok: true }, redis: { ok: true } });
    expect(notReady.ms).toBeLessThan(3500);

    // The server comes back with its data; readiness follows within 10 s.
    server = await startServer();
    const back = performance.now();
    let ready = await timed(stack, 'GET', '/readyz');
    while (ready.status !== 200 && performance.now() - back < 15_000) {
      await new Promise((r) => setTimeout(r, 100));
      ready = await timed(stack, 'GET', '/readyz');
    }
    const recoveryMs = performance.now() - back;
    process.stderr.write(`[outage] readiness recovered ${Math.round(recoveryMs)} ms after the Temporal server was back\n`);
    expect(ready.status).toBe(200);
    expect(recoveryMs).toBeLessThan(10_000);

    // And the booking is live again, from its actor (which survived in the server's database).
    const live = await client.get(`/bookings/${confirmed.body.pnr}`);
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ status: 'confirmed', source: 'live' });
    expect(live.body.stale).toBeUndefined();
  }, 120_000);
});

describe('Redis down (nothing listens on its port)', () => {
  let stack: Stack;
  let app: App;
  beforeAll(async () => {
    stack = await startStack('outage-redis');
    // Same task queue as the stack's worker, which serves the inventory and booking actors.
    app = await testApp({
      REDIS_URL: 'redis://127.0.0.1:6399/0',
      TEMPORAL_TASK_QUEUE: stack.config.temporal.taskQueue,
      RATE_LIMIT_WRITES_PER_USER: '1',
      RATE_LIMIT_LOGINS_PER_ACCOUNT: '1',
    });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await stack?.close();
  });

  it('keeps catalog, bookings and logins working; the rate limiter fails open; readiness names Redis', async () => {
    const traveller = await registerTraveller(stack, 'outage-redis');
    const date = futureDate(101);

    expect((await injected(app, 'GET', '/stations/NDLS')).status).toBe(200);
    const avail = await injected(app, 'GET', `/trains/12951/availability?date=${date}&from=MMCT&to=NDLS&classCode=3A`);
    expect(avail.status).toBe(200);

    // Booking needs no Redis: the PNR and idempotency keys are in Postgres, the cache is best effort.
    const hold = await injected(app, 'POST', '/bookings', { token: traveller.token, body: holdBody(date, 'Nisha') });
    expect(hold.status).toBe(201);
    expect(hold.ms).toBeLessThan(5000);
    const got = await injected(app, 'GET', `/bookings/${hold.body.pnr}`, { token: traveller.token });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ pnr: hold.body.pnr, status: 'held' });

    // Limits of 1 per window would refuse the second write of each pair, but the limiter cannot count: open.
    const second = await injected(app, 'POST', '/bookings', { token: traveller.token, body: holdBody(date, 'Om') });
    expect(second.status).toBe(201);
    const logins = [];
    for (let i = 0; i < 3; i++) {
      logins.push(await injected(app, 'POST', '/auth/login', { body: { email: traveller.email, password: 'password1' } }));
    }
    expect(logins.map((l) => l.status)).toEqual([200, 200, 200]);
    expect(Math.max(...logins.map((l) => l.ms))).toBeLessThan(2000);

    const ready = await injected(app, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toMatchObject({ redis: { ok: false }, postgres: { ok: true }, temporal: { ok: true } });
    expect(ready.ms).toBeLessThan(3500);
    process.stderr.write(`[outage] Redis down: hold ${Math.round(hold.ms)} ms, logins ≤ ${Math.round(Math.max(...logins.map((l) => l.ms)))} ms, /readyz ${Math.round(ready.ms)} ms\n`);
  }, 60_000);
});

describe('Postgres down (nothing listens on its port)', () => {
  let app: App;
  beforeAll(async () => {
    app = await testApp({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5499/railbook_gone' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers 503 + Retry-After at once for what needs Postgres, never 500 or a hang', async () => {
    const token = app.jwt.sign({ sub: 1, email: 'someone@example.test', role: 'traveller' });
    const cases: [string, 'GET' | 'POST', string, object | undefined][] = [
      ['station lookup', 'GET', '/stations/NDLS', undefined],
      ['train search', 'GET', `/trains/search?from=MMCT&to=NDLS&date=${futureDate(102)}`, undefined],
      ['login', 'POST', '/auth/login', { email: 'someone@example.test', password: 'password1' }],
      ['hold', 'POST', '/bookings', holdBody(futureDate(102), 'Pia')],
      ['history', 'GET', '/bookings', undefined],
    ];
    const times: string[] = [];
    for (const [what, method, url, body] of cases) {
      const res = await injected(app, method, url, { token, body });
      times.push(`${what} ${Math.round(res.ms)} ms`);
      expect({ what, status: res.status, code: res.body.error?.code }).toEqual({ what, status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(Number(res.retryAfter)).toBeGreaterThan(0);
      expect(res.ms).toBeLessThan(3000);
    }
    process.stderr.write(`[outage] Postgres down, 503 in: ${times.join(', ')}\n`);
    // The first refusal closed the gate: the pool now refuses without trying to connect.
    expect(app.postgresGate.isDown).toBe(true);
    expect((await injected(app, 'GET', '/healthz')).status).toBe(200);
    const ready = await injected(app, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toMatchObject({ postgres: { ok: false }, redis: { ok: true }, temporal: { ok: true } });
  });
});
