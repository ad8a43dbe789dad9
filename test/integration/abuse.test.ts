// Abuse limits against the real Redis and Postgres: write limits per user and
// per IP (429 RATE_LIMITED with Retry-After), login attempts per account,
// security headers, /metrics not public, and bodies bounded in size and shape.
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { App } from '../../api/app';
import { testApp, uniqueEmail } from '../helpers/app';
import { launchChromium } from '../ui/temporalUi';

const repoRoot = path.resolve(__dirname, '..', '..');

/** scripts/ensure-chromium.sh prints the browser's path (as in the Temporal UI test). */
function ensureChromium(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('sh', [path.join(repoRoot, 'scripts', 'ensure-chromium.sh')], { timeout: 300_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`no Chromium (scripts/ensure-chromium.sh exited ${err.code ?? err.signal}):\n${stderr.trim()}`));
      else resolve(stdout.trim().split('\n').pop() ?? '');
    });
  });
}

const METRICS_TOKEN = 'abuse-test-metrics-token-0123';
// IPs of this run only (the rate limit counts live in Redis for the window).
const ipBase = `10.${process.pid % 250}.${Math.floor(Math.random() * 250)}`;

let app: App;
beforeAll(async () => {
  app = await testApp({
    RATE_LIMIT_WRITES_PER_USER: '3',
    RATE_LIMIT_REGISTRATIONS_PER_IP: '2',
    RATE_LIMIT_LOGINS_PER_ACCOUNT: '2',
    METRICS_TOKEN,
  });
});
afterAll(async () => {
  await app.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const traveller = (sub: number) => app.jwt.sign({ sub, email: `t${sub}@example.test`, role: 'traveller' });
// A user id no other test has: counts are per user.
const freshUserId = () => 1_000_000 + Math.floor(Math.random() * 1_000_000_000);

describe('rate limits', () => {
  it('limits writes per user with our error shape and Retry-After; other users and reads are not affected', async () => {
    const a = traveller(freshUserId());
    const b = traveller(freshUserId());
    const write = (token: string) => app.inject({ method: 'POST', url: '/bookings', payload: {}, headers: bearer(token) });
    // Invalid bodies count too (the limit runs before validation).
    const first = [await write(a), await write(a), await write(a)];
    expect(first.map((r) => r.statusCode)).toEqual([400, 400, 400]);
    expect(first[0]!.headers['x-ratelimit-limit']).toBe('3');
    const limited = await write(a);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: { code: 'RATE_LIMITED', message: expect.any(String) }, requestId: expect.any(String) });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another user from the same IP has a count of their own.
    expect((await write(b)).statusCode).toBe(400);
    // Reads are not limited.
    for (let i = 0; i < 5; i++) expect((await app.inject({ method: 'GET', url: '/bookings', headers: bearer(a) })).statusCode).toBe(200);
  });

  it('limits registrations per IP', async () => {
    const register = (ip: string) =>
      app.inject({ method: 'POST', url: '/auth/register', remoteAddress: ip, payload: { email: uniqueEmail('abuse'), password: 'password1', name: 'A' } });
    const ip1 = `${ipBase}.1`;
    expect((await register(ip1)).statusCode).toBe(201);
    expect((await register(ip1)).statusCode).toBe(201);
    const third = await register(ip1);
    expect(third.statusCode).toBe(429);
    expect(third.json().error.code).toBe('RATE_LIMITED');
    expect(third.headers['retry-after']).toBeDefined();
    expect((await register(`${ipBase}.2`)).statusCode).toBe(201);
  });

  it('limits login attempts per account, whatever the IP and the case of the email', async () => {
    const email = uniqueEmail('abuse-login');
    const login = (ip: string, e: string) => app.inject({ method: 'POST', url: '/auth/login', remoteAddress: ip, payload: { email: e, password: 'guess-guess' } });
    expect((await login(`${ipBase}.3`, email)).statusCode).toBe(401);
    expect((await login(`${ipBase}.4`, email.toUpperCase())).statusCode).toBe(401);
    const third = await login(`${ipBase}.5`, email);
    expect(third.statusCode).toBe(429);
    expect(third.json().error.code).toBe('RATE_LIMITED');
    // Another account is not affected.
    expect((await login(`${ipBase}.5`, uniqueEmail('abuse-other'))).statusCode).toBe(401);
  });
});

