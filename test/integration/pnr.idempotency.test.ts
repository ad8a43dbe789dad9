// PNRs and Idempotency-Key answers live in Postgres; Redis is only a cache
// (docs/architecture.md, "PNRs, idempotency and Redis"). These tests issue
// PNRs by the hundred at once, and flush Redis — or run with no Redis at all —
// between a hold and its retries, reads and payments: nothing may be lost,
// nothing done twice.
//
// The file flushes Redis on purpose, so its stack gets a logical Redis db of
// its own (TEST_PNR_REDIS_URL, else the shared test db's number + 8, mod 16):
// flushing the db the other files share would reset their rate limits mid-test.
import { randomInt } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { buildApp, type App } from '../../api/app';
import errorHandler from '../../api/plugins/errorHandler';
import { withIdempotency } from '../../api/services/idempotency';
import { bookingWorkflowId, inventorySummaryQuery, inventoryWorkflowId } from '../../contracts';
import { createDb, type DbHandle } from '../../db/client';
import { claimKey } from '../../db/repositories/idempotency';
import { allocatePnr, randomPnr } from '../../db/repositories/pnrs';
import { isIssuablePnr } from '../../domain/pnr';
import { testConfig } from '../helpers/config';
import { CARDS, futureDate, passenger, registerTraveller, startStack, type Stack } from '../helpers/stack';

function ownRedisUrl(): string {
  if (process.env.TEST_PNR_REDIS_URL) return process.env.TEST_PNR_REDIS_URL;
  const u = new URL(testConfig().redisUrl);
  u.pathname = `/${(Number(u.pathname.slice(1) || '0') + 8) % 16}`;
  return u.toString();
}

let stack: Stack;
let redis: Redis;
let db: DbHandle;
let openGate: () => void = () => undefined;
const gate = new Promise<void>((r) => (openGate = r));

beforeAll(async () => {
  const redisUrl = ownRedisUrl();
  expect(redisUrl).not.toBe(testConfig().redisUrl);
  redis = new Redis(redisUrl);
  await redis.flushdb();
  // The inventory's start of booking actors is held back for the whole file: every booking here is
  // between its hold and its actor's start unless the traveller's own request starts the actor.
  stack = await startStack('pnrIdem', { REDIS_URL: redisUrl, PAYMENT_WAIT_SECONDS: '20' }, {
    workerOptions: {
      wrapActivities: (a) => ({
        ...a,
        async startBookingActors(input) {
          await gate;
          return a.startBookingActors(input);
        },
      }),
    },
  });
  db = createDb(stack.config.databaseUrl, { max: 16 });
});
afterAll(async () => {
  openGate();
  await stack?.close();
  await db?.close();
  redis?.disconnect();
});

