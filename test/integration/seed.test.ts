// The timetable importer against a real, migrated database (DATABASE_URL, set
// by the integration globalSetup) and the real Indian Railways data: a subset
// of trains imported twice must leave identical rows; rows the data no longer
// has are removed; train_runs are never touched.
import { sql } from 'drizzle-orm';
import { createDb, type DbHandle } from '../../db/client';
import { defaultDataDir } from '../../db/seed/dataDir';
import { importTimetable, isCatalogEmpty, loadDataset, type ImportResult } from '../../db/seed/import';

// Mumbai–Delhi Rajdhani pair, Howrah Rajdhani (stops located through renamed
// codes DDU/PRYJ), a Kalka–Shimla passenger, and a train whose kind comes from
// its pair's name. 52455 is also the one the test scribbles on: no other test uses it.
const SUBSET = ['12951', '12952', '12301', '52455', '22708'];
const SCRIBBLE = '52455';

let handle: DbHandle;
const dataDir = defaultDataDir();

beforeAll(() => {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL must point at a migrated test database (the integration globalSetup sets it)');
  handle = createDb(url, { max: 2 });
});

afterAll(async () => {
  await handle?.close();
});

const rows = async <T = Record<string, unknown>>(query: ReturnType<typeof sql>) =>
  (await handle.db.execute(query)).rows as T[];

/** Everything the import writes for the subset, as plain rows in key order. */
async function snapshot() {
  return {
    trains: await rows(sql`select * from trains where number = any(${sql.param(SUBSET)}::text[]) order by number`),
    stops: await rows(
      sql`select * from train_stops where train_number = any(${sql.param(SUBSET)}::text[]) order by train_number, seq`,
    ),
    coaches: await rows(
      sql`select * from train_coaches where train_number = any(${sql.param(SUBSET)}::text[]) order by train_number, coach`,
    ),
    stations: await rows(sql`select count(*)::int as n, md5(string_agg(s::text, '|' order by code)) as digest from stations s`),
    classes: await rows(sql`select * from travel_classes order by code`),
    layout: await rows(sql`select class_code, count(*)::int as n from coach_layout_berths group by 1 order by 1`),
  };
}

