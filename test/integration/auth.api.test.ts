import type { App } from '../../api/app';
import { testApp, uniqueEmail } from '../helpers/app';

let app: App;
beforeAll(async () => {
  app = await testApp();
});
afterAll(async () => {
  await app.close();
});

const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as object });

describe('accounts', () => {
  it('registers, logs in and answers /me', async () => {
    const email = uniqueEmail('asha');
    const reg = await post('/auth/register', { email, password: 'correct horse', name: 'Asha' });
    expect(reg.statusCode).toBe(201);
    expect(reg.json().user).toMatchObject({ email, name: 'Asha', role: 'traveller' });

    const login = await post('/auth/login', { email: email.toUpperCase(), password: 'correct horse' });
    expect(login.statusCode).toBe(200);
    const me = await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${login.json().token}` } });
    expect(me.json()).toMatchObject({ email, name: 'Asha', role: 'traveller' });
  });

  it('refuses a second account with the same email, whatever its case', async () => {
    const email = uniqueEmail('dup');
    expect((await post('/auth/register', { email, password: 'password1', name: 'A' })).statusCode).toBe(201);
    const again = await post('/auth/register', { email: email.toUpperCase(), password: 'password2', name: 'B' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('EMAIL_TAKEN');
  });

  it('refuses a wrong password and an unknown email alike', async () => {
    const email = uniqueEmail('pw');
    await post('/auth/register', { email, password: 'password1', name: 'A' });
    const wrong = await post('/auth/login', { email, password: 'password2' });
    const unknown = await post('/auth/login', { email: uniqueEmail('nobody'), password: 'password1' });
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('INVALID_CREDENTIALS');
    }
  });

  it('limits repeated login attempts per account', async () => {
    const email = uniqueEmail('brute');
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push((await post('/auth/login', { email, password: 'guess' + i })).statusCode);
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes.slice(10)).toEqual([429, 429]);
  });

  it.each([
    [{ email: 'not-an-email', password: 'password1', name: 'A' }, 'VALIDATION_ERROR'],
    [{ email: 'a@b.co', password: 'short', name: 'A' }, 'VALIDATION_ERROR'],
    [{ email: 'a@b.co', password: 'password1' }, 'VALIDATION_ERROR'],
    [{ email: 'a@b.co', password: 'password1', name: '   ' }, 'VALIDATION_ERROR'],
    [{ email: 'a@b.co', password: 'password1', name: 'A', role: 'admin' }, 'VALIDATION_ERROR'],
  ])('rejects bad registration %j', async (payload, code) => {
    const res = await post('/auth/register', payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe(code);
  });

  it('answers malformed JSON and wrong content types with 4xx codes', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": ',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('INVALID_JSON');
    const text = await app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'content-type': 'application/xml' },
      payload: '<login/>',
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('requires a valid token for /me', async () => {
    const none = await app.inject({ method: 'GET', url: '/me' });
    const forged = await app.inject({ method: 'GET', url: '/me', headers: { authorization: 'Bearer abc.def.ghi' } });
    for (const res of [none, forged]) {
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHORIZED');
    }
  });
});

describe('health', () => {
  it('is live and ready against real Postgres, Redis and Temporal', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { postgres: { ok: true }, redis: { ok: true }, temporal: { ok: true } } });
  });

  it('serves the OpenAPI document and docs page', async () => {
    const spec = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(spec.statusCode).toBe(200);
    expect(Object.keys(spec.json().paths)).toEqual(expect.arrayContaining(['/trains/search', '/auth/register']));
    expect((await app.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400);
  });
});
