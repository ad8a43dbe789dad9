// Station lookup, train search and routes against the real test database,
// seeded from the real timetable (see test/setup).
import type { App } from '../../api/app';
import { testApp } from '../helpers/app';

let app: App;
beforeAll(async () => {
  app = await testApp();
});
afterAll(async () => {
  await app.close();
});

const get = (url: string) => app.inject({ method: 'GET', url });

describe('stations', () => {
  it('finds a station by code and by name prefix', async () => {
    const byCode = await get('/stations?q=NDLS');
    expect(byCode.statusCode).toBe(200);
    expect(byCode.json().stations[0]).toMatchObject({ code: 'NDLS' });
    const byName = await get('/stations?q=mumbai%20cen');
    expect(byName.json().stations.map((s: { code: string }) => s.code)).toContain('MMCT');
  });

  it('answers one station by code, 404 for an unknown one', async () => {
    expect((await get('/stations/mao')).json()).toMatchObject({ code: 'MAO' });
    const res = await get('/stations/ZZZZ9');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('STATION_NOT_FOUND');
  });
});

describe('train search', () => {
  it('returns real trains with times and segment distance', async () => {
    const res = await get('/trains/search?from=MMCT&to=NDLS&date=2026-12-24');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const rajdhani = body.trains.find((t: { trainNumber: string }) => t.trainNumber === '12951');
    expect(rajdhani).toBeDefined();
    expect(rajdhani.from.departure).toMatch(/^2026-12-24T\d{2}:\d{2}\+05:30$/);
    expect(rajdhani.to.arrival > rajdhani.from.departure).toBe(true);
    expect(rajdhani.distanceKm).toBeGreaterThan(1000);
    expect(rajdhani.durationMin).toBeGreaterThan(0);
    expect(rajdhani.classes.length).toBeGreaterThan(0);
    // Only trains that call at MMCT before NDLS: never the southbound twin.
    expect(body.trains.map((t: { trainNumber: string }) => t.trainNumber)).not.toContain('12952');
  });

  it('honours the days a train runs (Garib Rath 12909 runs Tue/Thu/Sat from BDTS)', async () => {
    const tuesday = await get('/trains/search?from=BDTS&to=NZM&date=2026-11-24');
    const wednesday = await get('/trains/search?from=BDTS&to=NZM&date=2026-11-25');
    const numbers = (r: typeof tuesday) => r.json().trains.map((t: { trainNumber: string }) => t.trainNumber);
    expect(numbers(tuesday)).toContain('12909');
    expect(numbers(wednesday)).not.toContain('12909');
  });

  it('finds an intermediate segment of a route', async () => {
    const res = await get('/trains/search?from=THVM&to=PNVL&date=2026-12-24');
    expect(res.json().trains.map((t: { trainNumber: string }) => t.trainNumber)).toContain('10104');
  });

  it.each([
    ['/trains/search?from=MMCT&to=NDLS', 400, 'VALIDATION_ERROR'],
    ['/trains/search?from=MMCT&to=NDLS&date=24-12-2026', 400, 'VALIDATION_ERROR'],
    ['/trains/search?from=MMCT&to=NDLS&date=2026-02-30', 400, 'VALIDATION_ERROR'],
    ['/trains/search?from=MMCT&to=MMCT&date=2026-12-24', 400, 'SAME_STATION'],
    ['/trains/search?from=QQQQ&to=NDLS&date=2026-12-24', 404, 'STATION_NOT_FOUND'],
    ['/trains/search?from=MM%20CT&to=NDLS&date=2026-12-24', 400, 'VALIDATION_ERROR'],
    ['/trains/99999', 404, 'TRAIN_NOT_FOUND'],
    ['/trains/abc', 400, 'VALIDATION_ERROR'],
    ['/no/such/route', 404, 'NOT_FOUND'],
  ])('%s → %i %s', async (url, status, code) => {
    const res = await get(url);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ error: { code }, requestId: expect.any(String) });
  });
});

describe('train route', () => {
  it('lists stops in order with derived km and times', async () => {
    const res = await get('/trains/10103');
    expect(res.statusCode).toBe(200);
    const train = res.json();
    expect(train).toMatchObject({ number: '10103', from: 'CSMT', to: 'MAO', distanceKm: 765 });
    expect(train.route[0]).toMatchObject({ seq: 0, stationCode: 'CSMT', kmFromOrigin: 0, arrival: null });
    expect(train.route.at(-1)).toMatchObject({ stationCode: 'MAO', kmFromOrigin: 765, departure: null });
    const kms = train.route.map((s: { kmFromOrigin: number }) => s.kmFromOrigin);
    expect([...kms].sort((a, b) => a - b)).toEqual(kms);
    expect(train.runsOn).toHaveLength(7);
  });
});
