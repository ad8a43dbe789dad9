// Observability: the API's Prometheus endpoint (request metrics by route
// pattern, booking outcomes, default Node metrics) and the worker process's
// own exporter (Temporal SDK metrics) with its JSON log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import type { App } from '../../api/app';
import { testApp } from '../helpers/app';
import { testConfig, uniqueTaskQueue } from '../helpers/config';
import { api, CARDS, futureDate, passenger, registerTraveller, startStack } from '../helpers/stack';

const repoRoot = path.resolve(__dirname, '..', '..');
const P = 'railbook_api_';
// /metrics is not public: the scraper's token (or an admin JWT) is needed.
const METRICS_TOKEN = 'metrics-test-token-0123456789';
const scrapeAuth = { authorization: `Bearer ${METRICS_TOKEN}` };

describe('API /metrics', () => {
  let app: App;
  beforeAll(async () => {
    app = await testApp({ METRICS_TOKEN });
  });
  afterAll(async () => {
    await app.close();
  });

  const date = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const scrape = async () => {
    const res = await app.inject({ method: 'GET', url: '/metrics', headers: scrapeAuth });
    return { res, text: res.body };
  };

  it('serves Prometheus text with request metrics by route pattern', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/trains/search?from=MMCT&to=NDLS&date=${date}` })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/stations/NDLS' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/stations/ZZZZ9' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/no/such/route/42' })).statusCode).toBe(404);

    const { res, text } = await scrape();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);

    expect(text).toContain('# TYPE railbook_api_http_requests_total counter');
    expect(text).toContain(`${P}http_requests_total{method="GET",route="/healthz",status_code="200"} 1`);
    expect(text).toContain(`${P}http_requests_total{method="GET",route="/trains/search",status_code="200"} 1`);
    // The route pattern, never the raw URL: one series for every station code.
    expect(text).toContain(`${P}http_requests_total{method="GET",route="/stations/:code",status_code="200"} 1`);
    expect(text).toContain(`${P}http_requests_total{method="GET",route="/stations/:code",status_code="404"} 1`);
    expect(text).toContain(`${P}http_requests_total{method="GET",route="not_found",status_code="404"} 1`);
    expect(text).not.toMatch(/NDLS|ZZZZ9|no\/such/);

    expect(text).toContain('# TYPE railbook_api_http_request_duration_seconds histogram');
    expect(text).toContain(`${P}http_request_duration_seconds_bucket{le="0.005",method="GET",route="/healthz",status_code="200"}`);
    expect(text).toContain(`${P}http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/trains/search",status_code="200"} 1`);
    expect(text).toContain(`${P}http_request_duration_seconds_count{method="GET",route="/trains/search",status_code="200"} 1`);

    // Default Node metrics, with the same prefix.
    expect(text).toMatch(new RegExp(`^${P}process_cpu_seconds_total \\d`, 'm'));
    expect(text).toMatch(new RegExp(`^${P}nodejs_heap_size_used_bytes \\d`, 'm'));
    expect(text).toContain(`${P}nodejs_eventloop_lag_seconds`);
  });

  it('does not count /metrics itself and keeps it out of the OpenAPI document', async () => {
    await scrape();
    const { text } = await scrape();
    expect(text).not.toContain('route="/metrics"');
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(doc.paths)).not.toContain('/metrics');
  });

  it('declares every booking outcome at zero and counts what routes report', async () => {
    let { text } = await scrape();
    expect(text).toContain('# TYPE railbook_api_bookings_total counter');
    for (const outcome of ['held', 'no_seats', 'confirmed', 'payment_declined', 'payment_pending', 'cancelled']) {
      expect(text).toContain(`${P}bookings_total{outcome="${outcome}"} 0`);
    }
    app.metrics.bookingOutcome('held');
    app.metrics.bookingOutcome('held');
    app.metrics.bookingOutcome('confirmed');
    ({ text } = await scrape());
    expect(text).toContain(`${P}bookings_total{outcome="held"} 2`);
    expect(text).toContain(`${P}bookings_total{outcome="confirmed"} 1`);
    expect(text).toContain(`${P}bookings_total{outcome="cancelled"} 0`);
  });

  it('gives each app in a process its own registry', async () => {
    const other = await testApp({ METRICS_TOKEN });
    try {
      await other.inject({ method: 'GET', url: '/healthz' });
      const text = (await other.inject({ method: 'GET', url: '/metrics', headers: scrapeAuth })).body;
      expect(text).toContain(`${P}http_requests_total{method="GET",route="/healthz",status_code="200"} 1`);
      expect(text).toContain(`${P}bookings_total{outcome="held"} 0`);
      expect(text).toContain(`${P}nodejs_heap_size_used_bytes`);
    } finally {
      await other.close();
    }
  });
});