const flush = async () => expect(await redis.flushdb()).toBe('OK');
const count = async (q: ReturnType<typeof sql>) => Number(((await db.db.execute(q)).rows[0] as { n: number }).n);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/** HTTP with the answer's headers (Retry-After, Idempotent-Replayed). */
async function call(baseUrl: string, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

const holdBody = (daysAhead: number, name: string) => ({
  trainNumber: '12951',
  date: futureDate(daysAhead),
  classCode: '3A',
  from: 'MMCT',
  to: 'NDLS',
  passengers: [passenger(name)],
});

async function notStarted(pnr: string): Promise<void> {
  await expect(stack.client.workflow.getHandle(bookingWorkflowId(pnr)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
}

async function chargedOnce(pnr: string, fareTotal: number): Promise<void> {
  expect(await count(sql`select count(*)::int as n from payment_sandbox.charges where idempotency_key = ${`charge:${pnr}`}`)).toBe(1);
  expect(await count(sql`select count(*)::int as n from payment_sandbox.charges where idempotency_key = ${`charge:${pnr}`} and status = 'succeeded' and amount = ${fareTotal}`)).toBe(1);
  expect(await count(sql`select count(*)::int as n from payments where pnr = ${pnr}`)).toBe(1);
  expect(await count(sql`select count(*)::int as n from bookings where pnr = ${pnr} and status = 'confirmed' and amount_paid = ${fareTotal}`)).toBe(1);
}

describe('PNRs', () => {
  it('issues 500 PNRs at once, all distinct and recorded, and never issues one twice', async () => {
    const { userId } = await registerTraveller(stack, 'pnr-alloc');
    const owner = { inventoryWorkflowId: 'inventory-pnr-test-a', userId };
    const issued = await Promise.all(Array.from({ length: 500 }, () => allocatePnr(db.db, owner)));
    expect(issued.every((p) => p !== null && isIssuablePnr(p))).toBe(true);
    expect(new Set(issued).size).toBe(500);
    expect(await count(sql`select count(*)::int as n from pnrs where inventory_workflow_id = ${owner.inventoryWorkflowId}`)).toBe(500);

    // Under contention for a pool of 600 candidates, the primary key decides: each PNR goes to one
    // allocation, and redrawing after a collision lets far more than the ~340 that one draw each
    // would get (600 · (1 − (599/600)^500)) through.
    const pool = Array.from({ length: 600 }, (_, i) => String(1_234_500_000 + i));
    const contender = { inventoryWorkflowId: 'inventory-pnr-test-b', userId };
    const contended = await Promise.all(Array.from({ length: 500 }, () => allocatePnr(db.db, contender, () => pool[randomInt(pool.length)] as string)));
    const won = contended.filter((p): p is string => p !== null);
    expect(new Set(won).size).toBe(won.length);
    expect(won.length).toBeGreaterThan(400);
    expect(await count(sql`select count(*)::int as n from pnrs where inventory_workflow_id = ${contender.inventoryWorkflowId}`)).toBe(won.length);

    // A draw that offers PNRs already issued gets a fresh one; the old rows are untouched.
    const taken = issued.slice(0, 5) as string[];
    let offered = 0;
    const fresh = await allocatePnr(db.db, { inventoryWorkflowId: 'inventory-pnr-test-c', userId }, () => (offered < taken.length ? (taken[offered++] as string) : randomPnr()));
    expect(offered).toBe(5);
    expect(taken).not.toContain(fresh);
    expect(await count(sql`select count(*)::int as n from pnrs where pnr in (${sql.join(taken.map((p) => sql`${p}`), sql`, `)}) and inventory_workflow_id = ${owner.inventoryWorkflowId}`)).toBe(5);
    // Only taken PNRs on offer: no PNR rather than a reused one (the API answers 503).
    expect(await allocatePnr(db.db, owner, () => taken[0] as string)).toBeNull();
  });

  it('a hold records its PNR with the inventory that holds it, even with Redis flushed at once', async () => {
    const t = await registerTraveller(stack, 'pnr-record');
    const held = await call(stack.baseUrl, t.token, 'POST', '/bookings', holdBody(109, 'Record'));
    expect(held.status).toBe(201);
    await flush();
    const rows = (await db.db.execute(sql`select inventory_workflow_id, user_id from pnrs where pnr = ${held.body.pnr}`)).rows;
    expect(rows).toEqual([{ inventory_workflow_id: inventoryWorkflowId('12951', held.body.runDate, '3A'), user_id: t.userId }]);
  });
});

describe('Idempotency-Key answers survive Redis losing its data', () => {
  it('replays the first hold after a flush, refuses another body, and holds once', async () => {
    const t = await registerTraveller(stack, 'idem-flush');
    const key = { 'idempotency-key': `hold-${Date.now().toString(36)}` };
    const body = holdBody(105, 'Idem Flush');
    const first = await call(stack.baseUrl, t.token, 'POST', '/bookings', body, key);
    expect(first.status).toBe(201);
    await flush();

    const again = await call(stack.baseUrl, t.token, 'POST', '/bookings', body, key);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    // The replayed answer is now cached; a cached answer and, after another flush, Postgres again give the same.
    expect(await redis.exists(`idem:user:${t.userId}:bookings:${key['idempotency-key']}`)).toBe(1);
    expect((await call(stack.baseUrl, t.token, 'POST', '/bookings', body, key)).body).toEqual(first.body);
    await flush();
    expect((await call(stack.baseUrl, t.token, 'POST', '/bookings', body, key)).body).toEqual(first.body);

    const other = await call(stack.baseUrl, t.token, 'POST', '/bookings', holdBody(105, 'Someone Else'), key);
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');

    // One PNR issued to this traveller, one hold in the inventory.
    expect(await count(sql`select count(*)::int as n from pnrs where user_id = ${t.userId}`)).toBe(1);
    const summary = await stack.client.workflow.getHandle(inventoryWorkflowId('12951', first.body.runDate, '3A')).query(inventorySummaryQuery);
    expect(summary.stats.holds).toBe(1);
  });

  it('answers 409 with Retry-After while a claim is pending, and takes over a claim that ran out', async () => {
    const t = await registerTraveller(stack, 'idem-pending');
    const scope = `user:${t.userId}:bookings`;
    const body = holdBody(105, 'Idem Pending');
    // The fingerprint of this body, as the API computes it: from a first request with another key.
    const probe = await call(stack.baseUrl, t.token, 'POST', '/bookings', body, { 'idempotency-key': 'probe' });
    expect(probe.status).toBe(201);
    const [probed] = (await db.db.execute(sql`select fingerprint from idempotency_keys where scope = ${scope} and key = 'probe'`)).rows as { fingerprint: string }[];
    const fingerprint = probed?.fingerprint ?? '';
    expect(fingerprint).not.toBe('');

    // A request that claimed the key and died (its process killed): the claim stays until it runs out.
    expect(await claimKey(db.db, { scope, key: 'dead', fingerprint, claim: 'killed-process', pendingSeconds: 60 })).toBe('claimed');
    await flush();
    const busy = await call(stack.baseUrl, t.token, 'POST', '/bookings', body, { 'idempotency-key': 'dead' });
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    expect(busy.headers.get('retry-after')).toBe('1');

    await db.db.execute(sql`update idempotency_keys set expires_at = now() - interval '1 second' where scope = ${scope} and key = 'dead'`);
    const taken = await call(stack.baseUrl, t.token, 'POST', '/bookings', body, { 'idempotency-key': 'dead' });
    expect(taken.status).toBe(201);
    expect(taken.headers.get('idempotent-replayed')).toBeNull();
    const replay = await call(stack.baseUrl, t.token, 'POST', '/bookings', body, { 'idempotency-key': 'dead' });
    expect(replay.body.pnr).toBe(taken.body.pnr);
    expect(await count(sql`select count(*)::int as n from pnrs where user_id = ${t.userId}`)).toBe(2);
  });

  it('forgets a server error so the retry runs again, and answers 409 to a retry while the first runs', async () => {
    // withIdempotency alone on a bare Fastify app, with the real Postgres and Redis: a run that fails as the
    // server's fault, then one held at a gate of the test's own.
    let runs = 0;
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const tiny = Fastify({ logger: false });
    tiny.decorate('config', stack.config);
    await tiny.register(errorHandler);
    tiny.post('/thing', (req, reply) =>
      withIdempotency({ db: db.db, redis }, req, reply, 'test:tiny', async () => {
        runs += 1;
        if (runs === 1) throw new Error('the server broke');
        if (req.headers['x-wait']) await held;
        return { status: 201, body: { runs } };
      }),
    );
    try {
      const send = (key: string, wait = false) =>
        tiny.inject({ method: 'POST', url: '/thing', headers: { 'idempotency-key': key, ...(wait ? { 'x-wait': '1' } : {}) }, payload: { a: 1 } });
      expect((await send('boom')).statusCode).toBe(500);
      expect(await count(sql`select count(*)::int as n from idempotency_keys where scope = 'test:tiny' and key = 'boom'`)).toBe(0);
      const retried = await send('boom');
      expect([retried.statusCode, retried.json()]).toEqual([201, { runs: 2 }]);
      const replayed = await send('boom');
      expect([replayed.statusCode, replayed.json(), replayed.headers['idempotent-replayed']]).toEqual([201, { runs: 2 }, 'true']);

      const slow = send('slow', true);
      await eventuallyTrue(async () => (await count(sql`select count(*)::int as n from idempotency_keys where scope = 'test:tiny' and key = 'slow' and state = 'pending'`)) === 1);
      await flush();
      const meanwhile = await send('slow', true);
      expect([meanwhile.statusCode, meanwhile.json().error.code, meanwhile.headers['retry-after']]).toEqual([409, 'IDEMPOTENCY_IN_PROGRESS', '1']);
      release();
      expect((await slow).json()).toEqual({ runs: 3 });
      expect((await send('slow', true)).json()).toEqual({ runs: 3 });
      expect(runs).toBe(3);
    } finally {
      release();
      await tiny.close();
    }
  });

  it('keeps client errors and sweeps expired rows', async () => {
    const t = await registerTraveller(stack, 'idem-errors');
    const scope = `user:${t.userId}:bookings`;
    // A client error (a station not on the route) is an answer: replayed, not run again.
    const bad = { ...holdBody(105, 'Idem Errors'), to: 'HWH' };
    const refused = await call(stack.baseUrl, t.token, 'POST', '/bookings', bad, { 'idempotency-key': 'bad' });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    await flush();
    const replayed = await call(stack.baseUrl, t.token, 'POST', '/bookings', bad, { 'idempotency-key': 'bad' });
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body).toEqual(refused.body);
    expect(await count(sql`select count(*)::int as n from idempotency_keys where scope = ${scope} and key = 'bad' and state = 'done'`)).toBe(1);

    // Expired rows go with the first keyed request after the sweep's pause (a minute per API process):
    // a process that has not swept yet sweeps at once.
    await db.db.execute(sql`update idempotency_keys set expires_at = now() - interval '1 minute' where scope = ${scope} and key = 'bad'`);
    const fresh = await freshApp({});
    try {
      const r = await fresh.inject({ method: 'POST', url: '/bookings', headers: { authorization: `Bearer ${t.token}`, 'idempotency-key': 'sweep' }, payload: bad });
      expect(r.statusCode).toBe(refused.status);
      // The sweep runs in the background of that request: keep its app (and pool) open until it is seen done.
      await eventuallyTrue(async () => (await count(sql`select count(*)::int as n from idempotency_keys where scope = ${scope} and key = 'bad'`)) === 0);
    } finally {
      await fresh.close();
    }
  });
});

describe('held bookings after Redis lost them', () => {
  it('finds a held booking whose actor has not started after a flush, and pays it once', async () => {
    const t = await registerTraveller(stack, 'held-flush');
    const held = await call(stack.baseUrl, t.token, 'POST', '/bookings', holdBody(106, 'Held Flush'));
    expect(held.status).toBe(201);
    const { pnr } = held.body;
    await notStarted(pnr);
    await flush();

    const read = await call(stack.baseUrl, t.token, 'GET', `/bookings/${pnr}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ pnr, status: 'held', fareTotal: held.body.fareTotal, passengers: held.body.passengers });
    await notStarted(pnr);
    const stranger = await registerTraveller(stack, 'held-flush-other');
    expect((await call(stack.baseUrl, stranger.token, 'GET', `/bookings/${pnr}`)).status).toBe(404);

    await flush();
    const paid = await call(stack.baseUrl, t.token, 'POST', `/bookings/${pnr}/payment`, { card: CARDS.ok });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ pnr, status: 'confirmed', amountPaid: held.body.fareTotal });
    await eventuallyTrue(async () => (await count(sql`select count(*)::int as n from bookings where pnr = ${pnr} and status = 'confirmed'`)) === 1);
    await chargedOnce(pnr, held.body.fareTotal);
  });

  it('with Redis flushed mid-run, idempotent retries of pay still charge once', async () => {
    const t = await registerTraveller(stack, 'pay-flush');
    const held = await call(stack.baseUrl, t.token, 'POST', '/bookings', holdBody(107, 'Pay Flush'));
    expect(held.status).toBe(201);
    const { pnr } = held.body;
    await flush();
    // The slow card takes ~3 s to charge: flush and pay again while the first charge runs.
    const first = call(stack.baseUrl, t.token, 'POST', `/bookings/${pnr}/payment`, { card: CARDS.slow });
    await eventuallyTrue(() => stack.client.workflow.getHandle(bookingWorkflowId(pnr)).describe().then(() => true, () => false));
    await flush();
    const second = await call(stack.baseUrl, t.token, 'POST', `/bookings/${pnr}/payment`, { card: CARDS.slow });
    await flush();
    const firstAnswer = await first;
    expect(firstAnswer.status).toBe(200);
    expect(firstAnswer.body.status).toBe('confirmed');
    if (second.status !== 200) expect([second.status, second.body.error?.code]).toEqual([409, 'PAYMENT_IN_PROGRESS']);
    const third = await call(stack.baseUrl, t.token, 'POST', `/bookings/${pnr}/payment`, { card: CARDS.ok });
    expect(third.status).toBe(200);
    expect(third.body.status).toBe('confirmed');
    await eventuallyTrue(async () => (await count(sql`select count(*)::int as n from bookings where pnr = ${pnr} and status = 'confirmed'`)) === 1);
    await chargedOnce(pnr, held.body.fareTotal);
  });
});

describe('with Redis down', () => {
  it('holds, replays, reads and pays a booking whose actor has not started, from Postgres and the inventory', async () => {
    const t = await registerTraveller(stack, 'redis-down');
    // Nothing listens on port 1: every Redis command fails at once.
    const down = await freshApp({ REDIS_URL: 'redis://127.0.0.1:1/0' });
    await down.listen({ host: '127.0.0.1', port: 0 });
    const address = down.server.address();
    const baseUrl = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
    try {
      const key = { 'idempotency-key': 'redis-down' };
      const body = holdBody(108, 'Redis Down');
      const held = await call(baseUrl, t.token, 'POST', '/bookings', body, key);
      expect(held.status).toBe(201);
      const { pnr } = held.body;
      const again = await call(baseUrl, t.token, 'POST', '/bookings', body, key);
      expect([again.status, again.headers.get('idempotent-replayed'), again.body]).toEqual([201, 'true', held.body]);
      expect((await call(baseUrl, t.token, 'POST', '/bookings', holdBody(108, 'Other'), key)).body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');

      await notStarted(pnr);
      const read = await call(baseUrl, t.token, 'GET', `/bookings/${pnr}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ pnr, status: 'held' });
      const paid = await call(baseUrl, t.token, 'POST', `/bookings/${pnr}/payment`, { card: CARDS.ok });
      expect(paid.status).toBe(200);
      expect(paid.body.status).toBe('confirmed');
      await eventuallyTrue(async () => (await count(sql`select count(*)::int as n from bookings where pnr = ${pnr} and status = 'confirmed'`)) === 1);
      await chargedOnce(pnr, held.body.fareTotal);
      expect(await count(sql`select count(*)::int as n from pnrs where user_id = ${t.userId}`)).toBe(1);
    } finally {
      await down.close();
    }
  });
});

/** Another API process on the same database, Temporal and worker queue (and its own Redis, if given). */
async function freshApp(overrides: Record<string, string>): Promise<App> {
  const app = await buildApp(testConfig({ TEMPORAL_TASK_QUEUE: stack.config.temporal.taskQueue, REDIS_URL: stack.config.redisUrl, PAYMENT_WAIT_SECONDS: '20', ...overrides }), { logger: false });
  await app.ready();
  return app;
}

async function eventuallyTrue(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('not reached in time');
    await sleep(100);
  }
}
