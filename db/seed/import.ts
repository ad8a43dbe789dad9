// Timetable import: the real Indian Railways data (CC0) → stations, trains,
// train_stops, travel_classes, coach_layout_berths, train_coaches.
//
// What is real and what is derived is documented in db/seed/README.md and
// db/seed/derive.ts; each train's `derived` column says it again per train.
//
// Properties the rest of the system relies on:
//   - one transaction: readers never see half a catalog;
//   - idempotent: upserts (ON CONFLICT DO UPDATE … WHERE something changed), so a
//     second run of the same data changes no row, not even updated_at;
//   - a train's stops and coaches that are no longer in the data are deleted;
//     trains missing from the data are left alone (they may have runs and bookings);
//   - never touches train_runs, users, bookings or anything downstream of them;
//   - fast: multi-row INSERTs of up to BATCH_ROWS rows, one array parameter per
//     column (so far under Postgres' 65,535 bind parameters); rows sorted by key
//     so that concurrent imports lock rows in the same order.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgInsertValue, PgTable } from 'drizzle-orm/pg-core';
import type { Db, DbOrTx, Tx } from '../client';
import { coachLayoutBerths, stations, trainCoaches, trains, trainStops, travelClasses } from '../schema';
import type { NewStation, NewTrain, NewTrainCoach, NewTrainStop } from '../schema';
import { coachLayoutRows, travelClassRows } from './classes';
import { DATA_FILES } from './dataDir';
import {
  coachComposition,
  departureMinute,
  DWELL_MIN,
  isSuperfast,
  LONG_HOP_DWELL_MIN,
  LONG_HOP_KM,
  parseDuration,
  runsOnMask,
  stopKms,
  stopTimes,
  trainKind,
  trainKindWithPair,
  type LatLon,
  type WeekdayKey,
} from './derive';

// ------------------------------------------------------------------ dataset

export { DATA_FILES, defaultDataDir, REPO_ROOT } from './dataDir';

export class DataDirError extends Error {
  override name = 'DataDirError';
}

/** One train as it is in trains.json. */
export interface RawTrain {
  Train_name: string;
  From_station: string;
  To_station: string;
  Pair: string;
  Duration: string;
  Distance: number;
  Runs_on: Partial<Record<WeekdayKey, number>>;
  Stations: string[];
}

export interface GeoStation {
  code: string;
  name: string | null;
  state: string | null;
  zone: string | null;
  coords: LatLon | null;
}

export interface Dataset {
  trains: Record<string, RawTrain>;
  /** station_trains.json: code → Station_name (the timetable's own names). */
  timetableNames: Map<string, string>;
  geo: Map<string, GeoStation>;
}