describe('importTimetable (real data, real database)', () => {
  let first: ImportResult;
  let second: ImportResult;
  let before: Awaited<ReturnType<typeof snapshot>>;

  beforeAll(async () => {
    first = await importTimetable(handle.db, { dataDir, trains: SUBSET });
    before = await snapshot();
    second = await importTimetable(handle.db, { dataDir, trains: SUBSET });
  });

  it('reports the subset it imported', () => {
    expect(first).toMatchObject({ trains: SUBSET.length, skipped: [] });
    expect(first.stops).toBeGreaterThan(SUBSET.length * 2);
    expect(first.coaches).toBeGreaterThan(SUBSET.length);
    expect(first.stations).toBeGreaterThan(8000); // every GeoJSON station with a real code
    expect(first.ms).toBeGreaterThan(0);
    expect(before.trains).toHaveLength(SUBSET.length);
    expect(before.stops).toHaveLength(first.stops);
    expect(before.coaches).toHaveLength(first.coaches);
  });

  it('is idempotent: a second run changes no row, not even updated_at', async () => {
    expect(second).toMatchObject({
      stations: first.stations,
      trains: first.trains,
      stops: first.stops,
      coaches: first.coaches,
      changed: 0,
    });
    expect(await snapshot()).toEqual(before);
    expect(await isCatalogEmpty(handle.db)).toBe(false);
  });

  it('gives 12951 (Mumbai Central – New Delhi Rajdhani) increasing km ending at its real Distance', async () => {
    const real = (await loadDataset(dataDir)).trains['12951'];
    expect(real).toBeDefined();
    const [train] = await rows<{ name: string; kind: string; distance_km: number; duration_min: number; superfast: boolean }>(
      sql`select * from trains where number = '12951'`,
    );
    expect(train).toMatchObject({ name: real?.Train_name, kind: 'rajdhani', superfast: true, distance_km: real?.Distance });

    const stops = await rows<{
      station_code: string;
      km_from_origin: number;
      arrival_day: number | null;
      arrival_min: number | null;
      departure_day: number | null;
      departure_min: number | null;
    }>(sql`select * from train_stops where train_number = '12951' order by seq`);
    expect(stops.map((s) => s.station_code)).toEqual(real?.Stations);
    const kms = stops.map((s) => s.km_from_origin);
    expect(kms[0]).toBe(0);
    expect(kms[kms.length - 1]).toBe(real?.Distance);
    for (let i = 1; i < kms.length; i++) expect(kms[i] as number).toBeGreaterThan(kms[i - 1] as number);

    const origin = stops[0];
    const terminus = stops[stops.length - 1];
    expect(origin).toMatchObject({ arrival_day: null, arrival_min: null, departure_day: 0 });
    expect(terminus).toMatchObject({ departure_day: null, departure_min: null });
    const at = (day: number | null, min: number | null) => (day as number) * 1440 + (min as number);
    expect(at(terminus?.arrival_day ?? null, terminus?.arrival_min ?? null) - at(0, origin?.departure_min ?? null)).toBe(
      train?.duration_min,
    );
  });

  it('gives each train its composition and records what was derived', async () => {
    const coaches = await rows<{ train_number: string; class_code: string; n: number }>(sql`
      select train_number, class_code, count(*)::int as n from train_coaches
      where train_number in ('12951', '52455') group by 1, 2 order by 1, 2`);
    expect(coaches).toEqual([
      { train_number: '12951', class_code: '1A', n: 1 },
      { train_number: '12951', class_code: '2A', n: 3 },
      { train_number: '12951', class_code: '3A', n: 10 },
      { train_number: '52455', class_code: '2S', n: 6 },
    ]);
    const [dd] = await rows<{ kind: string; derived: Record<string, string> }>(
      sql`select kind, derived from trains where number = '22708'`,
    );
    expect(dd?.kind).toBe('double_decker');
    expect(dd?.derived.kind).toContain('22707');
    expect(Object.keys(dd?.derived ?? {})).toEqual(
      expect.arrayContaining(['km_from_origin', 'stop_times', 'departure_min', 'coaches']),
    );
  });

  it('repairs edited rows, deletes stops and coaches the data does not have, and leaves train_runs alone', async () => {
    const [run] = await rows<{ id: number }>(sql`
      insert into train_runs (train_number, run_date) values (${SCRIBBLE}, '2099-01-05')
      on conflict (train_number, run_date) do update set status = 'open' returning id`);
    try {
      await handle.db.execute(sql`update train_stops set km_from_origin = km_from_origin + 1000
        where train_number = ${SCRIBBLE} and seq = 2`);
      await handle.db.execute(sql`insert into train_stops (train_number, seq, station_code, km_from_origin)
        values (${SCRIBBLE}, 99, 'NDLS', 9999)`);
      await handle.db.execute(sql`insert into train_coaches (train_number, coach, class_code, position)
        values (${SCRIBBLE}, 'S99', 'SL', 99)`);

      const repaired = await importTimetable(handle.db, { dataDir, trains: SUBSET });
      expect(repaired.changed).toBe(3);
      expect(await snapshot()).toEqual(before);
      const runs = await rows(sql`select id from train_runs where train_number = ${SCRIBBLE} and run_date = '2099-01-05'`);
      expect(runs).toEqual([{ id: run?.id }]);
    } finally {
      await handle.db.execute(sql`delete from train_runs where id = ${run?.id ?? -1}`);
    }
  });

  it('fails clearly when the data is not where it looks', async () => {
    await expect(importTimetable(handle.db, { dataDir: '/nonexistent/rail-data' })).rejects.toThrow(/RAIL_DATA_DIR/);
  });
});
