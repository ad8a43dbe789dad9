// The real things the fuzzer aims at, made through the API before it starts:
// two travellers (A owns a real held booking, B must never see it), staff
// tokens signed with the API's secret, a real train and run to book on, and a
// train of the fuzzer's own for the admin routes to change and cancel freely.
import { randomBytes } from 'node:crypto';
import { validToken, type Identity } from './tokens';

export interface Account {
  id: number;
  email: string;
  password: string;
  token: string;
}

export interface World {
  secret: string;
  a: Account;
  b: Account;
  supportToken: string;
  adminToken: string;
  /** A's booking, or null when none could be made (no worker, no seats). */
  pnrA: string | null;
  /** A real train and run the valid parts of booking requests use. */
  train: { number: string; date: string; classCode: string; from: string; to: string; stations: string[] };
  /** The fuzzer's own train: the only existing train admin requests may change. */
  fuzzTrain: string;
  /** Run dates the fuzzer may book on. */
  dates: string[];
}

export interface WorldOptions {
  secret: string;
  /** Days ahead the fuzzer owns (bookings and runs go only there). */
  daysAhead: number[];
  /** The real train to book on (default 12951, the Mumbai Rajdhani). */
  trainNumber?: string;
}

interface Json {
  [k: string]: unknown;
}

async function call(baseUrl: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

function expectStatus(r: { status: number; body: Json }, status: number, what: string): Json {
  if (r.status !== status) throw new Error(`${what}: expected ${status}, got ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body;
}

const dayOf = (daysAhead: number) => new Date(Date.now() + daysAhead * 86_400_000).toISOString().slice(0, 10);
const WEEKDAY = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

async function register(baseUrl: string, tag: string): Promise<Account> {
  const email = `fuzz.${tag}.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}@example.test`;
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const body = expectStatus(await call(baseUrl, 'POST', '/auth/register', { email, password, name: `Fuzz ${tag}` }), 201, `register ${tag}`);
  return { id: (body.user as { id: number }).id, email, password, token: body.token as string };
}

/** A train number in 99000–99999 nobody has, for the fuzzer to create. */
async function freeTrainNumber(baseUrl: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const n = String(99_000 + Math.floor(Math.random() * 1000));
    if ((await call(baseUrl, 'GET', `/trains/${n}`)).status === 404) return n;
  }
  throw new Error('no free train number in 99000-99999');
}

export async function prepareWorld(baseUrl: string, opts: WorldOptions): Promise<World> {
  const [a, b] = [await register(baseUrl, 'a'), await register(baseUrl, 'b')];
  const staff = (role: Identity['role'], sub: number) => validToken({ sub, email: `fuzz-${role}@example.test`, role }, opts.secret);
  const supportToken = staff('support', 2_000_000_001);
  const adminToken = staff('admin', 2_000_000_002);

  const number = opts.trainNumber ?? '12951';
  const info = expectStatus(await call(baseUrl, 'GET', `/trains/${number}`), 200, `train ${number}`);
  const route = info.route as { stationCode: string }[];
  const runsOn = info.runsOn as string[];
  const classes = (info.classes as { classCode: string }[]).map((c) => c.classCode);
  const dates = opts.daysAhead.map(dayOf);
  const date = dates.find((d) => runsOn.includes(WEEKDAY[new Date(`${d}T00:00:00Z`).getUTCDay()]!)) ?? dates[0]!;
  const classCode = classes.includes('3A') ? '3A' : classes[0]!;
  const train = { number, date, classCode, from: route[0]!.stationCode, to: route.at(-1)!.stationCode, stations: route.map((s) => s.stationCode) };

  const held = await call(
    baseUrl,
    'POST',
    '/bookings',
    { trainNumber: number, date, classCode, from: train.from, to: train.to, passengers: [{ name: 'Fuzz A', age: 40, gender: 'F' }] },
    a.token,
  );
  const pnrA = held.status === 201 ? (held.body.pnr as string) : null;

  const fuzzTrain = await freeTrainNumber(baseUrl);
  expectStatus(
    await call(baseUrl, 'PUT', `/admin/trains/${fuzzTrain}`, fuzzTrainBody(train.stations), adminToken),
    200,
    `create fuzz train ${fuzzTrain}`,
  );
  expectStatus(await call(baseUrl, 'POST', '/admin/runs', { trainNumber: fuzzTrain, runDate: dates.at(-1) }, adminToken), 201, 'open fuzz run');
  return { secret: opts.secret, a, b, supportToken, adminToken, pnrA, train, fuzzTrain, dates };
}

/** A valid timetable for the fuzzer's train: the first and last three stations of the real train's route. */
export function fuzzTrainBody(stations: string[]) {
  const codes = [...stations.slice(0, 2), stations.at(-1)!];
  return {
    name: 'Fuzz Express',
    runsOn: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
    stops: [
      { stationCode: codes[0], km: 0, arrival: null, departure: { day: 0, time: '06:00' } },
      { stationCode: codes[1], km: 40, arrival: { day: 0, time: '06:40' }, departure: { day: 0, time: '06:45' } },
      { stationCode: codes[2], km: 300, arrival: { day: 0, time: '11:00' }, departure: null },
    ],
    coaches: [{ classCode: 'SL', count: 1 }],
  };
}