async function readJson(dataDir: string, file: string): Promise<unknown> {
  const full = path.join(dataDir, file);
  let text: string;
  try {
    text = await fs.readFile(full, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataDirError(
      `cannot read ${full} (${code ?? String(err)}). The Indian Railways data (${DATA_FILES.join(', ')}) ` +
        `is looked for in ${dataDir}; set RAIL_DATA_DIR to the folder that holds it.`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DataDirError(`${full} is not valid JSON: ${(err as Error).message}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Empty strings and "?" placeholders in the GeoJSON mean "unknown". */
function cleanText(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const t = v.trim();
  return t === '' || t === '?' ? null : t;
}

/**
 * A usable station code: 1–8 upper-case letters/digits (the API's pattern).
 * Drops the GeoJSON's placeholder codes such as "XX-BECE", "YY-BPLC", "YAKUT PUR(YKA".
 */
export const STATION_CODE = /^[A-Z0-9]{1,8}$/;

function parseGeo(doc: unknown): Map<string, GeoStation> {
  const features = isObject(doc) && Array.isArray(doc.features) ? doc.features : null;
  if (!features) throw new DataDirError('stations.geojson is not a GeoJSON FeatureCollection');
  const geo = new Map<string, GeoStation>();
  for (const f of features) {
    if (!isObject(f) || !isObject(f.properties)) continue;
    const code = cleanText(f.properties.code);
    if (!code || !STATION_CODE.test(code)) continue;
    const c = isObject(f.geometry) && Array.isArray(f.geometry.coordinates) ? f.geometry.coordinates : null;
    const [lon, lat] = c ?? [];
    const coords = typeof lat === 'number' && typeof lon === 'number' ? { lat, lon } : null;
    const p = f.properties;
    geo.set(code, { code, name: cleanText(p.name), state: cleanText(p.state), zone: cleanText(p.zone), coords });
  }
  return geo;
}

function parseTimetableNames(doc: unknown): Map<string, string> {
  if (!isObject(doc)) throw new DataDirError('station_trains.json is not an object keyed by station code');
  const names = new Map<string, string>();
  for (const [code, v] of Object.entries(doc)) {
    const name = isObject(v) ? cleanText(v.Station_name) : null;
    if (name) names.set(code, name);
  }
  return names;
}

/** Reads the three files of the data set. Throws DataDirError with the path it tried. */
export async function loadDataset(dataDir: string): Promise<Dataset> {
  const [trainsDoc, namesDoc, geoDoc] = await Promise.all(DATA_FILES.map((f) => readJson(dataDir, f)));
  if (!isObject(trainsDoc)) throw new DataDirError('trains.json is not an object keyed by train number');
  return {
    trains: trainsDoc as unknown as Record<string, RawTrain>,
    timetableNames: parseTimetableNames(namesDoc),
    geo: parseGeo(geoDoc),
  };
}

// ------------------------------------------------------------ rows (pure)

export interface Catalog {
  stations: NewStation[];
  trains: NewTrain[];
  stops: NewTrainStop[];
  coaches: NewTrainCoach[];
  /** Trains left out because their record cannot be used, with the reason. */
  skipped: { number: string; reason: string }[];
}

/** Why a raw train record cannot be imported, or null when it is fine. */
export function invalidReason(raw: RawTrain): string | null {
  if (!isObject(raw)) return 'not an object';
  if (typeof raw.Train_name !== 'string' || raw.Train_name.trim() === '') return 'no name';
  const s = raw.Stations;
  if (!Array.isArray(s) || s.length < 2 || s.some((c) => typeof c !== 'string' || !STATION_CODE.test(c))) {
    return 'needs at least two valid stop codes';
  }
  if (new Set(s).size !== s.length) return 'a stop appears twice';
  if (!Number.isInteger(raw.Distance) || raw.Distance < s.length - 1) return `bad Distance ${String(raw.Distance)}`;
  let duration: number;
  try {
    duration = parseDuration(String(raw.Duration));
  } catch {
    return `bad Duration ${String(raw.Duration)}`;
  }
  if (duration < s.length - 1) return `Duration ${raw.Duration} too short for ${s.length - 1} hops`;
  if (!isObject(raw.Runs_on) || runsOnMask(raw.Runs_on) === 0) return 'runs on no day';
  return null;
}

function pairOf(raw: RawTrain): string | null {
  return typeof raw.Pair === 'string' && /^\d{5}$/.test(raw.Pair) ? raw.Pair : null;
}

function identity(number: string, raw: RawTrain) {
  return { number, name: raw.Train_name.trim(), distanceKm: raw.Distance };
}

/**
 * Stations renamed (with a new code) after the GeoJSON was made: the new
 * code's coordinates are those of the old code's entry. Each pair was checked
 * by the old entry's name (e.g. MGS "MUGHAL SARAI JN" for DDU "DD UPADHYAYA JN").
 * Used for location only; the name stays the timetable's.
 */
export const FORMER_CODES: Readonly<Record<string, string>> = {
  AYC: 'FD', // Ayodhya Cantt, was Faizabad Jn
  BSBS: 'MUV', // Banaras, was Manduadih
  CSMT: 'CSTM', // Chhatrapati Shivaji Maharaj Terminus, was Mumbai CST
  DADN: 'MHOW', // Dr Ambedkar Nagar, was Mhow
  DDU: 'MGS', // Pt Deen Dayal Upadhyaya Jn, was Mughal Sarai Jn
  KLBG: 'GR', // Kalaburagi, was Gulbarga
  MMCT: 'BCT', // Mumbai Central
  NDPM: 'HBD', // Narmadapuram, was Hoshangabad
  PCOI: 'COI', // Prayagraj Chheoki, was Cheoki
  PRRB: 'ALY', // Prayagraj Rambagh, was Allahabad City
  PRYJ: 'ALD', // Prayagraj Jn, was Allahabad Jn
  PYGS: 'DRGJ', // Prayagraj Sangam, was Daraganj
  RKMP: 'HBJ', // Rani Kamalapati, was Habibganj
  SBIB: 'SBI', // Sabarmati BG, was Sabarmati Jn
  VGLB: 'JHS', // Virangana Lakshmibai, was Jhansi Jn
};

/** GeoJSON facts for a code: its own entry if it has a location, else its former code's. */
function geoOf(code: string, ds: Dataset): GeoStation | undefined {
  const own = ds.geo.get(code);
  if (own?.coords) return own;
  const former = FORMER_CODES[code];
  const old = former ? ds.geo.get(former) : undefined;
  return old?.coords ? { ...old, code } : own;
}

function stationName(code: string, ds: Dataset): string {
  // The timetable's own name first: it is what the train records call the
  // station (From_station/To_station), and it is the current one (e.g.
  // "KSR BENGALURU" where the GeoJSON still has "BANGALORE CITY JN").
  return ds.timetableNames.get(code) ?? ds.geo.get(code)?.name ?? code;
}

function stationRow(code: string, ds: Dataset): NewStation {
  const g = geoOf(code, ds);
  return {
    code,
    name: stationName(code, ds),
    state: g?.state ?? null,
    zone: g?.zone ?? null,
    lat: g?.coords?.lat ?? null,
    lon: g?.coords?.lon ?? null,
  };
}

/** Per-train notes stored in trains.derived: which figures were derived and how. */
function derivedNotes(args: {
  raw: RawTrain;
  located: number;
  kind: string;
  kindFromPair: string | null;
  stopNames: [string, string];
}): Record<string, string> {
  const { raw, located, kind, kindFromPair, stopNames } = args;
  const n = raw.Stations.length;
  const notes: Record<string, string> = {
    km_from_origin: `haversine between located stops (${located}/${n} located, rest interpolated), scaled to the real Distance`,
    stop_times: `running time in proportion to km, dwell ${DWELL_MIN} min (${LONG_HOP_DWELL_MIN} after a hop >= ${LONG_HOP_KM} km), total = real Duration`,
    departure_min: 'FNV-1a hash of the train number -> 5-minute slot of the day',
    kind: kindFromPair ? `from the name of its pair ${kindFromPair}` : 'from name keywords and number series',
    superfast: 'premium kind, number series 12/20/22 or SF in the name',
    coaches: `composition rule for kind ${kind}`,
  };
  const [first, last] = stopNames;
  if (raw.From_station.trim() !== first || raw.To_station.trim() !== last) {
    // The stop list is the route we import; the record's end names disagree
    // for ~70 trains (e.g. cut short at Mandapam instead of Rameswaram).
    notes.route = `record says ${raw.From_station} -> ${raw.To_station}; stop list runs ${first} -> ${last}`;
  }
  return notes;
}

function trainRows(number: string, raw: RawTrain, ds: Dataset) {
  const codes = raw.Stations;
  const coords = codes.map((c) => geoOf(c, ds)?.coords ?? null);
  const durationMin = parseDuration(raw.Duration);
  const departureMin = departureMinute(number);
  const kms = stopKms(coords, raw.Distance);
  const times = stopTimes(kms, durationMin, departureMin);

  const pairNumber = pairOf(raw);
  const pairRaw = pairNumber ? ds.trains[pairNumber] : undefined;
  const pair = pairNumber && pairRaw && invalidReason(pairRaw) === null ? identity(pairNumber, pairRaw) : null;
  const kind = trainKindWithPair(identity(number, raw), pair);
  const kindFromPair = kind !== trainKind(identity(number, raw)) ? pairNumber : null;

  const first = codes[0] as string;
  const last = codes[codes.length - 1] as string;
  const train: NewTrain = {
    number,
    name: raw.Train_name.trim(),
    kind,
    superfast: isSuperfast(number, raw.Train_name, kind),
    fromStation: first,
    toStation: last,
    distanceKm: raw.Distance,
    durationMin,
    departureMin,
    runsOn: runsOnMask(raw.Runs_on),
    pairNumber,
    derived: derivedNotes({
      raw,
      located: coords.filter(Boolean).length,
      kind,
      kindFromPair,
      stopNames: [stationName(first, ds), stationName(last, ds)],
    }),
  };
  const stops: NewTrainStop[] = codes.map((stationCode, i) => ({
    trainNumber: number,
    seq: i,
    stationCode,
    kmFromOrigin: kms[i] as number,
    ...(times[i] as (typeof times)[number]),
  }));
  const coaches: NewTrainCoach[] = coachComposition(kind, raw.Distance).map((c) => ({ trainNumber: number, ...c }));
  return { train, stops, coaches };
}

/**
 * All rows to write, sorted by primary key. Pure. `only` limits the trains
 * (unknown numbers throw); stations are always all of them: every station a
 * selected train calls at plus every GeoJSON station with a usable code
 * (except the former codes of renamed stations, see FORMER_CODES).
 */
export function buildCatalog(ds: Dataset, only?: readonly string[]): Catalog {
  const numbers = only ? [...new Set(only.map((n) => n.trim()))] : Object.keys(ds.trains);
  const unknown = numbers.filter((n) => !Object.hasOwn(ds.trains, n));
  if (unknown.length > 0) throw new Error(`train(s) not in the data: ${unknown.join(', ')}`);

  const catalog: Catalog = { stations: [], trains: [], stops: [], coaches: [], skipped: [] };
  // Former codes are superseded by their new code (which takes their location).
  const superseded = new Set(Object.values(FORMER_CODES));
  const stationCodes = new Set([...ds.geo.keys()].filter((c) => !superseded.has(c)));
  for (const number of numbers.sort()) {
    const raw = ds.trains[number] as RawTrain;
    const reason = invalidReason(raw);
    if (reason) {
      catalog.skipped.push({ number, reason });
      continue;
    }
    const rows = trainRows(number, raw, ds);
    catalog.trains.push(rows.train);
    catalog.stops.push(...rows.stops);
    catalog.coaches.push(...rows.coaches);
    for (const c of raw.Stations) stationCodes.add(c);
  }
  catalog.stations = [...stationCodes].sort().map((code) => stationRow(code, ds));
  catalog.coaches.sort((a, b) => a.trainNumber.localeCompare(b.trainNumber) || a.coach.localeCompare(b.coach));
  return catalog;
}

// ------------------------------------------------------------------ writing

/**
 * Rows per INSERT. Each INSERT binds one array per column (see upsert), so the
 * bind-parameter count is the number of columns, far below Postgres' 65,535;
 * the batch size only bounds statement and memory size.
 */
const BATCH_ROWS = 5_000;

/** A JS array as ONE bind parameter (node-postgres sends it as a Postgres array literal). */
const arrayParam = (values: readonly unknown[]) => sql.param(values);

/** The column's values of `rows` as one typed array parameter, e.g. $3::smallint[]. */
function columnArray(column: PgColumn, prop: string, rows: readonly Record<string, unknown>[]): SQL {
  const values = rows.map((r) => {
    const v = r[prop];
    return v === null || v === undefined ? null : column.mapToDriverValue(v);
  });
  return sql`${arrayParam(values)}::${sql.raw(column.getSQLType())}[]`;
}

/**
 * Multi-row upsert, BATCH_ROWS rows per statement:
 *   INSERT INTO t (cols) SELECT * FROM unnest($1::type[], $2::type[], …)
 *   ON CONFLICT (key) DO UPDATE SET col = excluded.col, …
 *   WHERE (cols) IS DISTINCT FROM (excluded.cols)
 * Arrays per column rather than VALUES ($1, $2, …), (…): the statement stays
 * small and Drizzle does not have to build 40,000 placeholders per batch,
 * which made the VALUES form several times slower (measured, see README).
 * The WHERE makes an unchanged re-import write nothing. Returns rows
 * inserted or changed. All rows must have the same keys.
 */
async function upsert<T extends PgTable>(
  tx: Tx,
  table: T,
  rows: readonly PgInsertValue<T>[],
  key: PgColumn[],
  opts: { extraSet?: Record<string, SQL> } = {},
): Promise<number> {
  if (rows.length === 0) return 0;
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const keyNames = new Set(key.map((c) => c.name));
  const props = Object.keys(rows[0] as object);
  const col = (prop: string) => columns[prop] as PgColumn;
  const updated = props.filter((p) => !keyNames.has(col(p).name));
  const excluded = (p: string) => sql`excluded.${sql.identifier(col(p).name)}`;
  const list = (items: Parameters<typeof sql.join>[0]) => sql.join(items, sql`, `);

  const sets = [
    ...updated.map((p) => sql`${sql.identifier(col(p).name)} = ${excluded(p)}`),
    ...Object.entries(opts.extraSet ?? {}).map(([p, value]) => sql`${sql.identifier(col(p).name)} = ${value}`),
  ];
  const tail = sql`on conflict (${list(key.map((c) => sql.identifier(c.name)))}) do update set ${list(sets)}
    where (${list(updated.map((p) => sql`${table}.${sql.identifier(col(p).name)}`))})
      is distinct from (${list(updated.map(excluded))})`;

  let count = 0;
  for (let i = 0; i < rows.length; i += BATCH_ROWS) {
    const batch = rows.slice(i, i + BATCH_ROWS) as Record<string, unknown>[];
    const result = await tx.execute(sql`
      insert into ${table} (${list(props.map((p) => sql.identifier(col(p).name)))})
      select * from unnest(${list(props.map((p) => columnArray(col(p), p, batch)))})
      ${tail}`);
    count += result.rowCount ?? 0;
  }
  return count;
}

/** Deletes the stops of the given trains that are not (same seq, same station) in the new data. */
async function deleteStaleStops(tx: Tx, numbers: string[], stops: NewTrainStop[]): Promise<number> {
  if (numbers.length === 0) return 0;
  const result = await tx.execute(sql`
    delete from ${trainStops} s
    where s.train_number = any(${arrayParam(numbers)}::text[])
      and not exists (
        select 1 from unnest(
          ${arrayParam(stops.map((s) => s.trainNumber))}::text[],
          ${arrayParam(stops.map((s) => s.seq))}::int[],
          ${arrayParam(stops.map((s) => s.stationCode))}::text[]
        ) as n(train_number, seq, station_code)
        where n.train_number = s.train_number and n.seq = s.seq and n.station_code = s.station_code
      )`);
  return result.rowCount ?? 0;
}

/** Deletes the coaches of the given trains that the new composition no longer has. */
async function deleteStaleCoaches(tx: Tx, numbers: string[], coaches: NewTrainCoach[]): Promise<number> {
  if (numbers.length === 0) return 0;
  const result = await tx.execute(sql`
    delete from ${trainCoaches} c
    where c.train_number = any(${arrayParam(numbers)}::text[])
      and not exists (
        select 1 from unnest(
          ${arrayParam(coaches.map((c) => c.trainNumber))}::text[],
          ${arrayParam(coaches.map((c) => c.coach))}::text[]
        ) as n(train_number, coach)
        where n.train_number = c.train_number and n.coach = c.coach
      )`);
  return result.rowCount ?? 0;
}

/** Berth positions beyond a class's current berths_per_coach (if a layout ever shrinks). */
async function deleteStaleLayoutBerths(tx: Tx): Promise<number> {
  const result = await tx.execute(sql`
    delete from ${coachLayoutBerths} b
    using ${travelClasses} c
    where c.code = b.class_code and b.berth_no > c.berths_per_coach`);
  return result.rowCount ?? 0;
}

async function writeCatalog(tx: Tx, c: Catalog, log: (m: string) => void): Promise<number> {
  const numbers = c.trains.map((t) => t.number);
  let changed = 0;
  const step = async (what: string, work: Promise<number>) => {
    const t0 = Date.now();
    const n = await work;
    changed += n;
    log(`  ${what}: ${n} row(s) written/deleted in ${Date.now() - t0} ms`);
  };
  // Sequential on purpose: one transaction = one connection; and parents before children.
  await step('travel_classes', upsert(tx, travelClasses, travelClassRows(), [travelClasses.code]));
  await step(
    'coach_layout_berths',
    upsert(tx, coachLayoutBerths, coachLayoutRows(), [coachLayoutBerths.classCode, coachLayoutBerths.berthNo]),
  );
  await step('coach_layout_berths (stale)', deleteStaleLayoutBerths(tx));
  await step('stations', upsert(tx, stations, c.stations, [stations.code]));
  await step('trains', upsert(tx, trains, c.trains, [trains.number], { extraSet: { updatedAt: sql`now()` } }));
  // Stale stops go first: a stop moving to another seq would otherwise collide
  // with itself on the (train_number, station_code) unique index.
  await step('train_stops (stale)', deleteStaleStops(tx, numbers, c.stops));
  await step('train_stops', upsert(tx, trainStops, c.stops, [trainStops.trainNumber, trainStops.seq]));
  await step('train_coaches (stale)', deleteStaleCoaches(tx, numbers, c.coaches));
  await step('train_coaches', upsert(tx, trainCoaches, c.coaches, [trainCoaches.trainNumber, trainCoaches.coach]));
  return changed;
}

export interface ImportOptions {
  dataDir: string;
  /** Import only these train numbers (stations are still all imported). */
  trains?: string[];
  log?: (m: string) => void;
}

export interface ImportResult {
  /** Rows in the imported data set (not rows changed). */
  stations: number;
  trains: number;
  stops: number;
  coaches: number;
  /** Rows inserted, updated or deleted: 0 when re-importing unchanged data. */
  changed: number;
  /** Train records that could not be used (invalid data), with why. */
  skipped: { number: string; reason: string }[];
  ms: number;
}

/** Imports the timetable in one transaction. See the header for guarantees. */
export async function importTimetable(db: Db, opts: ImportOptions): Promise<ImportResult> {
  const log = opts.log ?? (() => undefined);
  const started = Date.now();
  const ds = await loadDataset(opts.dataDir);
  const catalog = buildCatalog(ds, opts.trains);
  log(
    `read ${opts.dataDir}: ${catalog.trains.length} train(s), ${catalog.stops.length} stops, ` +
      `${catalog.coaches.length} coaches, ${catalog.stations.length} stations in ${Date.now() - started} ms`,
  );
  for (const s of catalog.skipped) log(`  skipped train ${s.number}: ${s.reason}`);
  const changed = await db.transaction((tx) => writeCatalog(tx, catalog, log));
  return {
    stations: catalog.stations.length,
    trains: catalog.trains.length,
    stops: catalog.stops.length,
    coaches: catalog.coaches.length,
    changed,
    skipped: catalog.skipped,
    ms: Date.now() - started,
  };
}

/** True when no train has been imported yet. */
export async function isCatalogEmpty(db: DbOrTx): Promise<boolean> {
  const rows = await db.select({ one: sql<number>`1` }).from(trains).limit(1);
  return rows.length === 0;
}