describe('booking outcomes through the routes', () => {
  it('counts held, confirmed, payment_declined and cancelled', async () => {
    const stack = await startStack('metrics', { METRICS_TOKEN });
    try {
      const traveller = await registerTraveller(stack, 'metrics');
      const client = api(stack, traveller.token);
      const hold = async () => {
        const res = await client.post('/bookings', {
          trainNumber: '12951',
          date: futureDate(80),
          classCode: '1A',
          from: 'MMCT',
          to: 'NDLS',
          passengers: [passenger('Meera')],
        });
        expect(res.status).toBe(201);
        return res.body.pnr as string;
      };
      const paid = await hold();
      expect((await client.post(`/bookings/${paid}/payment`, { card: CARDS.ok })).status).toBe(200);
      const declined = await hold();
      expect((await client.post(`/bookings/${declined}/payment`, { card: CARDS.declined })).status).toBe(402);
      const cancelled = await hold();
      expect((await client.post(`/bookings/${cancelled}/cancel`, {})).status).toBe(200);

      const text = (await stack.app.inject({ method: 'GET', url: '/metrics', headers: scrapeAuth })).body;
      expect(text).toContain(`${P}bookings_total{outcome="held"} 3`);
      expect(text).toContain(`${P}bookings_total{outcome="confirmed"} 1`);
      expect(text).toContain(`${P}bookings_total{outcome="payment_declined"} 1`);
      expect(text).toContain(`${P}bookings_total{outcome="cancelled"} 1`);
      expect(text).toContain(`${P}bookings_total{outcome="no_seats"} 0`);
      expect(text).toContain(`${P}http_requests_total{method="POST",route="/bookings",status_code="201"} 3`);
      expect(text).toContain(`${P}http_requests_total{method="POST",route="/bookings/:pnr/payment",status_code="402"} 1`);
      expect(text).not.toContain(paid);
    } finally {
      await stack.close();
    }
  }, 60_000);
});

describe('worker process metrics and logs', () => {
  let child: ChildProcess | null = null;
  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  async function freePort(): Promise<number> {
    const srv = createServer();
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const port = (srv.address() as { port: number }).port;
    await new Promise((r) => srv.close(r));
    return port;
  }

  it('serves Temporal SDK metrics on WORKER_METRICS_ADDRESS and logs JSON lines', async () => {
    const config = testConfig();
    const port = await freePort();
    const taskQueue = uniqueTaskQueue('metrics');
    // `--import tsx` runs the worker in this one process (the tsx CLI would fork
    // another), so the signals below reach the worker itself.
    const proc = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        DATABASE_URL: config.databaseUrl,
        REDIS_URL: config.redisUrl,
        TEMPORAL_ADDRESS: config.temporal.address,
        TEMPORAL_NAMESPACE: config.temporal.namespace,
        TEMPORAL_TASK_QUEUE: taskQueue,
        WORKER_METRICS_ADDRESS: `127.0.0.1:${port}`,
        LOG_LEVEL: 'info',
        NODE_ENV: 'test',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));

    // The exporter answers as soon as the runtime is installed; the worker's
    // own series appear once it has started polling.
    const deadline = Date.now() + 30_000;
    let text = '';
    let contentType = '';
    while (Date.now() < deadline && proc.exitCode === null) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/metrics`);
        text = await res.text();
        contentType = res.headers.get('content-type') ?? '';
        // Wait for the pollers too: worker_start is counted a moment before polling begins.
        if (res.ok && /^temporal_worker_start_total\{/m.test(text) && /^temporal_num_pollers\{/m.test(text)) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    if (!/^temporal_worker_start_total\{/m.test(text)) {
      throw new Error(`no worker metrics on port ${port}; worker stdout:\n${stdout}\nstderr:\n${stderr}`);
    }
    expect(contentType).toMatch(/^text\/plain/);
    expect(text).toContain('# TYPE temporal_worker_start_total counter');
    expect(text).toMatch(new RegExp(`^temporal_worker_start_total\\{.*task_queue="${taskQueue}".*\\} 1$`, 'm'));
    expect(text).toMatch(/^temporal_num_pollers\{/m);
    // Durations in seconds (useSecondsForDurations + unitSuffix).
    expect(text).toMatch(/^temporal_request_latency_seconds_bucket\{/m);

    proc.kill('SIGTERM');
    expect(await exited).toBe(0);

    const lines = stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const started = lines.find((l) => l.msg === 'worker started');
    expect(started).toMatchObject({ level: 'info', time: expect.any(Number), pid: proc.pid });
    // The SDK's own entries carry its metadata (here the task queue).
    expect(lines.some((l) => l.sdkComponent === 'worker' && l.taskQueue === taskQueue)).toBe(true);
    expect(lines.at(-1)).toMatchObject({ msg: 'worker stopped' });
  }, 60_000);
});