describe('headers, metrics and bodies', () => {
  it('sends security headers, and /docs still renders under its own CSP', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(res.headers['content-security-policy']).not.toMatch(/upgrade-insecure-requests/);

    const page = await app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self' ;/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe|upgrade-insecure-requests/);
  });

  it('renders /docs in a real browser with no CSP violation', async () => {
    const browser = await launchChromium(await ensureChromium());
    const served = await testApp();
    try {
      await served.listen({ host: '127.0.0.1', port: 0 });
      const { port } = served.server.address() as { port: number };
      const page = await browser.newPage();
      const refused: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
      });
      await page.goto(`http://127.0.0.1:${port}/docs`, { waitUntil: 'domcontentloaded', timeout: 20_000 });
      // swagger-ui has fetched /docs/json and rendered the API's title and its operations.
      await page.waitForSelector('.swagger-ui .info .title', { timeout: 20_000 });
      await page.waitForSelector('.opblock-summary-path', { timeout: 20_000 });
      expect(await page.textContent('.swagger-ui .info .title')).toContain('Railbook API');
      expect(refused).toEqual([]);
    } finally {
      await browser.close();
      await served.close();
    }
  }, 360_000); // the first run on a fresh machine installs Chromium (scripts/ensure-chromium.sh: about a minute, up to 5)

  it('serves /metrics only to the scraper token or an admin', async () => {
    const metrics = (headers: Record<string, string> = {}) => app.inject({ method: 'GET', url: '/metrics', headers });
    const none = await metrics();
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('UNAUTHORIZED');
    expect((await metrics(bearer('not-the-token'))).statusCode).toBe(401);
    expect((await metrics(bearer(traveller(freshUserId())))).statusCode).toBe(403);
    const admin = app.jwt.sign({ sub: freshUserId(), email: 'admin@example.test', role: 'admin' });
    expect((await metrics(bearer(admin))).statusCode).toBe(200);
    const scraped = await metrics(bearer(METRICS_TOKEN));
    expect(scraped.statusCode).toBe(200);
    expect(scraped.body).toContain('railbook_api_http_requests_total');
  });

  it('answers 413 PAYLOAD_TOO_LARGE to big bodies and 400 to unbounded shapes', async () => {
    const token = traveller(freshUserId());
    // A booking is ~1 kB; its route takes at most 16 kB.
    const big = await app.inject({
      method: 'POST',
      url: '/bookings',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      payload: JSON.stringify({ trainNumber: '12951', notes: 'x'.repeat(20_000) }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    // Every other route: 64 kB.
    const huge = await app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(70_000) }),
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    const pay = await app.inject({
      method: 'POST',
      url: '/bookings/1234567890/payment',
      headers: { ...bearer(traveller(freshUserId())), 'content-type': 'application/json' },
      payload: JSON.stringify({ card: { number: '4111 1111 1111 1111', holder: 'y'.repeat(5000) } }),
    });
    expect(pay.statusCode).toBe(413);

    // Within the size limit, the schemas bound the shape: seven passengers, deep nesting, unknown keys.
    const p = { name: 'A', age: 30, gender: 'F' };
    const body = { trainNumber: '12951', date: '2030-01-01', classCode: '3A', from: 'MMCT', to: 'NDLS' };
    const shapes = [
      { ...body, passengers: Array.from({ length: 7 }, () => p) },
      { ...body, passengers: [{ ...p, name: JSON.parse('['.repeat(2000) + ']'.repeat(2000)) }] },
      { ...body, passengers: [p], extra: { a: { b: { c: {} } } } },
    ];
    for (const payload of shapes) {
      const res = await app.inject({ method: 'POST', url: '/bookings', headers: bearer(traveller(freshUserId())), payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_ERROR');
    }
  });
});
